"""``--fix``, ``--unsafe-fixes`` and ``--diff`` of the lint command: fix one file and write it
(atomically), or give its fixed text or its diff to print; say what was fixed.

``commands.check`` imports this module only for a run that fixes.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import click

from dfmemlint.commands.options import error, warn
from dfmemlint.files import Source, quote_path
from dfmemlint.fix.write import WriteError, write_atomic
from dfmemlint.formats import lint
from dfmemlint.records import Record
from dfmemlint.reporters import FIX_NOT_WRITTEN, FIX_REVERTED, InputProblem, printable

if TYPE_CHECKING:
    from collections.abc import Callable

    from dfmemlint.engine import LintOptions
    from dfmemlint.fix.fixer import FixOutcome
    from dfmemlint.formats import Result

# write_atomic is named here too: the one place a fixed file is written, where a test counts it.
__all__ = ["Applied", "fix_source", "note_runtime_override", "show_fixes", "unified_diff",
           "write_atomic"]


class Applied(Record):
    outcome: FixOutcome
    done: bool  # the fixes were written (or printed as a diff, or to stdout)
    failed: bool
    diff: bytes  # the diff (--diff) or the fixed file (standard input), for standard output
    # What happened to the fixes when ``failed``, for every report (reporters.InputProblem):
    # reverted (the fixed text did not read, or a fix did not remove its finding) or not
    # written (the file could not be written).
    problem: InputProblem | None = None


def note_runtime_override(path: str, outcome: FixOutcome) -> None:
    """--diff's summary names a fix that overrides the operator's runtime GOMEMLIMIT."""
    from dfmemlint.fix.rewrite import RUNTIME_VALUE_IGNORED

    for applied in outcome.applied:
        fix = applied.finding.fix
        if fix is not None and RUNTIME_VALUE_IGNORED in fix.title:
            warn(f"{path}:{applied.line}: with this fix, {RUNTIME_VALUE_IGNORED}")


def fix_source(
    source: Source,
    options: LintOptions,
    *,
    unsafe: bool,
    diff: bool,
    show_notes: Callable[[Result], None],
) -> Applied:
    """Fix one file and write it; with ``diff``, or for ``-``, only give what to print.
    ``show_notes`` prints the result's notes as a lint would (before any write error)."""
    from dfmemlint.fix.fixer import fix_file, settled  # only a run that fixes needs the fixer

    outcome = fix_file(source.path, source.data, options, unsafe=unsafe)
    assert outcome.result is not None
    show_notes(outcome.result)
    to_stdout = source.real_path is None and not diff
    if outcome.error is not None:
        error(f"{source.path}: {outcome.error}")
        reverted = InputProblem(source.path, f"fixes reverted: {outcome.error}", FIX_REVERTED)
        return Applied(outcome, False, True, source.data if to_stdout else b"", reverted)
    changed = outcome.changed and outcome.data != source.data
    if diff:
        # Only the findings of the fixed text are reported from here on: its reading goes before
        # the diff is computed.
        outcome.result = settled(outcome.result)
        text = unified_diff(source.path, source.data, outcome.data) if changed else b""
        return Applied(outcome, changed, False, text)
    if to_stdout:
        return Applied(outcome, changed, False, outcome.data)
    if not changed:
        return Applied(outcome, False, False, b"")
    try:
        other_links = write_atomic(
            source.path, outcome.data, state=source.state, original=source.data
        )
    except OSError as exc:
        message = str(exc) if isinstance(exc, WriteError) else f"{source.path}: {exc}"
        error(f"cannot write {message}")
        from dfmemlint.fix.fixer import FixOutcome

        why = message.removeprefix(f"{source.path}: ")
        codes = ", ".join(sorted({finding.code for finding in outcome.fixed}))
        unwritten = InputProblem(
            source.path, f"cannot write the fixes for {codes}: {why}", FIX_NOT_WRITTEN
        )
        return Applied(FixOutcome(source.data, result=lint(source.path, source.data, options)),
                        False, True, b"", unwritten)
    if other_links:
        links = f"{other_links} other hard link{'s' if other_links != 1 else ''}"
        warn(f"{source.path}: fixed as a new file; the old content stays under its {links}")
    return Applied(outcome, True, False, b"")


def show_fixes(path: str, outcome: FixOutcome, *, diff: bool) -> None:
    """The fixes applied to one file, at their places in the file as it was."""
    count = len(outcome.applied)
    verb = "Would fix" if diff else "Fixed"
    click.echo(printable(f"{verb} {count} finding{'s' if count != 1 else ''} in {path}:"), err=True)
    for applied in sorted(outcome.applied, key=lambda a: (a.start, a.finding.code)):
        fix = applied.finding.fix
        assert fix is not None
        click.echo(
            printable(
                f"  {path}:{applied.line}:{applied.column}: {applied.finding.code} "
                f"{fix.title} ({fix.applicability.label})"
            ),
            err=True,
        )


def _diff_lines(data: bytes, seen: dict[str, str]) -> list[str]:
    """Lines split at LF only (a CR, form feed or U+2028 inside a line stays in it). Equal
    lines are one string (``seen``), so that a large file's repeated lines, and the lines the
    fix left alone, are held once. A UTF-8 character never holds the byte LF, so decoding line
    by line gives what decoding the whole does."""
    end = len(data)
    lines: list[str] = []
    start = 0
    while start < end:
        stop = data.find(b"\n", start) + 1 or end
        line = data[start:stop].decode("utf-8", "surrogateescape")
        lines.append(seen.setdefault(line, line))
        start = stop
    return lines


def unified_diff(path: str, before: bytes, after: bytes) -> bytes:
    """A unified diff of the file's bytes (undecodable bytes come out as they were)."""
    # git's a/ b/ prefixes for a relative path (`git apply`, `patch -p1`); none for an absolute one.
    # A name with a newline or another control character is quoted as git quotes it.
    before_name, after_name = (
        (quote_path(path), quote_path(path)) if os.path.isabs(path)
        else (quote_path(f"a/{path}"), quote_path(f"b/{path}"))
    )
    import difflib  # only --diff needs it

    seen: dict[str, str] = {}
    lines = difflib.unified_diff(
        _diff_lines(before, seen), _diff_lines(after, seen), fromfile=before_name,
        tofile=after_name,
    )
    del seen
    text = "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
        for line in lines
    )
    return text.encode("utf-8", "surrogateescape")
