"""An env file named on the command line (``.env``, ``app.env``, ``.env.local``): linted through
the Compose projects that read it, never as a Dockerfile.

Compose reads ``KEY=value`` files in two ways: the project's ``.env`` beside its Compose file
feeds interpolation and bare ``KEY`` entries (compose-go ``cli/options.go``: the default env file
is ``filepath.Join(wd, ".env")``, ``WithDotEnv``), and a service's ``env_file`` entries are added
to its container's environment (``types/project.go`` ``WithServicesEnvironmentResolved``). What a
GOMEMLIMIT written there means depends on that project: the service's memory limit, and whether
its ``environment`` replaces the value. So the file is not judged alone: the projects of its
directory and of every directory above it (the files ``docker compose`` picks there:
:func:`dfmemlint.compose.names.project_files`), and those of the Compose files named on the same
command line under any name (``LintOptions.compose_files``: ``dfmemlint stack.yml app.env``),
are read with this file's bytes, and every finding
whose value is written in this file is reported here, at the value, with its fix (the value's
bytes are this file's, so ``--fix`` edits them: the Compose file that brings the value in
reports it without a fix). A file that no such project reads is judged, the same way, for the
kustomizations in its directory and above that read it through a ``configMapGenerator``'s
``envs`` (:func:`dfmemlint.kubernetes.generators.env_file_problems`); one that neither reads
gets one note saying so, and no finding; one that Compose cannot read (``dotenv/parser.go``)
is a DFM015 finding at its line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

from dfmemlint.compose import dotenv
from dfmemlint.compose.lint import ComposeResult, service_settings
from dfmemlint.compose.model import ComposeError, Note, Project
from dfmemlint.compose.names import project_files, project_of
from dfmemlint.compose.project import load_project
from dfmemlint.containers import ContainerSettings
from dfmemlint.engine import LintOptions
from dfmemlint.positions import Lines
from dfmemlint.rules import values
from dfmemlint.types import Finding
from dfmemlint.yaml_findings import (
    SYNTAX_CODE,
    is_wanted,
    read_suppressions,
    syntax_finding,
)

_LINE = re.compile(r"line (\d+):")
_UNTERMINATED = "unterminated quoted value "


def not_read_note(path: str) -> str:
    """The note for an env file that no Compose project above it reads."""
    return (
        f"{path}: an env file (KEY=value lines), not a Dockerfile; no Compose project in its "
        "directory or above, nor any Compose file named with it, reads it (as its .env or a "
        "service's env_file), so nothing in it was checked: name the Compose file that reads "
        "it too"
    )


def lint_env_file(path: str, data: bytes, options: LintOptions) -> ComposeResult:
    """Lint ``data`` as the env file ``path``: the findings of every Compose project above it
    that reads it, placed in this file (see the module docstring)."""
    lines = Lines(data)
    try:
        dotenv.parse(data.decode("utf-8", "surrogateescape"))
    except dotenv.DotenvError as exc:
        return _unreadable(path, data, lines, str(exc), options)
    target = os.path.realpath(path) if path != "-" else None
    suppressions = read_suppressions(data, lines, path)
    findings: list[Finding] = []
    all_settings: list[ContainerSettings] = []
    seen: set[tuple[str, int, int]] = set()
    readers: list[Project] = []
    failed: list[str] = []
    kustomized = False
    for project in _projects_reading(target, data, failed, options.compose_files):
        readers.append(project)
        for service in project.services.values():
            settings = service_settings(service, os.path.basename(project.directory))
            all_settings.append(settings)
            for problem in values.check(settings, options.ratio):
                if os.path.realpath(problem.place.path) != target:
                    continue
                key = (problem.code, problem.place.start, problem.place.end)
                if key in seen:
                    continue
                seen.add(key)
                finding = suppressions.stamp(path, lines, problem, options)
                if finding is not None:
                    findings.append(finding)
    if target is not None and not readers:
        # Not Compose's: a kustomize configMapGenerator may read it (``envs``).
        from dfmemlint.kubernetes.generators import env_file_problems

        kustomized, problems = env_file_problems(path, data, options.ratio)
        for problem, _container in problems:
            key = (problem.code, problem.place.start, problem.place.end)
            if key not in seen:
                seen.add(key)
                finding = suppressions.stamp(path, lines, problem, options)
                if finding is not None:
                    findings.append(finding)
    for problem in suppressions.problems:
        finding = suppressions.stamp(path, lines, problem, options)
        if finding is not None:
            findings.append(finding)
    findings.sort(key=lambda f: (f.line, f.column, f.code))
    notes: list[str] = [Note(message, f"whether it reads {path} is unknown") for message in failed]
    if not readers and not kustomized:
        notes.append(not_read_note(path))
    first = readers[0] if readers else None
    return ComposeResult(path, data, findings, notes, lines, first, None, all_settings)


def _projects_reading(
    target: str | None, data: bytes, failed: list[str], named: tuple[str, ...]
) -> Iterator[Project]:
    """The Compose projects of the directories from ``target``'s up to the root, then those of
    the Compose files ``named`` on the command line, that read the file ``target`` (as their
    ``.env`` or an ``env_file``), each read once with ``data`` as its bytes. Why a project could
    not be read is added to ``failed``."""
    if target is None:
        return
    candidates: list[list[str]] = []
    directory = os.path.dirname(target)
    while True:
        files = project_files(directory)
        if files:
            candidates.append(files)
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    candidates.extend(project_of(path) for path in named)
    seen: set[tuple[str, ...]] = set()
    for files in candidates:
        key = tuple(os.path.realpath(f) for f in files)
        if key in seen:
            continue
        seen.add(key)
        try:
            project = load_project([_shown(f) for f in files], {target: data})
        except (ComposeError, OSError) as exc:
            failed.append(str(exc))
            continue
        if _reads(project, target):
            yield project


def _shown(path: str) -> str:
    """A path as short as it can be said: relative to the working directory when below it."""
    relative = os.path.relpath(path)
    return path if relative.startswith("..") else relative


def _reads(project: Project, target: str) -> bool:
    """Whether ``project`` read the file ``target`` besides its Compose files."""
    composes = {os.path.realpath(f) for f in project.files}
    return any(
        os.path.realpath(p) == target and os.path.realpath(p) not in composes
        for p in project.sources
    )


def _unreadable(
    path: str, data: bytes, lines: Lines, message: str, options: LintOptions
) -> ComposeResult:
    findings: list[Finding] = []
    if is_wanted(SYNTAX_CODE, options, set()):
        match = _LINE.match(message)
        line = min(int(match.group(1)), len(lines.line_starts)) if match else 1
        at = lines.line_starts[max(line, 1) - 1]
        # Compose counts an unterminated quote's line at the end of the file: point at the quote.
        _, unterminated, shown = message.partition(_UNTERMINATED)
        if unterminated and shown:
            found = data.find(shown.encode("utf-8", "surrogateescape"))
            at = at if found < 0 else found
        text = f"Not an env file Compose can read: {message}."
        findings.append(syntax_finding(path, lines, at, text, options))
    return ComposeResult(path, data, findings, [], lines, None, message)
