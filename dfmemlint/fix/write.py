"""Write a fixed file: all or nothing, and never over an edit made since the file was read.

The new bytes go to a temporary file in the same directory, which then replaces the file with one
``rename`` (``os.replace``): a reader sees the old file or the new one, never a part. Just before,
the file is checked to be what was read (inode, size, modification time and bytes); if another
program changed it meanwhile, nothing is written and the run says so. The replacement is a new
file: other hard links to the old one keep the old content (the caller is told, to warn).
"""

from __future__ import annotations

import contextlib
import os

from dfmemlint.files import FileState, quote_path


class WriteError(OSError):
    """A fixed file could not be written; the file is as it was."""


class ChangedError(WriteError):
    """The file changed on disk after it was read; the fix was not written."""


def _unchanged(target: str, state: FileState, original: bytes) -> bool:
    try:
        info = os.stat(target)
        if FileState.of(info)[:4] != state[:4]:
            return False
        # Same size and time stamp: a same-size edit within one time stamp tick is still seen.
        with open(target, "rb") as handle:
            return handle.read(len(original) + 1) == original
    except OSError:
        return False


def write_atomic(
    path: str, data: bytes, *, state: FileState | None = None, original: bytes | None = None
) -> int:
    """Replace the file at ``path`` (a symbolic link's target; the link stays) with ``data``.

    Keeps the mode and, where allowed, the owner. With ``state`` and ``original`` (what was read),
    refuses with :class:`ChangedError` when the file is no longer that. Refuses a file without
    write permission, also for root, who could rename over it. Raises :class:`WriteError` (the
    file untouched) or another OSError from writing the temporary file, which is then removed.
    Returns how many other hard links the old file had (they keep the old content).
    """
    shown = quote_path(path)
    target = os.path.realpath(path)
    directory = os.path.dirname(target) or "."
    info = os.stat(target)
    mode = info.st_mode & 0o7777
    if not os.access(target, os.W_OK) or not mode & 0o222:
        raise WriteError(f"{shown}: the file is read-only; nothing was changed")
    changed = ChangedError(
        f"{shown}: changed on disk while dfmemlint was fixing it; the fix was not written "
        "(run again)"
    )
    if state is not None and original is not None and not _unchanged(target, state, original):
        raise changed
    try:
        import tempfile  # only a fix that writes needs it

        fd, tmp = tempfile.mkstemp(prefix=".dfmemlint-", dir=directory)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise WriteError(
            f"{shown}: cannot create a file in {quote_path(directory)} ({reason}); "
            "nothing was changed"
        ) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if hasattr(os, "chown") and (info.st_uid, info.st_gid) != _owner(tmp):
            with contextlib.suppress(OSError):
                os.chown(tmp, info.st_uid, info.st_gid)
        # Checked again as late as possible: the temporary file took time to write.
        if state is not None and original is not None and not _unchanged(target, state, original):
            raise changed
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return info.st_nlink - 1


def _owner(path: str) -> tuple[int, int]:
    info = os.stat(path)
    return info.st_uid, info.st_gid
