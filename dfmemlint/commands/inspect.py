"""``dfmemlint inspect``: show what was read, for people debugging a finding."""

from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Any

import click

from dfmemlint import formats
from dfmemlint.commands.options import (
    Command,
    build_arg_option,
    error,
    format_option,
    once,
    stdin_filename_option,
    warn,
)
from dfmemlint.dockerfile import model, reader
from dfmemlint.dockerfile.startup import StartupLimit
from dfmemlint.engine import UnknownTarget
from dfmemlint.files import InputError, expand_paths, read_source
from dfmemlint.golang.units import describe_bytes
from dfmemlint.kubernetes.inspect import manifest_json, manifest_outline
from dfmemlint.reporters import printable
from dfmemlint.rules.base import Context
from dfmemlint.types import shown

if TYPE_CHECKING:
    from dfmemlint.kubernetes.configmaps import ManifestIndex

_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(value: str) -> str:
    """A value for JSON: each byte that is not UTF-8 (kept as a surrogate escape) is shown as
    U+FFFD, one per byte, as Go's encoding/json does."""
    return _SURROGATE.sub("\ufffd", value)


def instruction_json(ins: reader.Instruction) -> dict[str, Any]:
    return {
        "keyword": _text(ins.keyword),
        "start_line": ins.start_line,
        "end_line": ins.end_line,
        "flags": [_text(t.value) for t in ins.flags],
        # The arguments as written after keyword and flags (continuations joined), for people;
        # ``values`` are the tokens BuildKit's dispatch table splits them into.
        "args": _text(ins.args.value),
        "values": [_text(t.value) for t in ins.values],
        "json": ins.json,
        "heredocs": [{"name": _text(h.name), "content": _text(h.content)} for h in ins.heredocs],
        "sub": instruction_json(ins.sub) if ins.sub is not None else None,
    }


def inspect_json(
    path: str, data: bytes, graph: model.StageGraph, startup: StartupLimit | None = None
) -> dict[str, Any]:
    df = graph.dockerfile
    return {
        "path": _text(path),
        "escape": df.escape,
        "directives": {d.key: _text(d.value) for d in df.directives},
        "error": None
        if df.error is None
        else {"message": _text(df.error.message), "line": df.error.line},
        "instructions": [instruction_json(ins) for ins in df.instructions],
        "stages": [
            {
                "index": s.index,
                "name": None if s.name is None else _text(s.name),
                "base": _text(s.base),
                "parent_stage": s.parent,
                "copies_from": [
                    {
                        "stage": c.stage,
                        "image": None if c.image is None else _text(c.image),
                        "line": c.instruction.start_line,
                        "via": c.via,
                    }
                    for c in s.copies_from
                ],
                "start_line": s.from_instruction.start_line,
            }
            for s in graph.stages
        ],
        "final_stage": graph.final,
        "built_stages": sorted(graph.built),
        "runtime_env": {
            _text(name): {"value": _text(e.value), "line": e.instruction.start_line}
            for name, e in graph.runtime_env().items()
        },
        "gomemlimit_at_startup": None
        if startup is None
        else {"by": _text(startup.how), "line": startup.line or None},
    }


def _outline(info: dict[str, Any]) -> str:
    # The escape character as written in the file (`\` or a backtick), not as a Python literal.
    lines = [f"{info['path']}  (escape {info['escape']})"]
    for key, value in info["directives"].items():
        lines.append(f"  directive {key}={value}")
    if info["error"]:
        lines.append(f"  error at line {info['error']['line']}: {info['error']['message']}")
    for ins in info["instructions"]:
        span = f"{ins['start_line']}" + (
            f"-{ins['end_line']}" if ins["end_line"] != ins["start_line"] else ""
        )
        flags = " ".join(ins["flags"])
        form = " (exec form)" if ins["json"] else ""
        flags = f"{flags} " if flags else ""
        lines.append(f"  {span:>9}  {ins['keyword']} {flags}{ins['args']}{form}")
        for doc in ins["heredocs"]:
            lines.append(f"             heredoc {doc['name']}: {len(doc['content'])} characters")
        if ins["sub"]:
            sub = ins["sub"]
            sub_flags = "".join(f"{flag} " for flag in sub["flags"])
            lines.append(f"             runs on build: {sub['keyword']} {sub_flags}{sub['args']}")
    lines.append("  stages:")
    for stage in info["stages"]:
        marks = []
        if stage["index"] == info["final_stage"]:
            marks.append("final")
        if stage["index"] not in info["built_stages"]:
            marks.append("not built")
        parent_stage = stage["parent_stage"]
        parent = f" (from stage {parent_stage})" if parent_stage is not None else ""
        name = f" {stage['name']}" if stage["name"] else ""
        mark = f"  [{', '.join(marks)}]" if marks else ""
        lines.append(f"    #{stage['index']}{name} FROM {stage['base']}{parent}{mark}")
        for src in stage["copies_from"]:
            what = f"stage {src['stage']}" if src["stage"] is not None else f"image {src['image']}"
            lines.append(f"       takes files from {what} (line {src['line']}, {src['via']})")
    for service in info.get("compose_services", []):
        limit = service["memory_limit"]
        if limit is None:
            said = "no memory limit"
        else:
            said = f"memory limit {describe_bytes(limit)} from {service['memory_limit_from']}"
        if service.get("sets_gomemlimit"):
            said += "; sets its own GOMEMLIMIT, which replaces the image's ENV GOMEMLIMIT"
        elif service.get("limit_applies"):
            said += "; the limit linked to this Dockerfile"
        lines.append(
            f"  built by Compose service {service['service']} ({service['file']}:"
            f"{service['line']}): {said}"
        )
    if info["runtime_env"]:
        lines.append("  runtime environment:")
        for name, env in info["runtime_env"].items():
            lines.append(f"    {name}={shown(env['value'])}  (line {env['line']})")
    if info.get("gomemlimit_at_startup"):
        lines.append(f"  GOMEMLIMIT set at start-up by {info['gomemlimit_at_startup']['by']}")
    return "\n".join(lines)


def _compose_outline(info: dict[str, Any]) -> str:
    from dfmemlint.compose.inspect import compose_outline

    return compose_outline(info)


SCRIPT_NOTE = (
    "a shell script: it has no containers or stages to show; linting it judges the GOMEMLIMIT "
    "values it assigns, and inspecting the Dockerfile that copies it shows what it sets at "
    "start-up"
)


def _manifest(path: str, data: bytes, manifests: ManifestIndex | None) -> dict[str, Any]:
    """A manifest (or another YAML file): each container's limit and Go settings (ConfigMaps
    read from every inspected file)."""
    from dfmemlint.compose.inspect import compose_json
    from dfmemlint.compose.lint import ComposeResult
    from dfmemlint.engine import LintOptions
    from dfmemlint.kubernetes.lint import ManifestResult

    found = formats.detect(path, data)
    if found is None:
        from dfmemlint.kubernetes.lint import NOT_READ_NOTE

        return {"path": path, "format": None, "note": NOT_READ_NOTE}
    if found is formats.Format.SHELL_SCRIPT:
        return {"path": path, "format": None, "note": SCRIPT_NOTE}
    result = formats.lint(path, data, LintOptions(manifests=manifests))
    if isinstance(result, ComposeResult):
        if result.project is None and result.notes:  # an env file no Compose project reads
            return {"path": path, "format": None, "note": result.notes[0]}
        return compose_json(result)
    assert isinstance(result, ManifestResult)
    return manifest_json(result)


def _one_per_project(results: list[dict[str, Any]], on_disk: list[bool]) -> list[dict[str, Any]]:
    """Each Compose project once: a base file and its override file (a directory holding both,
    or both named) are read as the same project, shown where the first of them was, under the
    base file's name when it is among them. Standard input is its own text: always shown."""
    kept: list[dict[str, Any]] = []
    seen: dict[tuple[str, ...], int] = {}
    for info, read_from_disk in zip(results, on_disk, strict=True):
        files = info.get("files") if info.get("format") == "compose" else None
        if not files or not read_from_disk:
            kept.append(info)
            continue
        key = tuple(os.path.normcase(os.path.abspath(f)) for f in files)
        if key not in seen:
            seen[key] = len(kept)
            kept.append(info)
        elif os.path.normcase(os.path.abspath(info["path"])) == key[0]:
            kept[seen[key]] = info
    return kept


@click.command(
    cls=Command,
    short_help="Show the Go settings of a Dockerfile, manifest or Compose file.",
)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@format_option(["text", "json"])
@build_arg_option
@once("--target", default=None, help="Build this stage instead of the last one.")
@stdin_filename_option
def inspect(
    paths: tuple[str, ...],
    output_format: str,
    build_args: dict[str, str],
    target: str | None,
    stdin_filename: str | None,
) -> int:
    """Show how a Dockerfile is read: instructions, stages and the runtime environment; for a
    Kubernetes manifest or a Compose file, each container's (service's) memory limit and the
    GOMEMLIMIT/GOGC that reach it, with where each came from."""
    # A path that cannot be read does not stop the others (as in a lint run): said on standard
    # error, listed in the JSON array as {"path", "format": null, "input_error"}, exit 2.
    unreadable: list[dict[str, Any]] = []

    def path_error(exc: InputError) -> None:
        error(str(exc))
        unreadable.append({"path": exc.path or "-", "format": None, "input_error": exc.reason})

    sources = []
    for path in expand_paths(paths, warn=warn, error=path_error):
        try:
            sources.append(read_source(path, stdin_filename))
        except InputError as exc:
            path_error(exc)
    from dfmemlint.compose.link import Linker, limits_json
    from dfmemlint.kubernetes.configmaps import run_index

    linker = Linker()
    linker.add_compose_files([
        s.path for s in sources
        if s.real_path is not None and formats.detect(s.path, s.data) is formats.Format.COMPOSE
    ])
    manifests = run_index((s.path, s.data) for s in sources if s.real_path is not None)
    results = []
    for source in sources:
        if formats.detect(source.path, source.data) is not formats.Format.DOCKERFILE:
            index = manifests if source.real_path is not None else None
            results.append(_manifest(source.path, source.data, index))
            continue
        df = reader.read(source.data)
        graph = model.build(df, build_args=build_args, target=target)
        if graph.target_missing is not None and df.error is None:
            names = [stage.name for stage in graph.stages if stage.name]
            error(str(UnknownTarget(source.path, graph.target_missing, names)))
            return 2
        context_dir = None if source.real_path is None else os.path.dirname(source.real_path)
        startup = Context(source.path, df, graph, context_dir=context_dir).startup_limit
        info = inspect_json(source.path, source.data, graph, startup)
        linked = [] if source.real_path is None else linker.services_building(source.real_path)
        if linked:
            info["compose_services"] = limits_json(linked)
        results.append(info)
    for note in dict.fromkeys(linker.notes):
        warn(note)
    results = _one_per_project(results, [s.real_path is not None for s in sources])
    if output_format == "json":
        # Always a whole document, [] when nothing could be read.
        click.echo(json.dumps(unreadable + results, indent=2, ensure_ascii=False))
    elif results:
        # The outline quotes the file: its control characters are shown, not obeyed.
        outline = "\n\n".join(
            manifest_outline(info) if info.get("format") == "kubernetes"
            else _compose_outline(info) if info.get("format") == "compose"
            else f"{info['path']}  (not read)\n  {info['note']}" if "note" in info
            else _outline(info)
            for info in results
        )
        click.echo("\n".join(printable(line) for line in outline.split("\n")))
    return 2 if unreadable else 0
