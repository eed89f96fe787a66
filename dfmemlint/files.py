"""Finding and reading the files named on the command line (Dockerfiles, Kubernetes manifests,
Compose files)."""

from __future__ import annotations

import errno
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO

from dfmemlint.records import Record

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
NOT_A_DOCKERFILE = "not a Dockerfile, Kubernetes manifest or Compose file"
#: Why a search passes over a Helm chart template (dfmemlint.formats.walk_verdict), and why a
#: run skips one named to it.
TEMPLATE_REASON = (
    "a Helm chart template ('{{ }}' actions are not YAML until rendered); lint the output of "
    "`helm template` instead"
)
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


class FileState(Record):
    """What a file was when it was read: a fix is written only if it still is (no edit made
    meanwhile is lost). Nanosecond modification time, as ``os.stat`` gives it."""

    device: int
    inode: int
    size: int
    mtime_ns: int
    links: int

    @classmethod
    def of(cls, info: os.stat_result) -> FileState:
        return cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_nlink)


class Source(Record):
    path: str  # as shown to the user ("-" or --stdin-filename for standard input)
    data: bytes
    real_path: str | None  # the file to write a fix to (None for standard input)
    state: FileState | None = None  # the file as read (None for standard input)


class InputError(Exception):
    """A path that cannot be read: one line for the user, exit code 2.

    ``path`` is the path at fault as the user gave or the search found it (``-`` or
    ``--stdin-filename`` for standard input) and ``reason`` the message without it, for the
    reports that carry the path in a field of its own (json, github, sarif); ``str()`` is the
    line for the terminal."""

    def __init__(self, message: str, path: str | None = None, reason: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.reason = message if reason is None else reason

    @classmethod
    def at(cls, path: str, reason: str) -> InputError:
        """``PATH: reason``, with both kept."""
        return cls(f"{path}: {reason}", path, reason)


def _raise(exc: InputError) -> None:
    raise exc


_C_ESCAPES = {"\\": "\\\\", '"': '\\"', "\a": "\\a", "\b": "\\b", "\t": "\\t",
              "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r"}


def _needs_quoting(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code < 0xA0 or 0xDC80 <= code <= 0xDCFF or char in "\u2028\u2029"


def _octal(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of the name (os.fsdecode)
        return f"\\{code - 0xDC00:03o}"
    return "".join(f"\\{byte:03o}" for byte in char.encode("utf-8"))


def quote_path(path: str) -> str:
    """``path`` as a diff header shows it: unchanged unless it holds a control character (a
    newline, an escape sequence) or an undecodable byte; then quoted the way git quotes names
    (``"x\\n::error"``, other bytes in octal, git's ``quote_c_style``), which ``git apply`` and
    ``patch`` read back. A newline printed raw would start a line of its own, which a CI log may
    take for a command."""
    if not any(_needs_quoting(char) for char in path):
        return path
    escaped = "".join(
        _C_ESCAPES.get(char) or (_octal(char) if _needs_quoting(char) else char) for char in path
    )
    return f'"{escaped}"'


class Skipped(Record):
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
    import fnmatch  # only a walk, or a file named under an exclude, matches patterns

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
    error: Callable[[InputError], None],
) -> Iterator[tuple[str, os.stat_result]]:
    def unlisted(exc: OSError) -> None:
        # A directory that cannot be listed (permission denied) hides what is in it: an input
        # error, not a silent skip (os.walk drops it unless told).
        name = os.path.normpath(exc.filename or directory)
        error(InputError.at(name, f"cannot read: {exc.strerror or exc}"))

    for root, dirs, files in os.walk(directory, onerror=unlisted):
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
                reason = _walk_verdict(path)
            if reason is not None:
                skipped.append(Skipped(path, reason))
                continue
            try:
                info = os.stat(path)
            except OSError as exc:  # a broken or looping link: say so, read the rest
                warn(f"{path}: skipped: {_stat_reason(path, exc)}")
                continue
            if not stat.S_ISREG(info.st_mode):
                # Reading a FIFO would wait for a writer forever; a device may never end.
                warn(f"{path}: skipped: {_kind(info.st_mode)}, not a regular file")
                continue
            yield path, info


def _walk_verdict(path: str) -> str | None:
    """None for a YAML file the search lints (a manifest, a kustomization or Compose file),
    else why it is passed over (dfmemlint.formats.walk_verdict: a Helm chart template, or none
    of these formats)."""
    if not path.lower().endswith((".yaml", ".yml")) and not path.endswith("Kustomization"):
        return NOT_A_DOCKERFILE
    from dfmemlint.formats import walk_verdict

    return walk_verdict(path)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"  # pragma: no cover - no other kind of file on Linux or macOS


def _stat_reason(path: str, exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT and os.path.lexists(path):
        return "broken symbolic link (its target does not exist)"
    if exc.errno == errno.ENOENT:
        return "no such file or directory"
    return f"cannot read: {exc.strerror or exc}"


def _force_excluded(path: str, excluded: Exclusion) -> str | None:
    """Why a file named as ``path`` is excluded: itself, or one of the directories in the path
    as written (never those above it, which are no part of the project)."""
    reason = excluded(path, False)
    parent = os.path.dirname(path)
    while reason is None and parent not in ("", os.sep, os.curdir, os.pardir):
        reason = excluded(parent, True)
        parent = os.path.dirname(parent)
    return reason


def _ignore(message: str) -> None:
    pass


def expand_paths(
    paths: Iterable[str],
    warn: Callable[[str], None] = _ignore,
    excluded: Exclusion = default_exclusion,
    skipped: list[Skipped] | None = None,
    error: Callable[[InputError], None] = _raise,
    force_exclude: bool = False,
) -> list[str]:
    """Files as given, directories searched for Dockerfiles, Kubernetes manifests and Compose
    files (:func:`dfmemlint.formats.wanted_in_walk`); ``-`` stays ``-``.

    ``warn`` hears about links found while searching that lead nowhere. A search passes over
    what ``excluded`` names and files of none of these formats (a YAML file is read to tell,
    never parsed), and lists them in ``skipped``; a file named on the command line is read even
    when a pattern would exclude it (as ruff does), unless ``force_exclude`` (ruff's
    ``--force-exclude``): then it is skipped when ``excluded`` names it or a directory it is
    named under (``tests/fixtures`` for ``tests/fixtures/a/Dockerfile``). Only regular files are
    read: a FIFO, socket or device found while searching is skipped with a warning; named on the
    command line, it is an error. ``error`` hears about each path that cannot be used (missing,
    not a regular file, a directory that cannot be listed or holds none of these files), as an
    :class:`InputError`,
    and the other paths are still returned; by default it raises the error. A file reached
    twice (given twice, through a symbolic or hard link, or found in two searched directories)
    is listed once, under the first name.
    """
    result: list[str] = []
    unlisted: list[InputError] = []  # directories the searches could not list
    seen: set[tuple[int, int]] = set()
    passed_over: list[Skipped] = [] if skipped is None else skipped

    def add(path: str, info: os.stat_result) -> None:
        identity = (info.st_dev, info.st_ino)
        if identity not in seen:
            seen.add(identity)
            result.append(path)

    for path in paths:
        if path == "-":
            result.append(path)
            continue
        try:
            info = os.stat(path)
        except OSError as exc:
            error(InputError.at(path, _stat_reason(path, exc)))
            continue
        if stat.S_ISDIR(info.st_mode):
            before, skipped_before = len(unlisted), len(passed_over)
            found = list(_walk(path, warn, excluded, passed_over, unlisted.append))
            for problem in unlisted[before:]:
                error(problem)
            # A chart's templates are found, and skipped for a reason the run states: a
            # directory that holds only those is not one where nothing was found.
            templates = any(
                entry.reason == TEMPLATE_REASON for entry in passed_over[skipped_before:]
            )
            if not found and len(unlisted) == before and not templates:
                error(InputError.at(
                    path,
                    "no Dockerfiles, Kubernetes manifests or Compose files found in this directory",
                ))
            for file_path, file_info in found:
                add(file_path, file_info)
        elif not stat.S_ISREG(info.st_mode):
            error(InputError.at(path, f"{_kind(info.st_mode)}, not a regular file; nothing read"))
        else:
            # Shown as given but normalised (./x/Dockerfile -> x/Dockerfile), as GitHub expects.
            named = os.path.normpath(path)
            reason = _force_excluded(named, excluded) if force_exclude else None
            if reason is not None:
                passed_over.append(Skipped(named, reason))
                continue
            add(named, info)
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
        raise InputError.at(name, f"larger than {limit} MiB; not a Dockerfile dfmemlint reads")
    binary = _binary_reason(data)
    if binary is not None:
        raise InputError.at(name, f"a binary file ({binary}), not a Dockerfile")
    return data


def read_source(path: str, stdin_filename: str | None = None) -> Source:
    """The bytes of ``path`` (``-``: standard input) and the state they were read in.

    Raises InputError when the file cannot be read, has gone, is no longer a regular file (it is
    opened without waiting for a writer and checked after opening), is too large or binary.
    """
    if path == "-":
        return _read_stdin(stdin_filename)
    try:
        # O_NONBLOCK: a FIFO put in the file's place since it was found must not block the run.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except IsADirectoryError:
        raise InputError.at(path, "is a directory") from None
    except OSError as exc:
        raise InputError.at(path, f"cannot read: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError.at(path, "is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise InputError.at(path, f"{_kind(info.st_mode)}, not a regular file; nothing read")
        try:
            data = _read_capped(handle, path)
        except OSError as exc:
            raise InputError.at(path, f"cannot read: {exc.strerror or exc}") from None
    return Source(path, data, os.path.realpath(path), FileState.of(info))


def _read_stdin(stdin_filename: str | None) -> Source:
    name = stdin_filename or "-"  # the path reports give standard input
    stream = sys.stdin
    if stream is None:  # started with standard input closed (`dfmemlint - <&-`)
        raise InputError(
            "standard input is closed; nothing to read for -", name, "standard input is closed"
        )
    try:
        data = _read_capped(stream.buffer, "standard input")
    except InputError as exc:
        exc.path = name
        raise
    except OSError as exc:
        reason = f"cannot read: {exc.strerror or exc}"
        raise InputError(f"standard input: {reason}", name, reason) from None
    return Source(name, data, None)
