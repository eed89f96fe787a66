"""Where the lint command's output goes: the report in its format (or ``--statistics``), or the
diff, to standard output or ``-o FILE``, in colour only where that is wanted, and the summary
lines of a fixing run on standard error."""

from __future__ import annotations

import errno
import os
import sys
from typing import TYPE_CHECKING, BinaryIO

import click

from dfmemlint.config import invalid_value

if TYPE_CHECKING:
    from dfmemlint.commands.check import Flags
    from dfmemlint.files import Source
    from dfmemlint.reporters import Report


def _render(output_format: str, report: Report, color: bool) -> str:
    if output_format == "json":
        from dfmemlint.reporters import json as reporter
    elif output_format == "github":
        from dfmemlint.reporters import github as reporter  # type: ignore[no-redef]
    elif output_format == "sarif":
        from dfmemlint.reporters import sarif as reporter  # type: ignore[no-redef]
    else:
        from dfmemlint.reporters import text as reporter  # type: ignore[no-redef]
    return reporter.render(report, color=color)


def use_color(choice: str, output: str | None) -> bool:
    """``--color``: ``always``/``never`` as said; ``auto`` colours a terminal, not a file or a
    pipe, unless ``NO_COLOR`` is set (no-color.org); ``FORCE_COLOR`` colours a pipe too
    (force-color.org). ``NO_COLOR`` wins over ``FORCE_COLOR``; both count only when not empty."""
    if choice != "auto":
        return choice == "always"
    if output is not None or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout is not None and sys.stdout.isatty()


def write_stdout(data: bytes) -> None:
    stream = sys.stdout
    if stream is None:  # pragma: no cover - refused before anything is fixed
        raise OSError(errno.EBADF, "standard output is closed")
    stream.flush()
    stream.buffer.write(data)
    stream.buffer.flush()


class OutputError(Exception):
    """The report cannot be written; found before any file is fixed."""


def open_output(output: str | None, sources: list[Source]) -> BinaryIO | None:
    """The file the report (or the diff) goes to, opened before any file is fixed, so that one
    that cannot be written stops the run while nothing has changed; None for standard output."""
    if output is None:
        return None
    try:
        info = os.stat(output)
    except OSError:
        pass
    else:
        for source in sources:
            if source.state is not None and source.state[:2] == (info.st_dev, info.st_ino):
                raise OutputError(
                    f"{invalid_value('--output-file')}: {output!r} is one of the files being "
                    "linted; nothing was changed"
                )
    try:
        # Unbuffered: a write that fails (a full disk) fails in write_all, not again at close.
        return open(output, "wb", buffering=0)
    except OSError as exc:
        raise OutputError(
            f"cannot write the report to {output} ({exc.strerror or exc}); nothing was changed"
        ) from None


def write_all(handle: BinaryIO, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = handle.write(view)
        view = view[written or 0 :]


def give_up_stdout() -> None:
    """After a failed write, point standard output at the null device, so that the
    interpreter's own flush at exit does not fail a second time."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # not a real file (tests capture it)
        pass


def emit_report(
    flags: Flags,
    report: Report,
    applying: bool,
    fixed_count: int,
    color: bool,
    sources: list[Source],
    output: BinaryIO | None,
) -> None:
    if flags.statistics and flags.output_format == "json":
        from dfmemlint.reporters import json as json_reporter

        rendered = json_reporter.render_statistics(report)
    elif flags.output_format == "text":
        from dfmemlint.reporters import text

        if flags.statistics:
            rendered = text.render_statistics(
                report, color=color, quiet=flags.quiet, verbose=flags.verbose
            )
        else:
            rendered = text.render(report, color=color, quiet=flags.quiet, verbose=flags.verbose)
    else:
        rendered = _render(flags.output_format, report, color)
    stdout_taken = applying and any(s.real_path is None for s in sources)
    # click.echo drops ANSI escape sequences on a pipe unless told to keep them: the machine
    # formats carry a file's text exactly (GitHub's workflow commands escape only %, CR and LF).
    color = color if flags.output_format == "text" else True
    if output is not None:
        ending = "" if rendered.endswith("\n") or not rendered else "\n"
        write_all(output, (rendered + ending).encode("utf-8", "replace"))
    elif stdout_taken:
        click.echo(rendered, err=True, nl=not rendered.endswith("\n"), color=color)
    elif rendered:
        click.echo(rendered, nl=not rendered.endswith("\n"), color=color)
    if applying and not flags.quiet:
        remaining = len(report.findings)
        click.echo(
            f"Fixed {fixed_count} finding{'s' if fixed_count != 1 else ''} "
            f"({remaining} remaining){_unread(report)}.",
            err=True,
        )


def _unread(report: Report) -> str:
    """How many paths could not be read, and whose fixes were reverted or not written, for a
    fixing run's last line (``; 1 path could not be read``), as the report's summary says it."""
    if not report.errors:
        return ""
    from dfmemlint.reporters.text import problems_said

    return f"; {problems_said(report.errors)}"


def emit_diff(
    flags: Flags,
    diff: bytes,
    fixed_count: int,
    report: Report,
    color: bool,
    output: BinaryIO | None,
) -> None:
    """The diff to stdout or ``-o FILE`` (coloured, controls made visible, on a terminal), then
    what it fixes and what would remain."""
    if output is not None:
        write_all(output, diff)
    elif diff:
        if color:
            from dfmemlint.reporters.text import color_diff

            click.echo(color_diff(diff.decode("utf-8", "replace")), nl=False, color=True)
        else:
            write_stdout(diff)
    if flags.quiet:
        return
    from dfmemlint.reporters.text import fixable_counts

    remaining = len(report.findings)
    message = f"Would fix {fixed_count} finding{'s' if fixed_count != 1 else ''}"
    if remaining:
        unsafe = fixable_counts(report.findings)[1] if not flags.unsafe_fixes else 0
        more = f"; {unsafe} fixable with --unsafe-fixes" if unsafe else ""
        message += f"; {remaining} would remain (run without --diff to list them{more})"
    click.echo(message + _unread(report) + ".", err=True)
