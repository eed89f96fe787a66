"""What ``dfmemlint inspect`` shows for a Compose file: each service's memory limit, the
GOMEMLIMIT/GOGC its program starts with (its command line's, else its environment's) and where
each is written, and the Dockerfile it builds."""

from __future__ import annotations

from typing import Any

from dfmemlint.compose.lint import RUNTIME_VARIABLES, ComposeResult
from dfmemlint.compose.source import Origin
from dfmemlint.golang.units import describe_bytes
from dfmemlint.types import shown


def _at(origin: Origin) -> dict[str, Any]:
    return {"path": origin.path, "line": origin.line, "column": origin.column}


def compose_json(result: ComposeResult) -> dict[str, Any]:
    """``inspect --format json`` for one Compose file (read with its project)."""
    services = []
    project = result.project
    for service in [] if project is None else project.services.values():
        limit = service.memory_limit
        services.append({
            "service": service.name,
            "memory_limit": None if limit is None else {
                "bytes": limit.bytes, "text": limit.written, "field": limit.key,
                "at": _at(limit.origin),
            },
            "settings": {
                name: {
                    "value": value.value,
                    "via": value.via,
                    "at": _at(value.origin),
                    "shell_may_override": list(value.overridable),
                }
                for name in RUNTIME_VARIABLES
                if (value := service.runtime_value(name)) is not None
            },
            "dockerfile": service.dockerfile,
        })
    return {
        "path": result.path,
        "format": "compose",
        "files": [] if project is None else project.files,
        "error": result.error,
        "services": services,
    }


def compose_outline(info: dict[str, Any]) -> str:
    """``inspect`` for one Compose file, for people."""
    lines = [f"{info['path']}  (Compose, read with {', '.join(info['files']) or 'nothing'})"]
    if info["error"]:
        lines.append(f"  error: {info['error']}")
    for service in info["services"]:
        limit = service["memory_limit"]
        if limit is None:
            what = "no memory limit"
        else:
            at = limit["at"]
            what = (f"memory limit {limit['text']} = {describe_bytes(limit['bytes'])} "
                    f"({limit['field']}, {at['path']}:{at['line']})")
        lines.append(f"  service {service['service']}: {what}")
        for name, setting in service["settings"].items():
            unknown = "(unknown: from the shell)"
            if setting["via"].startswith(("command", "entrypoint")):
                unknown = "(unknown: a shell reference)"
            value = unknown if setting["value"] is None else shown(setting["value"])
            at = setting["at"]
            shell = ""
            if setting["shell_may_override"]:
                shell = f"; the shell may set {', '.join(setting['shell_may_override'])}"
            where = f"{at['path']}:{at['line']}"
            lines.append(f"    {name}={value}  ({setting['via']}, {where}{shell})")
        if service["dockerfile"]:
            lines.append(f"    builds {service['dockerfile']}")
    return "\n".join(lines)
