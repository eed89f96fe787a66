"""What ``dfmemlint inspect`` shows for a manifest: each container's memory limit and the
GOMEMLIMIT/GOGC that reach it, with where each came from (the same records the rules judge)."""

from __future__ import annotations

from typing import Any

from dfmemlint.containers import ContainerSettings, GoSetting, MemoryLimit, Place
from dfmemlint.golang.gomemlimit import judge_gomemlimit
from dfmemlint.golang.units import describe_bytes
from dfmemlint.kubernetes.environment import TRACKED
from dfmemlint.kubernetes.kustomize import PatchView
from dfmemlint.kubernetes.lint import ManifestResult
from dfmemlint.types import shown


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


def _container_json(result: ManifestResult, settings: ContainerSettings) -> dict[str, Any]:
    workload = settings.container.workload
    return {
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
    }


def _patch_json(result: ManifestResult, view: PatchView) -> dict[str, Any]:
    """One kustomize patch: which kustomization applies it, where, to what, and the Go
    settings (and memory limit) it sets in each container, with the container's limit after
    the build."""
    patch = view.patch
    containers = []
    for settings in view.containers:
        shown = _container_json(result, settings)
        shown["workload"]["path"] = settings.container.workload.path
        containers.append(shown)
    return {
        "patch": None if patch is None else f"{patch.field}[{patch.number}]",
        "kind": "JSON 6902" if patch is None else patch.kind,
        "kustomization": view.kustomization,
        "at": None if patch is None else _position(result, patch.at),
        "file": result.path if patch is None or patch.written.embedded else patch.written.path,
        "target": None if patch is None or patch.target is None else patch.target.describe(),
        "applied": view.error is None and patch is not None,
        "error": view.error,
        "containers": containers,
    }


def manifest_json(result: ManifestResult) -> dict[str, Any]:
    """``inspect --format json`` for one manifest file: its containers, and the kustomize
    patches written in it (``patches``)."""
    containers = [_container_json(result, resolved.settings) for resolved in result.resolved]
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
        "patches": [_patch_json(result, view) for view in result.patches],
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
    _containers(lines, info["containers"], info["path"], "  ")
    for patch in info["patches"]:
        lines.extend(_patch_outline(patch, info["path"]))
    return "\n".join(lines)


def _patch_outline(patch: dict[str, Any], path: str) -> list[str]:
    """``kustomize patches[0] (JSON 6902, line 4 of kustomization.yaml) -> Deployment/api``."""
    if patch["patch"] is None:
        head = "  kustomize JSON 6902 patch (no kustomization above names this file)"
    else:
        head = (f"  kustomize {patch['patch']} ({patch['kind']}, "
                f"{_at(patch['at'], path)}")
        if patch["at"] is not None and patch["at"]["path"] != path:
            head = (f"  kustomize {patch['patch']} of {patch['kustomization']} "
                    f"({patch['kind']}, line {patch['at']['line']}")
        head += ")"
        head += f" -> {patch['target'] or 'the objects it names'}"
    lines = [head]
    if patch["error"] is not None:
        lines.append(f"    not applied here ({patch['error']}): judged on its own")
    _containers(lines, patch["containers"], path, "    ")
    if not patch["containers"]:
        lines.append("    sets no GOMEMLIMIT, GOGC or memory limit")
    return lines


def _containers(lines: list[str], containers: list[dict[str, Any]], path: str,
                indent: str) -> None:
    last = None
    for entry in containers:
        workload = entry["workload"]
        title = f"{workload['kind']}/{workload['name']}"
        if workload["namespace"]:
            title += f" in {workload['namespace']}"
        if workload["source"]:
            title += f" (from {workload['source']})"
        if workload.get("path") and workload["path"] != path:
            title += f" in {workload['path']}"
        if title != last:
            lines.append(f"{indent}{title}")
            last = title
        role = "init container" if entry["role"] == "initContainer" else "container"
        limit = entry["memory_limit"]
        if limit is None:
            what = "no memory limit"
        else:
            what = (f"memory limit {limit['text']} = {describe_bytes(limit['bytes'])} "
                    f"({limit['field']}, {_at(limit['at'], path)})")
        lines.append(f"{indent}  {role} {entry['container']}: {what}")
        for name, setting in entry["settings"].items():
            value = "(unknown)" if setting["value"] is None else shown(setting["value"])
            amount = ""
            if setting["bytes"] is not None and setting["origin"].startswith("resourceFieldRef"):
                amount = f" = {describe_bytes(setting['bytes'])}"
            lines.append(f"{indent}    {name}={value}{amount}  ({setting['origin']}, "
                         f"{_at(setting['at'], path)})")
        for source in entry["unknown_sources"]:
            lines.append(f"{indent}    may also come from {source}")
