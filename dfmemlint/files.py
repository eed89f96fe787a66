"""Finding and reading the Dockerfiles named on the command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import NamedTuple

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


def _walk(directory: str) -> Iterator[str]:
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(files):
            if is_dockerfile_name(name):
                yield os.path.normpath(os.path.join(root, name))


def expand_paths(paths: Iterable[str]) -> list[str]:
    """Files as given, directories searched for Dockerfiles; ``-`` stays ``-``."""
    result: list[str] = []
    for path in paths:
        if path == "-":
            result.append(path)
        elif os.path.isdir(path):
            found = list(_walk(path))
            if not found:
                raise InputError(f"{path}: no Dockerfiles found in this directory")
            result.extend(p for p in found if p not in result)
        elif os.path.lexists(path) and not os.path.exists(path):
            raise InputError(f"{path}: broken symbolic link")
        elif not os.path.exists(path):
            raise InputError(f"{path}: no such file or directory")
        elif path not in result:
            result.append(path)
    return result


def read_source(path: str, stdin_filename: str | None = None) -> Source:
    if path == "-":
        return Source(stdin_filename or "-", sys.stdin.buffer.read(), None)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(f"{path}: cannot read: {reason}") from None
    return Source(path, data, os.path.realpath(path))
