"""Output for people: per finding its location, source line, caret and fix; then a summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from dfmemlint.reporters import (
    FIX_NOT_WRITTEN,
    FIX_REVERTED,
    READ,
    InputProblem,
    Report,
    printable,
)
from dfmemlint.types import Applicability, Finding, Severity

TAB_SIZE = 8

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_RED = "\x1b[31m"
_GREEN = "\x1b[32m"
_YELLOW = "\x1b[33m"
_BLUE = "\x1b[34m"
_CYAN = "\x1b[36m"
SEVERITY_COLOR = {Severity.ERROR: _RED, Severity.WARNING: _YELLOW, Severity.INFO: _BLUE}


def _paint(text: str, *styles: str, color: bool) -> str:
    return "".join(styles) + text + _RESET if color and styles else text


def source_lines(source: bytes) -> list[str]:
    """The file's lines as the reader splits them: on LF only, each line's ending trimmed.

    Columns of findings count code points from the start of these texts (a BOM on line 1 included).
    """
    return [raw.rstrip(b"\r").decode("utf-8", "surrogateescape") for raw in source.split(b"\n")]


def _cell(char: str, at: int) -> tuple[str, int]:
    """How one code point is shown and how many terminal cells it takes, starting at cell ``at``."""
    if " " <= char <= "~":  # printable ASCII, nearly every character of a Dockerfile
        return char, 1
    if char == "\t":
        width = TAB_SIZE - at % TAB_SIZE
        return " " * width, width
    import unicodedata  # the Unicode database, loaded by the first line that needs it

    category = unicodedata.category(char)
    if category == "Cc":  # shown as is, a control character would move the cursor or restyle
        code = ord(char)
        return chr(0x2400 + code) if code < 0x20 else "\u2421" if code == 0x7F else "\ufffd", 1
    if category == "Cs":  # an undecodable byte, kept by surrogateescape
        return "\ufffd", 1
    if char == "\ufeff":
        return "", 0
    if category in ("Mn", "Me", "Cf"):
        return char, 0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return char, 2
    return char, 1


def expand_line(text: str) -> tuple[str, list[int]]:
    """The line as shown (tabs expanded, controls made visible) and the cell where each code point
    starts; the extra last entry is the cell just after the line."""
    shown: list[str] = []
    cells = [0]
    for char in text:
        glyph, width = _cell(char, cells[-1])
        shown.append(glyph)
        cells.append(cells[-1] + width)
    return "".join(shown), cells


def _snippet(finding: Finding, lines: list[str], color: bool) -> list[str]:
    if not 1 <= finding.line <= len(lines):
        return []
    text = lines[finding.line - 1]
    shown, cells = expand_line(text)
    last = len(text) + 1
    start_col = min(max(finding.column, 1), last)
    end_col = finding.end_column if finding.end_line == finding.line else last
    end_col = min(max(end_col, start_col), last)
    start_cell = cells[start_col - 1]
    width = max(cells[end_col - 1] - start_cell, 1)
    gutter = str(finding.line)
    bar = _paint("|", _BLUE, color=color)
    carets = _paint("^" * width, _BOLD, SEVERITY_COLOR[finding.severity], color=color)
    return [
        f" {_paint(gutter, _BLUE, color=color)} {bar} {shown}".rstrip(),
        f" {' ' * len(gutter)} {bar} {' ' * start_cell}{carets}",
    ]


def _finding_block(finding: Finding, lines: list[str], color: bool) -> list[str]:
    severity = _paint(f"[{finding.severity.label}]", SEVERITY_COLOR[finding.severity], color=color)
    code = _paint(finding.code, _BOLD, SEVERITY_COLOR[finding.severity], color=color)
    head = (
        f"{_paint(printable(finding.path), _BOLD, color=color)}:{finding.line}:{finding.column}: "
        f"{code} {severity} {printable(finding.message)}"
    )
    block = [head, *_snippet(finding, lines, color)]
    if finding.fix is not None:
        label = finding.fix.applicability.label
        title = printable(finding.fix.title)
        block.append(f"  {_paint('fix:', _CYAN, color=color)} {title} ({label})")
    return block


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def fixable_counts(findings: Iterable[Finding]) -> tuple[int, int]:
    """(findings ``--fix`` repairs, further findings only ``--unsafe-fixes`` repairs)."""
    applicable = Counter(f.fix.applicability for f in findings if f.fix is not None)
    return applicable[Applicability.SAFE], applicable[Applicability.UNSAFE]


def _in_files(report: Report) -> str:
    """``in 2 of 3 files`` (the files with findings, of those linted); ``in 3 files`` when
    every linted file has some."""
    files = _plural(report.files_checked, "file")
    with_findings = len({finding.path for finding in report.findings})
    if with_findings >= report.files_checked:
        return f"in {files}"
    return f"in {with_findings} of {files}"


def _unread(report: Report) -> str:
    """``1 path could not be read`` (a missing or unreadable file, a directory that cannot be
    listed or holds nothing dfmemlint reads; each said on standard error), and what happened to
    fixes that were not applied (``the fixes to 1 file were reverted``, ``… not written``)."""
    return problems_said(report.errors)


def problems_said(errors: Iterable[InputProblem]) -> str:
    """What went wrong with the paths of a run, counted by kind, for its last lines."""
    counts = Counter(problem.kind for problem in errors)
    said = []
    if counts[READ]:
        said.append(f"{_plural(counts[READ], 'path')} could not be read")
    for kind, what in ((FIX_REVERTED, "reverted"), (FIX_NOT_WRITTEN, "not written")):
        if counts[kind]:
            said.append(f"the fixes to {_plural(counts[kind], 'file')} were {what}")
    return "; ".join(said)


def totals(report: Report, *, verbose: bool = False) -> tuple[str, str]:
    """The summary's first line and its colour: ``All checks passed (3 files).`` only when
    every path was read and nothing was found; else what was found in how many of the files
    linted, and how many paths could not be read. With ``verbose`` the skipped files were
    already named, so the line does not point to ``--verbose``."""
    files = _plural(report.files_checked, "file")
    if not report.findings:
        if not report.errors and not report.files_checked and report.skipped:
            skipped = _plural(report.skipped, "file")
            why = "" if verbose else " (--verbose says why)"
            return f"Nothing was linted: {skipped} skipped{why}.", _GREEN
        if not report.errors:
            return f"All checks passed ({files}).", _GREEN
        if not report.files_checked and all(p.kind == READ for p in report.errors):
            return f"Nothing was linted: {_unread(report)}.", _RED
        return f"No findings in {files}; {_unread(report)}.", _RED
    by_severity = Counter(f.severity for f in report.findings)
    counts = (
        f"{_plural(by_severity[Severity.ERROR], 'error')}, "
        f"{_plural(by_severity[Severity.WARNING], 'warning')}, "
        f"{by_severity[Severity.INFO]} info"
    )
    unread = f"; {_unread(report)}" if report.errors else ""
    found = f"Found {_plural(len(report.findings), 'finding')} ({counts}) {_in_files(report)}"
    return f"{found}{unread}.", _BOLD


def summary(report: Report, *, color: bool = False, verbose: bool = False) -> str:
    line, style = totals(report, verbose=verbose)
    lines = [_paint(line, style, color=color)]
    safe, unsafe = fixable_counts(report.findings)
    hints = []
    if safe:
        hints.append(f"{safe} fixable with --fix")
    if unsafe:
        hints.append(f"{unsafe} {'more' if safe else 'fixable'} with --unsafe-fixes")
    if hints:
        lines.append(_paint(", ".join(hints) + ".", _CYAN, color=color))
    return "\n".join(lines)


def render(
    report: Report, *, color: bool = False, quiet: bool = False, verbose: bool = False
) -> str:
    """Each finding with its source line and caret, then (unless ``quiet``) the summary."""
    lines_by_path: dict[str, list[str]] = {}
    blocks = []
    for finding in report.findings:
        if finding.path not in lines_by_path:
            source = report.sources.get(finding.path)
            lines_by_path[finding.path] = [] if source is None else source_lines(source)
        blocks.append("\n".join(_finding_block(finding, lines_by_path[finding.path], color)))
    if not quiet:
        blocks.append(summary(report, color=color, verbose=verbose))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def render_statistics(
    report: Report, *, color: bool = False, quiet: bool = False, verbose: bool = False
) -> str:
    """One row per code, most frequent first: count, code, ``[*]`` when ``--fix`` repairs some;
    then (unless ``quiet``) the total and what ``[*]`` means. A clean run says so in one line."""
    counts = Counter(f.code for f in report.findings)
    if not counts:
        if quiet:
            return ""
        line, style = totals(report, verbose=verbose)
        return _paint(line, style, color=color) + "\n"
    names = {f.code: f.name for f in report.findings}
    fixable = {
        f.code for f in report.findings if f.fix and f.fix.applicability is Applicability.SAFE
    }
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    count_width = len(str(rows[0][1]))
    code_width = max(len(code) for code in counts)
    lines = []
    for code, count in rows:
        mark = "[*] " if code in fixable else "    "
        lines.append(
            f"{count:>{count_width}}  {_paint(code.ljust(code_width), _BOLD, color=color)}  "
            f"{mark}{names[code]}"
        )
    if not quiet:
        total = len(report.findings)
        unread = f"; {_unread(report)}" if report.errors else ""
        lines.append(_paint(
            f"Found {_plural(total, 'finding')} {_in_files(report)}{unread}.", _BOLD, color=color
        ))
        if fixable:
            safe, _ = fixable_counts(report.findings)
            lines.append(f"[*] {safe} fixable with --fix.")
    return "\n".join(lines) + "\n"


def color_diff(diff: str) -> str:
    """A unified diff for a terminal: headers bold, hunk lines cyan, removals red, additions
    green, control characters made visible."""
    out = []
    for line in diff.splitlines(keepends=True):
        body = line.rstrip("\n")
        ending = line[len(body):]
        shown = printable(body)
        if body.startswith(("--- ", "+++ ")):
            shown = _paint(shown, _BOLD, color=True)
        elif body.startswith("@@"):
            shown = _paint(shown, _CYAN, color=True)
        elif body.startswith("-"):
            shown = _paint(shown, _RED, color=True)
        elif body.startswith("+"):
            shown = _paint(shown, _GREEN, color=True)
        out.append(shown + ending)
    return "".join(out)
