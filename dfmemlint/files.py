"""Finding and reading the Dockerfiles named on the command line."""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, NamedTuple

SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", "vendor", ".tox", ".venv", "venv"})
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


def is_dockerfile_name(name: str) -> bool:
    lower = name.lower()
    if lower.endswith(NOT_DOCKERFILE_SUFFIXES):
        return False
    if lower in ("dockerfile", "containerfile"):
        return True
    if lower.startswith(("dockerfile.", "dockerfile-", "containerfile.", "containerfile-")):
        return True
    return lower.endswith(".dockerfile")


def _walk(directory: str, warn: Callable[[str], None]) -> Iterator[str]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            if not is_dockerfile_name(name):
                continue
            path = os.path.normpath(os.path.join(root, name))
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


def expand_paths(paths: Iterable[str], warn: Callable[[str], None] = _ignore) -> list[str]:
    """Files as given, directories searched for Dockerfiles; ``-`` stays ``-``. ``warn`` hears
    about links found while searching that lead nowhere."""
    result: list[str] = []
    seen: set[str] = set()
    for path in paths:
        if path == "-":
            result.append(path)
        elif os.path.isdir(path):
            found = list(_walk(path, warn))
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


def _read_capped(handle: BinaryIO, name: str) -> bytes:
    data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1 << 20)
        raise InputError(f"{name}: larger than {limit} MiB; not a Dockerfile dfmemlint reads")
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
