"""Apply fixes: splice non-overlapping edits into the original bytes, re-read and re-lint, repeat
until nothing more applies; if the result does not read or a fix did not remove its finding,
give the original back and say why (ruff's ``lint_fix``).

Bytes outside the edits are never touched. A fix is applied only when every one of its edits lies
below the parser directives and inside a stage that BuildKit builds; a fix that overlaps one
already taken in a pass waits for the next pass, where it is re-computed on the new text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dfmemlint.dockerfile.reader import decode, encode, line_col
from dfmemlint.engine import EditableRanges, LintOptions
from dfmemlint.fix import guarantee
from dfmemlint.formats import Format, lint
from dfmemlint.records import Record
from dfmemlint.types import Applicability, Edit, Finding, Fix

if TYPE_CHECKING:
    from dfmemlint.formats import Result
    from dfmemlint.positions import TextPositions

MAX_PASSES = 10


class AppliedFix(Record):
    """A fix that was applied, placed in the original file."""

    finding: Finding  # as reported on the text the fix was applied to
    start: int  # byte span of the original file that the fix's edits replaced
    end: int
    line: int  # 1-based line and column of the finding in the original file
    column: int


@dataclass
class FixOutcome:
    data: bytes  # the fixed bytes (the original when nothing applied or on failure)
    fixed: list[Finding] = field(default_factory=list)  # findings whose fix was applied
    result: Result | None = None  # the lint of ``data``
    error: str | None = None  # why the fixes were reverted
    applied: list[AppliedFix] = field(default_factory=list)  # ``fixed``, placed in the original
    passes: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.fixed) and self.error is None


def applicable(fix: Fix | None, unsafe: bool) -> bool:
    if fix is None or not fix.edits:
        return False
    threshold = Applicability.UNSAFE if unsafe else Applicability.SAFE
    return fix.applicability >= threshold


def _overlaps(edit: Edit, taken: Sequence[tuple[int, int]]) -> bool:
    for start, end in taken:
        if edit.start < end and start < edit.end:
            return True
        # Two insertions at one point, or an insertion at an edge of another edit: order is
        # ambiguous, so the later fix waits for the next pass.
        if edit.start == edit.end and start <= edit.start <= end:
            return True
        if start == end and edit.start <= start <= edit.end:
            return True
    return False


def _self_overlapping(edits: Sequence[Edit]) -> bool:
    own: list[tuple[int, int]] = []
    for edit in edits:
        if _overlaps(edit, own):
            return True
        own.append((edit.start, edit.end))
    return False


def splice(data: bytes, edits: Iterable[Edit]) -> bytes:
    """``data`` with non-overlapping ``edits`` applied."""
    out: list[bytes] = []
    pos = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(data[pos : edit.start])
        out.append(edit.replacement)
        pos = edit.end
    out.append(data[pos:])
    return b"".join(out)


def apply_fixes(
    data: bytes,
    findings: Iterable[Finding],
    unsafe: bool,
    allowed: Sequence[tuple[int, int]] | EditableRanges | None = None,
) -> tuple[bytes, list[Finding]]:
    """One pass: apply every applicable fix that does not overlap one already taken. With
    ``allowed`` (byte ranges, ends included), a fix with an edit outside them is left out.

    A finding whose fix is made only of edits already taken (two findings with one remedy, as
    DFM006 and DFM008 both adding GOMEMLIMIT) is fixed by them and listed as fixed too, so that
    ``--fix`` counts the findings it fixes as the lint's "fixable with --fix" counts them (ruff's
    ``fix/mod.rs`` ``apply_fixes``: "If we already applied an identical fix as part of another
    correction, skip any re-application")."""
    taken: list[tuple[int, int]] = []
    chosen: list[Finding] = []
    edits: list[Edit] = []
    applied: set[Edit] = set()
    for finding in sorted(findings, key=lambda f: (f.line, f.column, f.code)):
        fix = finding.fix
        if not applicable(fix, unsafe):
            continue
        assert fix is not None
        if allowed is not None and not all(_inside(edit, allowed) for edit in fix.edits):
            continue
        if fix.edits and applied.issuperset(fix.edits):
            chosen.append(finding)
            continue
        if any(_overlaps(edit, taken) for edit in fix.edits) or _self_overlapping(fix.edits):
            continue
        taken.extend((edit.start, edit.end) for edit in fix.edits)
        edits.extend(fix.edits)
        applied.update(fix.edits)
        chosen.append(finding)
    if not edits:
        return data, []
    return splice(data, edits), chosen


def _inside(edit: Edit, ranges: Sequence[tuple[int, int]] | EditableRanges) -> bool:
    if isinstance(ranges, EditableRanges):
        return ranges.allows(edit)
    return any(start <= edit.start and edit.end <= end for start, end in ranges)


def editable_ranges(result: Result) -> EditableRanges:
    """The bytes a fix may change (for a Dockerfile: the stages BuildKit builds and the ARGs
    before the first FROM, below the parser directives: ``engine.EditableRanges``)."""
    return result.editable_ranges()


def _span(df: TextPositions, line: int, column: int) -> int:
    """The byte offset of a 1-based (line, column) that ``df.line_col`` gave."""
    start = df.line_starts[min(line, len(df.line_starts)) - 1]
    prefix = decode(df.line_text(line))[: column - 1] if line <= len(df.line_starts) else ""
    return start + len(encode(prefix))


def finding_span(df: TextPositions, finding: Finding) -> tuple[int, int]:
    """The byte span of a finding in the text it was reported on."""
    start = _span(df, finding.line, finding.column)
    return start, max(start, _span(df, finding.end_line, finding.end_column))


def _map_forward(offset: int, edits: Sequence[Edit], *, end: bool) -> int:
    """Where ``offset`` is after ``edits``; inside a replaced span it goes to the start (or, for
    an ``end``, the end) of the replacement. An insertion at ``offset`` comes before it."""
    delta = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        if offset < edit.start or (offset == edit.start and edit.start < edit.end and not end):
            break
        if offset < edit.end or (offset == edit.end and end and edit.start < edit.end):
            new_start = edit.start + delta
            return new_start + len(edit.replacement) if end else new_start
        delta += len(edit.replacement) - (edit.end - edit.start)
    return offset + delta


def _stuck(
    chosen: list[Finding], before: TextPositions, after: Result, edits: Sequence[Edit]
) -> list[Finding]:
    """Fixed findings still there: a finding of the same rule at the place the fixed one moved
    to (where the fix's edits left it)."""
    stuck: list[Finding] = []
    for finding in chosen:
        start, end = finding_span(before, finding)
        new_start = _map_forward(start, edits, end=False)
        new_end = max(new_start, _map_forward(end, edits, end=True))
        for other in after.findings:
            if other.code != finding.code or other.path != finding.path:
                continue
            other_start, other_end = finding_span(after.source, other)
            if new_start < new_end and other_start < other_end:
                overlap = other_start < new_end and new_start < other_end
            else:  # a point: inside the other span or at one of its edges
                overlap = max(new_start, other_start) <= min(new_end, other_end)
            if overlap:
                stuck.append(finding)
                break
    return stuck


def _map_back(offset: int, edits: Sequence[Edit], *, end: bool) -> int:
    """Where ``offset`` of the text after ``edits`` was before them; an offset inside a
    replacement maps to the start (or, for an ``end``, the end) of the replaced span."""
    delta = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        new_start = edit.start + delta
        new_end = new_start + len(edit.replacement)
        if offset < new_start or (offset == new_start and not end):
            return offset - delta
        if offset <= new_end:
            return edit.end if end else edit.start
        delta += len(edit.replacement) - (edit.end - edit.start)
    return offset - delta


def _place(fix: Fix, history: list[list[Edit]]) -> tuple[int, int]:
    """The span of the original file that ``fix`` (applied after ``history``) replaced."""
    start = min(edit.start for edit in fix.edits)
    end = max(edit.end for edit in fix.edits)
    for edits in reversed(history):
        start = _map_back(start, edits, end=False)
        end = _map_back(end, edits, end=True)
    return start, max(start, end)


def fix_file(
    path: str, data: bytes, options: LintOptions, *, unsafe: bool, fmt: Format | None = None
) -> FixOutcome:
    """Apply the fixes (safe ones; with ``unsafe`` also the others) until nothing more applies.
    ``fmt``: the format to read the text as (each pass reads it so), else the one ``path`` and
    the text say (:func:`dfmemlint.formats.detect`); the language server gives it for an unsaved
    buffer, which has no file name to tell it by.

    Safe fixes keep the promise of ``guarantee``: a pass of them that would add or escalate a
    finding is taken apart, and each fix responsible is left out (its finding then shows it as
    unsafe, saying why)."""
    first = lint(path, data, options, fmt)
    if first.syntax_error is not None:
        return FixOutcome(data, result=first)
    current, result = data, first
    # Only where the original lines start is kept of the first reading: holding all of it while
    # the fixed text is read again would take a third copy of the model at the peak.
    original_lines = first.source.line_starts
    del first
    fixed: list[Finding] = []
    applied: list[AppliedFix] = []
    history: list[list[Edit]] = []
    blocked: dict[tuple[str, str, str], str] = {}  # fix -> why it is not safe here

    def revert(message: str) -> FixOutcome:
        # Read again (a rare path) rather than kept from the start.
        return FixOutcome(
            data, result=lint(path, data, options, fmt), error=message, passes=len(history)
        )

    def offered(res: Result) -> list[Finding]:
        return [
            f for f in res.findings
            if f.fix is None or guarantee.fix_key(res.source, f) not in blocked
        ]

    while True:
        new, chosen = apply_fixes(current, offered(result), unsafe, editable_ranges(result))
        if not chosen:
            break
        if len(history) == MAX_PASSES:
            return revert(f"fixes did not settle after {MAX_PASSES} passes; no change was made")
        # What the checks below need of the text before the pass: its lines and findings. The
        # rest of its reading goes before the fixed text is read, so that two readings of a
        # large file are never held at once.
        before = _Before(_Positions(current, result.source.line_starts), result.findings)
        del result
        after = lint(path, new, options, fmt)
        codes = ", ".join(sorted({f.code for f in chosen}))
        if after.syntax_error is not None:
            return revert(f"fixing {codes} produced {after.syntax_error}; no change was made")
        # Each edit once: a fix made of edits another fix took is counted, not spliced twice.
        edits = list(dict.fromkeys(
            edit for f in chosen if f.fix is not None for edit in f.fix.edits
        ))
        stuck = _stuck(chosen, before.source, after, edits)
        if stuck:
            stuck_codes = ", ".join(sorted({f.code for f in stuck}))
            return revert(
                f"the fix for {stuck_codes} did not remove its finding; no change was made"
            )
        if not unsafe and guarantee.regressions(
            before.source, before.findings, after.source, after.findings, edits, path
        ):
            del after
            _block_regressions(path, options, current, before, chosen, blocked, fmt)
            result = lint(path, current, options, fmt)  # read again (a rare path) rather than kept
            continue  # the same pass again, without the fixes that broke the promise
        for finding in chosen:
            assert finding.fix is not None
            start, end = _place(finding.fix, history)
            at = finding_span(before.source, finding)[0]
            for edits_before in reversed(history):
                at = _map_back(at, edits_before, end=False)
            line, column = line_col(data, original_lines, at)
            applied.append(AppliedFix(finding, start, end, line, column))
        history.append(edits)
        fixed.extend(chosen)
        current, result = new, after
    if blocked:
        result.findings = [
            _with_demoted_fix(result.source, f, blocked) for f in result.findings
        ]
    return FixOutcome(current, fixed, result, None, applied, len(history))


class _Positions:
    """Lines and columns of a text whose reading was let go: its bytes and line starts."""

    __slots__ = ("data", "line_starts")

    def __init__(self, data: bytes, line_starts: Sequence[int]) -> None:
        self.data = data
        self.line_starts = line_starts

    def line_col(self, offset: int) -> tuple[int, int]:
        return line_col(self.data, self.line_starts, offset)

    def line_text(self, line: int) -> bytes:
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.data)
        return self.data[start:end]


class _Settled:
    """A lint whose findings are all that is still asked for: the findings, notes and line
    starts of the text, without its reading (see :func:`settled`)."""

    __slots__ = (
        "_editable", "_error", "_source", "findings", "notes", "path", "template", "unread"
    )

    def __init__(self, result: Result) -> None:
        self.path = result.path
        self.findings = result.findings
        self.notes = result.notes
        self.template = result.template
        self.unread = result.unread
        self._source = _Positions(result.source.data, result.source.line_starts)
        self._error = result.syntax_error
        self._editable = result.editable_ranges()

    @property
    def source(self) -> TextPositions:
        return self._source

    @property
    def syntax_error(self) -> str | None:
        return self._error

    def editable_ranges(self) -> EditableRanges:
        return self._editable


def settled(result: Result) -> Result:
    """``result`` without the reading of its text (for a large Dockerfile, most of its memory):
    its findings, notes, line positions, syntax error and editable ranges stay."""
    return _Settled(result)


class _Before(Record):
    """What a pass keeps of the text it fixed: where its lines start, and its findings."""

    source: TextPositions
    findings: list[Finding]


def _block_regressions(
    path: str,
    options: LintOptions,
    current: bytes,
    result: _Before,
    chosen: list[Finding],
    blocked: dict[tuple[str, str, str], str],
    fmt: Format | None,
) -> None:
    """The pass of ``chosen`` fixes breaks the promise of safe fixes: record in ``blocked``
    each fix that breaks it once the ones before it are applied (one by one, in order); all of
    them if none does alone."""
    def trial(fixes: list[Finding]) -> list[tuple[Finding, Finding | None]]:
        edits = [edit for f in fixes if f.fix is not None for edit in f.fix.edits]
        after = lint(path, splice(current, edits), options, fmt)
        if after.syntax_error is not None:  # pragma: no cover - the whole pass read
            return []
        return guarantee.regressions(
            result.source, result.findings, after.source, after.findings, edits, path
        )

    accepted: list[Finding] = []
    for finding in chosen:
        found = trial([*accepted, finding])
        if found:
            blocked[guarantee.fix_key(result.source, finding)] = guarantee.describe(found)
        else:
            accepted.append(finding)
    if len(accepted) == len(chosen):  # pragma: no cover - linting is deterministic
        for finding in chosen:
            blocked[guarantee.fix_key(result.source, finding)] = "it would add findings"


def _with_demoted_fix(
    df: TextPositions, finding: Finding, blocked: dict[tuple[str, str, str], str]
) -> Finding:
    if finding.fix is None:
        return finding
    why = blocked.get(guarantee.fix_key(df, finding))
    if why is None:
        return finding
    return finding._replace(fix=guarantee.demoted(finding.fix, why))
