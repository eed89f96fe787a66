"""GOMEMLIMIT set when the container starts, not in the Dockerfile: an entrypoint script that
computes it (from the cgroup limit, say) and execs the program, or a Go program that sets its
own limit.

* An entrypoint script: a word of the final image's start command (ENTRYPOINT then CMD) names a
  file that the final image's stages write, from a heredoc (``COPY <<'EOT' /entrypoint.sh``) or
  copied from the build context (``COPY docker/entrypoint.sh /usr/local/bin/``), and the script
  assigns GOMEMLIMIT (``export GOMEMLIMIT=$((limit * 85 / 100))``, ``GOMEMLIMIT=… exec "$@"``).
* A Go program that sets its own limit: a ``go.mod`` of the build context requires
  ``github.com/KimMachineGun/automemlimit`` (directly, not ``// indirect``), or a ``.go`` file
  calls ``debug.SetMemoryLimit`` or imports automemlimit. automemlimit
  (KimMachineGun/automemlimit, ``memlimit/memlimit.go``, ``SetGoMemLimitWithOpts``: "GOMEMLIMIT
  is set already, skipping" when ``os.LookupEnv`` finds it) does nothing when GOMEMLIMIT is
  set, so a static value written over it switches the dynamic limit off; Go's
  ``runtime/debug.SetMemoryLimit`` overrides the environment's value at the call.

The build context is the Dockerfile's folder unless ``--context DIR`` says otherwise; without one
(standard input) only the Dockerfile itself is read. Reading the context never executes anything,
follows no symbolic link, stays inside the folder, skips ``vendor``, ``testdata``,
``node_modules`` and hidden folders, and is bounded: at most :data:`MAX_ENTRIES` directory
entries, files of at most :data:`MAX_FILE_BYTES`, :data:`MAX_TOTAL_BYTES` read in all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence

from dfmemlint.dockerfile import shell
from dfmemlint.dockerfile.instruction import Heredoc
from dfmemlint.dockerfile.model import StageGraph
from dfmemlint.dockerfile.reader import Instruction
from dfmemlint.records import Record

MAX_ENTRIES = 20_000
MAX_FILE_BYTES = 1 << 20  # 1 MiB
MAX_TOTAL_BYTES = 32 << 20  # 32 MiB
_SKIPPED_DIRECTORIES = frozenset({"vendor", "testdata", "node_modules"})
_AUTOMEMLIMIT = "github.com/KimMachineGun/automemlimit"
_REQUIRE = r"(?m)^\s*(?:require\s+)?" + re.escape(_AUTOMEMLIMIT) + r"(?:/\S*)?\s+v\S+(?P<rest>.*)$"
_SETS_LIMIT = r"\bdebug\.SetMemoryLimit\s*\(|\"" + re.escape(_AUTOMEMLIMIT)
_ASSIGNS = r"(?m)^[^#\n]*\bGOMEMLIMIT="


class StartupLimit(Record):
    """Where GOMEMLIMIT is set at start-up: ``how`` says by what, ``line`` is the Dockerfile line
    of the instruction that writes the script (0 for the Go program's source)."""

    how: str
    line: int


def find(
    graph: StageGraph, start_argv: Sequence[str] | None, context_dir: str | None, *, go: bool
) -> StartupLimit | None:
    """How the final image's GOMEMLIMIT is set at start-up, or ``None``. ``go``: the image runs a
    Go program built here, whose source the build context holds."""
    if start_argv:
        found = _entrypoint_script(graph, start_argv, context_dir)
        if found is not None:
            return found
    if go and context_dir is not None:
        return _go_program(context_dir)
    return None


def sets_gomemlimit(script: str) -> bool:
    """A shell script assigns GOMEMLIMIT (and so sets it for the program it execs)."""
    if any(found.name == "GOMEMLIMIT" for found in shell.assignments(script)):
        return True
    return re.search(_ASSIGNS, script) is not None


def _entrypoint_script(
    graph: StageGraph, argv: Sequence[str], context_dir: str | None
) -> StartupLimit | None:
    if graph.final is None:
        return None
    paths = {word for word in argv if "/" in word or word.endswith(".sh")}
    if not paths:
        return None
    for stage in graph.lineage(graph.final):
        for ins in reversed(stage.instructions):
            if ins.cmd not in ("COPY", "ADD") or ins.flag("from") is not None:
                continue
            for path in paths:
                content = _written(ins, path, context_dir)
                if content is not None and sets_gomemlimit(content):
                    return StartupLimit(
                        f"the entrypoint script {path} (written on line {ins.start_line})",
                        ins.start_line,
                    )
    return None


def _written(ins: Instruction, path: str, context_dir: str | None) -> str | None:
    """The text ``ins`` writes to ``path``, when it can be known (a heredoc, or a build-context
    file read within the bounds)."""
    found = _writes(ins, path, context_dir)
    if found is None:
        return None
    if isinstance(found, Heredoc):
        return found.content
    return found[1].decode("utf-8", "replace")


def _writes(
    ins: Instruction, path: str, context_dir: str | None
) -> Heredoc | tuple[str, bytes] | None:
    """What ``ins`` writes to ``path``, when it can be known: the heredoc, or the build-context
    file (its path relative to the context, and its bytes, read within the bounds)."""
    values = [token.value for token in ins.values]
    if len(values) < 2:
        return None
    destination = values[-1]
    sources = values[:-1]
    name = path.rstrip("/").rsplit("/", 1)[-1]
    for doc in ins.heredocs:
        if destination == path or (destination.endswith("/") and doc.name == name):
            return doc
    if context_dir is None or ins.heredocs:
        return None
    for source in sources:
        if source.startswith("--") or any(ch in source for ch in "*?[$"):
            continue
        base = source.rstrip("/").rsplit("/", 1)[-1]
        to_path = destination == path or (destination.endswith("/") and base == name)
        if not to_path and not (len(sources) == 1 and _same_dir_target(destination, path, base)):
            continue
        data = _read_bytes_inside(context_dir, source)
        if data is not None:
            return source, data
    return None


def _same_dir_target(destination: str, path: str, base: str) -> bool:
    """``COPY entrypoint.sh /usr/local/bin`` (a directory without the slash) writes
    ``/usr/local/bin/entrypoint.sh``."""
    return path == destination.rstrip("/") + "/" + base


def _read_inside(context_dir: str, relative: str) -> str | None:
    data = _read_bytes_inside(context_dir, relative)
    return None if data is None else data.decode("utf-8", "replace")


def _read_bytes_inside(context_dir: str, relative: str) -> bytes | None:
    root = os.path.realpath(context_dir)
    target = os.path.realpath(os.path.join(root, relative.lstrip("/")))
    if not target.startswith(root + os.sep) or not os.path.isfile(target):
        return None
    try:
        if os.path.getsize(target) > MAX_FILE_BYTES:
            return None
        with open(target, "rb") as handle:
            return handle.read(MAX_FILE_BYTES)
    except OSError:
        return None


class ScriptSetting(Record):
    """A GOMEMLIMIT that an entrypoint script of the final image assigns a literal value (one
    with no ``$``: what the program gets, unless the script is not run as written).

    For a script written from a heredoc, ``start``/``end`` are byte offsets of the value in the
    Dockerfile and ``file`` is None; for one copied from the build context, they are byte offsets
    in ``file`` (its path relative to the context), whose bytes are ``data``."""

    value: str
    script: str  # the path the start command names (/usr/local/bin/docker-entrypoint.sh)
    instruction: Instruction  # the COPY or ADD that writes the script
    file: str | None
    data: bytes
    start: int
    end: int


def script_settings(
    graph: StageGraph, argv: Sequence[str] | None, context_dir: str | None
) -> list[ScriptSetting]:
    """The literal GOMEMLIMIT values the entrypoint script of the final image assigns (the
    script found as :func:`find` finds it: named by the start command, written by the final
    image's last COPY/ADD to that path), in the order they are written. A script whose first
    line is ``#!/bin/bash`` (or ``#!/usr/bin/env bash``) is read as bash reads it (its ``time``
    keyword: :func:`shell.time_reading`)."""
    if graph.final is None or not argv:
        return []
    paths = [word for word in argv if "/" in word or word.endswith(".sh")]
    for stage in graph.lineage(graph.final):
        for ins in reversed(stage.instructions):
            if ins.cmd not in ("COPY", "ADD") or ins.flag("from") is not None:
                continue
            for path in dict.fromkeys(paths):
                found = _writes(ins, path, context_dir)
                if found is None:
                    continue
                if isinstance(found, Heredoc):
                    text, file, data, origin = found.content, None, b"", found.body_start
                else:
                    file, data = found
                    text, origin = data.decode("utf-8", "surrogateescape"), 0
                    if b"GOMEMLIMIT" not in data:
                        continue
                return list(_literal_values(text, path, ins, file, data, origin))
    return []


_scanned: dict[str, StartupLimit | None] = {}


def _go_program(context_dir: str) -> StartupLimit | None:
    root = os.path.realpath(context_dir)
    if root not in _scanned:
        _scanned[root] = _scan(root)
    return _scanned[root]


def _files(root: str) -> Iterator[str]:
    """``go.mod`` and ``.go`` files below ``root`` (not tests), within the entry bound."""
    entries = 0
    for directory, folders, names in os.walk(root, followlinks=False):
        folders[:] = sorted(
            f for f in folders if f not in _SKIPPED_DIRECTORIES and not f.startswith(".")
        )
        entries += len(folders) + len(names)
        if entries > MAX_ENTRIES:
            return
        for name in sorted(names):
            if name == "go.mod" or (name.endswith(".go") and not name.endswith("_test.go")):
                yield os.path.join(directory, name)


def _scan(root: str) -> StartupLimit | None:
    budget = MAX_TOTAL_BYTES
    for path in _files(root):
        try:
            if os.path.islink(path) or os.path.getsize(path) > MAX_FILE_BYTES:
                continue
            with open(path, "rb") as handle:
                text = handle.read(MAX_FILE_BYTES).decode("utf-8", "replace")
        except OSError:
            continue
        budget -= len(text)
        if budget < 0:
            return None
        relative = os.path.relpath(path, root)
        if path.endswith("go.mod"):
            for match in re.finditer(_REQUIRE, text):
                if "// indirect" not in match.group("rest"):
                    return StartupLimit(f"the Go program ({relative} requires {_AUTOMEMLIMIT})", 0)
        elif re.search(_SETS_LIMIT, text):
            return StartupLimit(f"the Go program ({relative} sets its own memory limit)", 0)
    return None


def _literal_values(
    text: str, path: str, ins: Instruction, file: str | None, data: bytes, origin: int
) -> Iterator[ScriptSetting]:
    time = shell.time_reading(shell.interpreter(text))

    def offset(index: int) -> int:
        return origin + len(text[:index].encode("utf-8", "surrogateescape"))

    for found in shell.assignments(text, time=time):
        if found.name != "GOMEMLIMIT" or "$" in found.value:
            continue
        start = offset(found.value_start)
        end = max(start, offset(found.value_end))
        yield ScriptSetting(found.value, path, ins, file, data, start, end)
