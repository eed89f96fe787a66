"""Lint a Compose file: the value rules (DFM004 malformed GOMEMLIMIT, DFM007 out of range against
the service's memory limit, DFM008 GOGC=off with no GOMEMLIMIT) on each service's environment as
``docker compose`` builds it (:mod:`dfmemlint.compose.project`).

The file is read with the project it belongs to (the override file beside a ``compose.yaml``,
the ``.env`` file), so each finding is about what the container really gets; a finding is
reported in the file that writes the value. A value written in ``.env`` or an ``env_file`` is
reported at the Compose line that brings it in (``${GOMEMLIMIT}``, ``env_file: app.env``), and
the message names the line of the other file; it has no automatic fix, since only the linted
file's bytes are edited. A ``GOGC=off`` without GOMEMLIMIT in a service with a memory limit
gets GOMEMLIMIT added beside it (:mod:`dfmemlint.compose.fixes`). Comments work as in
manifests: ``# dfmemlint: ignore=DFM007`` on the comment line(s) directly above,
``# dfmemlint: global ignore=…`` anywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from dfmemlint.compose.interpolate import literal
from dfmemlint.compose.model import ComposeError, EnvValue, Project, Service
from dfmemlint.compose.names import project_of
from dfmemlint.compose.project import load_project
from dfmemlint.compose.source import Origin
from dfmemlint.containers import (
    Container,
    ContainerSettings,
    GoSetting,
    MemoryLimit,
    Place,
    Workload,
)
from dfmemlint.engine import EditableRanges, LintOptions
from dfmemlint.positions import Lines
from dfmemlint.rules import values
from dfmemlint.rules.values import ValueProblem
from dfmemlint.types import Finding
from dfmemlint.yaml_findings import (
    SYNTAX_CODE,
    WholeFile,
    is_wanted,
    read_suppressions,
    syntax_finding,
)

RUNTIME_VARIABLES = ("GOMEMLIMIT", "GOGC")


@dataclass
class ComposeResult:
    path: str
    data: bytes
    findings: list[Finding]
    notes: list[str]
    lines: Lines
    project: Project | None = None
    error: str | None = None
    settings: list[ContainerSettings] = field(default_factory=list)
    template: bool = False  # formats.Result: a Compose file is never a chart template
    unread: bool = False  # formats.Result: nor left unread

    @property
    def source(self) -> Lines:
        return self.lines

    @property
    def syntax_error(self) -> str | None:
        return None if self.error is None else f"a Compose file that cannot be read ({self.error})"

    def editable_ranges(self) -> EditableRanges:
        return WholeFile(len(self.data))


def _place(origin: Origin) -> Place:
    return Place(origin.path, origin.start, origin.end, origin.editable)


def _how(value: EnvValue) -> str:
    """How the value gets to the container, for messages (``environment`` says nothing)."""
    if value.via.startswith(("command", "entrypoint")):
        return value.via  # set on the command line (dfmemlint.compose.command)
    where = f"{value.origin.path}:{value.origin.line}"
    if value.list_entry and value.via == "environment" and _quoted(value.value):
        # compose-go types/mapping.go MappingWithEquals.DecodeMapstructure: strings.Cut at the
        # first "=", the rest kept as it is written.
        return (
            "a list-form environment entry, whose text after '=' Compose passes to the "
            "container as written, quotes included"
        )
    if value.via == ".env":
        how = f"the project's .env file, {where}"
    elif value.via == "env_file":
        how = f"env_file {where}"
    else:
        how = "environment"
    if value.overridable:
        names = ", ".join(f"${{{name}}}" for name in value.overridable)
        how = f"the default of {names}, unless the shell running docker compose sets it"
    if value.escaped:
        # compose-go template/template.go: the ``escaped`` group ($$) is replaced by one $.
        how += ", where Compose reads $$ as one $"
    return how


def _quoted(value: str | None) -> bool:
    from dfmemlint.golang.gomemlimit import unquoted

    return value is not None and unquoted(value) is not None


def service_settings(service: Service, project: str) -> ContainerSettings:
    """The record the value rules judge, for one service of the Compose project ``project``
    (Compose names a project after its directory)."""
    container = Container(service.name, Workload("project", project), role="service")
    limit = None
    if service.memory_limit is not None:
        written = service.memory_limit
        limit = MemoryLimit(written.bytes, written.written, written.key, _place(written.origin))
    settings: dict[str, GoSetting] = {}
    for name in RUNTIME_VARIABLES:
        value = service.runtime_value(name)
        if value is not None:
            settings[name] = GoSetting(
                name, value.value, _how(value), _place(value.origin), container
            )
    image = None if "GOMEMLIMIT" in settings else _image_gomemlimit(service.dockerfile)
    return ContainerSettings(container, limit, settings, () if image is None else (image,))


def _image_gomemlimit(dockerfile: str | None) -> str | None:
    """Where the image a service builds sets GOMEMLIMIT for the running container
    (``the image's ENV at Dockerfile:7``), or None. The service's ``environment`` wins over an
    image's ``ENV``, but when it does not set GOMEMLIMIT the image's value applies, so a
    service's ``GOGC=off`` is bounded by it (DFM008 stays silent)."""
    if dockerfile is None:
        return None
    from dfmemlint.dockerfile import model, reader, settings

    try:
        data = _read(dockerfile)
    except OSError:
        return None
    df = reader.read(data)
    for setting in settings.collect(model.build(df)):
        if setting.name == "GOMEMLIMIT" and setting.runtime and setting.value not in ("", "off"):
            line = df.line_col(setting.start)[0]
            return f"the image's {setting.kind.upper()} at {_shown(dockerfile)}:{line}"
    return None


def _shown(path: str) -> str:
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _in_this_file(
    problem: ValueProblem, service: Service, path: str
) -> ValueProblem | None:
    """The problem placed in ``path``: as it is, or at the Compose scalar that brings in a value
    written in another file (then without its fix)."""
    if _same(problem.place.path, path):
        return problem
    for value in service.environment.values():
        origin = value.origin
        brought = value.brought_by
        if (origin.path, origin.start, origin.end) != problem.place[:3] or brought is None:
            continue
        if not _same(brought.path, path):
            return None
        return problem._replace(place=_place(brought), fix=None)
    return None


def _as_template(problem: ValueProblem) -> ValueProblem:
    """A value fix as the Compose file must write it: every ``$`` of the new text escaped, so
    that Compose's interpolation gives the container the text the fix means."""
    fix = problem.fix
    if fix is None or not any(b"$" in edit.replacement for edit in fix.edits):
        return problem
    edits = tuple(
        edit._replace(replacement=literal(edit.replacement.decode()).encode())
        for edit in fix.edits
    )
    return problem._replace(fix=fix._replace(edits=edits))


def _overrides(service: Service, path: str) -> ValueProblem | None:
    """DFM016 for a service whose command line sets GOMEMLIMIT over the one its environment
    sets (its value deferring to the environment's is not kept: ``Service.command_env``), at the
    command line's value, when that is written in ``path``."""
    from dfmemlint.rules.gomemlimit_overrides_deployment import CODE, command_line_message
    from dfmemlint.types import Severity

    ours = service.command_env.get("GOMEMLIMIT")
    theirs = service.environment.get("GOMEMLIMIT")
    if ours is None or theirs is None or not _same(ours.origin.path, path):
        return None
    shown = "a value the files do not show" if theirs.value is None else theirs.value
    field = ours.via.split(" ", 1)[0]
    value = ours.value if ours.value is not None else "(a value only the shell knows)"
    return ValueProblem(
        CODE,
        _place(ours.origin),
        command_line_message(
            value, field, f"service {service.name}",
            f"{_how(theirs)} GOMEMLIMIT={shown}, {theirs.origin.path}:{theirs.origin.line}",
        )
        + f" Remove it from the {field} (the environment's value then applies), or in a shell "
        f"command write GOMEMLIMIT=$${{GOMEMLIMIT:-{value}}} ($$ keeps Compose from "
        "interpolating it).",
        Severity.WARNING,
    )


def _same(a: str, b: str) -> bool:
    return os.path.normpath(a) == os.path.normpath(b)


def lint_compose(path: str, data: bytes, options: LintOptions) -> ComposeResult:
    """Lint ``data`` as the Compose file ``path`` (with its project, when it has one)."""
    lines = Lines(data)
    files = project_of(path) if os.path.isfile(path) else [path]
    try:
        project = load_project(files, {path: data, **{f: _read(f) for f in files if f != path}})
    except (ComposeError, OSError) as exc:
        at = getattr(exc, "at", None) if _same(getattr(exc, "path", None) or "", path) else None
        return _unreadable(path, data, lines, str(exc), options, at)
    suppressions = read_suppressions(data, lines, path)
    findings: list[Finding] = []
    all_settings: list[ContainerSettings] = []
    seen: set[tuple[str, int, int]] = set()
    for service in project.services.values():
        settings = service_settings(service, os.path.basename(project.directory))
        all_settings.append(settings)
        for problem in values.check(settings, options.ratio):
            placed = _in_this_file(problem, service, path)
            if placed is None:
                continue
            placed = _as_template(placed)
            if placed.code == "DFM008" and placed.fix is None:
                from dfmemlint.compose.fixes import add_gomemlimit

                fix = add_gomemlimit(settings, service, project, path, data, options.ratio)
                placed = placed._replace(fix=fix)
            key = (placed.code, placed.place.start, placed.place.end)
            if key in seen:
                continue
            seen.add(key)
            finding = suppressions.stamp(path, lines, placed, options)
            if finding is not None:
                findings.append(finding)
        overrides = _overrides(service, path)
        if overrides is not None:
            finding = suppressions.stamp(path, lines, overrides, options)
            if finding is not None:
                findings.append(finding)
    for problem in suppressions.problems:
        finding = suppressions.stamp(path, lines, problem, options)
        if finding is not None:
            findings.append(finding)
    findings.extend(suppressions.unused(path, data, lines, options))
    findings.sort(key=lambda f: (f.line, f.column, f.code))
    notes = [note for note in project.notes if note.startswith(path) or ":" not in note]
    return ComposeResult(path, data, findings, notes, lines, project, None, all_settings)


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def _unreadable(
    path: str, data: bytes, lines: Lines, message: str, options: LintOptions,
    at: int | None = None,
) -> ComposeResult:
    """The DFM015 finding for a file Compose cannot read: at ``at`` (a byte offset into this
    file) when the error says where, else at the start of the line the message names."""
    findings: list[Finding] = []
    if is_wanted(SYNTAX_CODE, options, set()):
        line = 1
        prefix = f"{path}:"
        if message.startswith(prefix) and message[len(prefix):].split(":", 1)[0].isdigit():
            line = int(message[len(prefix):].split(":", 1)[0])
        line = min(line, len(lines.line_starts))
        if at is None:
            at = lines.line_starts[line - 1]
        text = f"Not a Compose file dfmemlint can read: {message}."
        findings.append(syntax_finding(path, lines, at, text, options))
    return ComposeResult(path, data, findings, [], lines, None, message)
