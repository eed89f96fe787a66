"""Finding and reading the Dockerfiles named on the command line."""

from __future__ import annotations

import errno
import fnmatch
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, NamedTuple

# What a directory search passes over unless configured otherwise (`exclude`): version control,
# virtual environments, caches and vendored dependencies, whose Dockerfiles are someone else's.
DEFAULT_EXCLUDE = (
    ".bzr",
    ".direnv",
    ".git",
    ".hg",
    ".mypy_cache",
    ".nox",
    ".pytest_cache",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    "__pycache__",
    "node_modules",
    "site-packages",
    "vendor",
    "venv",
)
NOT_A_DOCKERFILE = "not named like a Dockerfile"
# Files next to Dockerfiles that share their name but are not Dockerfiles.
NOT_DOCKERFILE_SUFFIXES = (
    ".dockerignore",
    ".md",
    ".markdown",
    ".rst",
    ".txt",
    ".orig",
    ".rej",
    ".swp",
    ".bak",
    ".html",
)


# Far above any real Dockerfile (BuildKit's own limits are per line), and a guard against
# reading a device such as /dev/zero without end.
MAX_FILE_BYTES = 256 << 20


class Source(NamedTuple):
    path: str  # as shown to the user ("-" or --stdin-filename for standard input)
    data: bytes
    real_path: str | None  # the file to write a fix to (None for standard input)


class InputError(Exception):
    """A path that cannot be read: one line for the user, exit code 2."""


class Skipped(NamedTuple):
    """A file or directory a directory search passed over, and why."""

    path: str
    reason: str


# (path, is a directory) -> why it is excluded, or None.
Exclusion = Callable[[str, bool], "str | None"]


def excluded_by(path: str, patterns: Iterable[str], base: str) -> str | None:
    """The first pattern that excludes ``path``, as ``excluded by 'PATTERN'``; else None.

    A pattern without ``/`` is matched (fnmatch) against the last component of the path
    (``node_modules``, ``*.generated``); one with ``/`` against the path relative to ``base``
    (``tests/fixtures``, ``deploy/*/Dockerfile``), or against the absolute path if it is one.
    """
    name = os.path.basename(path)
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, base) if base else path
    for pattern in patterns:
        bare = pattern.rstrip("/")
        if "/" not in bare:
            hit = fnmatch.fnmatchcase(name, bare)
        elif os.path.isabs(bare):
            hit = fnmatch.fnmatchcase(absolute, bare)
        else:
            hit = fnmatch.fnmatchcase(relative, bare.removeprefix("./"))
        if hit:
            return f"excluded by {pattern!r}"
    return None


def default_exclusion(path: str, is_dir: bool) -> str | None:
    return excluded_by(path, DEFAULT_EXCLUDE, "")


def is_dockerfile_name(name: str) -> bool:
    lower = name.lower()
    if lower.endswith(NOT_DOCKERFILE_SUFFIXES):
        return False
    if lower in ("dockerfile", "containerfile"):
        return True
    if lower.startswith(("dockerfile.", "dockerfile-", "containerfile.", "containerfile-")):
        return True
    return lower.endswith((".dockerfile", ".containerfile"))


def _walk(
    directory: str,
    warn: Callable[[str], None],
    excluded: Exclusion,
    skipped: list[Skipped],
) -> Iterator[str]:
    for root, dirs, files in os.walk(directory):
        kept = []
        for name in sorted(dirs):
            path = os.path.normpath(os.path.join(root, name))
            reason = excluded(path, True)
            if reason is None:
                kept.append(name)
            else:
                skipped.append(Skipped(path + os.sep, reason))
        dirs[:] = kept
        for name in sorted(files):
            path = os.path.normpath(os.path.join(root, name))
            reason = excluded(path, False)
            if reason is None and not is_dockerfile_name(name):
                reason = NOT_A_DOCKERFILE
            if reason is not None:
                skipped.append(Skipped(path, reason))
                continue
            if os.path.exists(path):
                yield path
            else:  # a broken or looping link found while searching: say so, read the rest
                warn(f"{path}: skipped: {_broken_link_reason(path)}")


def _broken_link_reason(path: str) -> str:
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symbolic link loop"
    return "broken symbolic link (its target does not exist)"


def _ignore(message: str) -> None:
    pass


def expand_paths(
    paths: Iterable[str],
    warn: Callable[[str], None] = _ignore,
    excluded: Exclusion = default_exclusion,
    skipped: list[Skipped] | None = None,
) -> list[str]:
    """Files as given, directories searched for Dockerfiles; ``-`` stays ``-``. ``warn`` hears
    about links found while searching that lead nowhere. A search passes over what ``excluded``
    names and files not named like a Dockerfile, and lists them in ``skipped``; a file named on
    the command line is read even when a pattern would exclude it (as ruff does)."""
    result: list[str] = []
    seen: set[str] = set()
    passed_over: list[Skipped] = [] if skipped is None else skipped
    for path in paths:
        if path == "-":
            result.append(path)
        elif os.path.isdir(path):
            found = list(_walk(path, warn, excluded, passed_over))
            if not found:
                raise InputError(f"{path}: no Dockerfiles found in this directory")
            result.extend(p for p in found if p not in seen)
            seen.update(found)
        elif os.path.lexists(path) and not os.path.exists(path):
            raise InputError(f"{path}: {_broken_link_reason(path)}")
        elif not os.path.exists(path):
            raise InputError(f"{path}: no such file or directory")
        elif os.path.normpath(path) not in seen:
            # Shown as given but normalised (./x/Dockerfile -> x/Dockerfile), as GitHub expects.
            result.append(os.path.normpath(path))
            seen.add(result[-1])
    return result


# A binary file: a NUL byte (git's test, xdiff-interface.c buffer_is_binary, looks at the first
# 8000 bytes) together with bytes that are not UTF-8 in those bytes. A NUL alone is not enough:
# BuildKit reads a UTF-8 Dockerfile with a NUL in it (shared corpus, cases/nul-bytes).
BINARY_PROBE_BYTES = 8000


def _binary_reason(data: bytes) -> str | None:
    probe = data[:BINARY_PROBE_BYTES]
    nul = probe.find(b"\0")
    if nul < 0:
        return None
    import codecs

    try:  # final=False: a character cut at the end of the probe is not an error
        codecs.getincrementaldecoder("utf-8")().decode(probe, final=False)
    except UnicodeDecodeError as exc:
        return f"a NUL byte at offset {nul}, bytes that are not UTF-8 at offset {exc.start}"
    return None


def _read_capped(handle: BinaryIO, name: str) -> bytes:
    data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1 << 20)
        raise InputError(f"{name}: larger than {limit} MiB; not a Dockerfile dfmemlint reads")
    binary = _binary_reason(data)
    if binary is not None:
        raise InputError(f"{name}: a binary file ({binary}), not a Dockerfile")
    return data


def read_source(path: str, stdin_filename: str | None = None) -> Source:
    if path == "-":
        return Source(stdin_filename or "-", _read_capped(sys.stdin.buffer, "standard input"), None)
    try:
        with open(path, "rb") as handle:
            data = _read_capped(handle, path)
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(f"{path}: cannot read: {reason}") from None
    return Source(path, data, os.path.realpath(path))
