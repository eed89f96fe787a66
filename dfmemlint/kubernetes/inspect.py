"""What ``dfmemlint inspect`` shows for a manifest: each container's memory limit and the
GOMEMLIMIT/GOGC that reach it, with where each came from (the same records the rules judge)."""

from __future__ import annotations

from typing import Any

from dfmemlint.containers import GoSetting, MemoryLimit, Place
from dfmemlint.golang.gomemlimit import judge_gomemlimit
from dfmemlint.golang.units import describe_bytes
from dfmemlint.kubernetes.environment import TRACKED
from dfmemlint.kubernetes.lint import ManifestResult


def _position(result: ManifestResult, place: Place | None) -> dict[str, Any] | None:
    if place is None:
        return None
    line, column = result.lines_of(place.path).line_col(place.start)
    return {"path": place.path, "line": line, "column": column}


def _limit_json(result: ManifestResult, limit: MemoryLimit | None) -> dict[str, Any] | None:
    if limit is None:
        return None
    return {
        "bytes": limit.bytes,
        "text": limit.text,
        "field": limit.field,
        "at": _position(result, limit.place),
    }


def _setting_json(result: ManifestResult, setting: GoSetting) -> dict[str, Any]:
    gomemlimit_bytes = None
    if setting.name == "GOMEMLIMIT" and setting.value is not None:
        gomemlimit_bytes = judge_gomemlimit(setting.value).bytes
    return {
        "value": setting.value,
        "origin": setting.origin,
        "at": _position(result, setting.place),
        "bytes": gomemlimit_bytes,
        "divisor": setting.divisor,
    }


def manifest_json(result: ManifestResult) -> dict[str, Any]:
    """``inspect --format json`` for one manifest file."""
    containers = []
    for resolved in result.resolved:
        settings = resolved.settings
        workload = settings.container.workload
        containers.append({
            "workload": {"kind": workload.kind, "name": workload.name,
                         "namespace": workload.namespace, "source": workload.source},
            "container": settings.container.name,
            "role": settings.container.role,
            "memory_limit": _limit_json(result, settings.limit),
            "settings": {
                name: _setting_json(result, settings.settings[name])
                for name in TRACKED
                if name in settings.settings
            },
            "unknown_sources": list(settings.opaque),
        })
    error = result.error
    return {
        "path": result.path,
        "format": "kubernetes",
        "objects": 0 if result.manifest is None else result.manifest.objects,
        "template": result.template,
        "error": None if error is None else {
            "message": error.message, "line": error.line, "column": error.column,
        },
        "containers": containers,
    }


def _at(position: dict[str, Any] | None, path: str) -> str:
    """``line 7`` in the inspected file; ``k8s/configmap.yaml:7:15`` in another one."""
    if position is None:
        return ""
    if position["path"] != path:
        return f"{position['path']}:{position['line']}:{position['column']}"
    return f"line {position['line']}"


def manifest_outline(info: dict[str, Any]) -> str:
    """``inspect`` for one manifest file, for people."""
    head = f"{info['path']}  (Kubernetes, {info['objects']} object"
    head += "s)" if info["objects"] != 1 else ")"
    lines = [head]
    if info["template"]:
        lines.append("  skipped: a Helm chart template; inspect `helm template` output instead")
    if info["error"]:
        error = info["error"]
        lines.append(f"  error at line {error['line']}, column {error['column']}: "
                     f"{error['message']}")
    last = None
    for entry in info["containers"]:
        workload = entry["workload"]
        title = f"{workload['kind']}/{workload['name']}"
        if workload["namespace"]:
            title += f" in {workload['namespace']}"
        if workload["source"]:
            title += f" (from {workload['source']})"
        if title != last:
            lines.append(f"  {title}")
            last = title
        role = "init container" if entry["role"] == "initContainer" else "container"
        limit = entry["memory_limit"]
        if limit is None:
            what = "no memory limit"
        else:
            what = (f"memory limit {limit['text']} = {describe_bytes(limit['bytes'])} "
                    f"({limit['field']}, {_at(limit['at'], info['path'])})")
        lines.append(f"    {role} {entry['container']}: {what}")
        for name, setting in entry["settings"].items():
            value = "(unknown)" if setting["value"] is None else setting["value"]
            amount = ""
            if setting["bytes"] is not None and setting["origin"].startswith("resourceFieldRef"):
                amount = f" = {describe_bytes(setting['bytes'])}"
            lines.append(f"      {name}={value}{amount}  ({setting['origin']}, "
                         f"{_at(setting['at'], info['path'])})")
        for source in entry["unknown_sources"]:
            lines.append(f"      may also come from {source}")
    return "\n".join(lines)
