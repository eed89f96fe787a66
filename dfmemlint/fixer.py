"""Apply fixes: splice non-overlapping edits into the original bytes, re-read and re-lint, repeat
until nothing more applies; if the result does not read or a fix did not remove its finding,
give the original back and say why (ruff's ``lint_fix``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from dfmemlint.engine import LintOptions, LintResult, lint
from dfmemlint.types import Applicability, Edit, Finding, Fix

MAX_PASSES = 10


@dataclass
class FixOutcome:
    data: bytes  # the fixed bytes (the original when nothing applied or on failure)
    fixed: list[Finding] = field(default_factory=list)  # findings whose fix was applied
    result: LintResult | None = None  # the lint of ``data``
    error: str | None = None  # why the fixes were reverted

    @property
    def changed(self) -> bool:
        return bool(self.fixed) and self.error is None


def applicable(fix: Fix | None, unsafe: bool) -> bool:
    if fix is None or not fix.edits:
        return False
    threshold = Applicability.UNSAFE if unsafe else Applicability.SAFE
    return fix.applicability >= threshold


def _overlaps(edit: Edit, taken: list[tuple[int, int]]) -> bool:
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


def apply_fixes(data: bytes, findings: Iterable[Finding], unsafe: bool) -> tuple[bytes, list[Finding]]:
    """One pass: apply every applicable fix that does not overlap one already taken."""
    taken: list[tuple[int, int]] = []
    chosen: list[Finding] = []
    edits: list[Edit] = []
    for finding in sorted(findings, key=lambda f: (f.line, f.column, f.code)):
        fix = finding.fix
        if not applicable(fix, unsafe):
            continue
        assert fix is not None
        if any(_overlaps(edit, taken) for edit in fix.edits):
            continue
        # The fix's own edits must not overlap each other either.
        own: list[tuple[int, int]] = []
        if any(_overlaps(edit, own) or own.append((edit.start, edit.end)) for edit in fix.edits):
            continue
        taken.extend((edit.start, edit.end) for edit in fix.edits)
        edits.extend(fix.edits)
        chosen.append(finding)
    if not edits:
        return data, []
    out: list[bytes] = []
    pos = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        out.append(data[pos : edit.start])
        out.append(edit.replacement)
        pos = edit.end
    out.append(data[pos:])
    return b"".join(out), chosen


def _key(finding: Finding) -> tuple[str, str]:
    return finding.code, finding.message


def fix_file(path: str, data: bytes, options: LintOptions, *, unsafe: bool) -> FixOutcome:
    result = lint(path, data, options)
    if result.dockerfile.error is not None:
        return FixOutcome(data, result=result)
    current = data
    fixed: list[Finding] = []
    for _ in range(MAX_PASSES):
        new, chosen = apply_fixes(current, result.findings, unsafe)
        if not chosen:
            break
        after = lint(path, new, options)
        if after.dockerfile.error is not None:
            return FixOutcome(
                data,
                result=lint(path, data, options),
                error=(
                    f"fixing {', '.join(sorted({f.code for f in chosen}))} produced a file "
                    f"BuildKit cannot read ({after.dockerfile.error.message}); no change was made"
                ),
            )
        remaining = {_key(f) for f in after.findings}
        stuck = [f for f in chosen if _key(f) in remaining and f.code != "DFM003"]
        if stuck:
            codes = ", ".join(sorted({f.code for f in stuck}))
            return FixOutcome(
                data,
                result=lint(path, data, options),
                error=f"the fix for {codes} did not remove its finding; no change was made",
            )
        fixed.extend(chosen)
        current, result = new, after
    else:
        if any(applicable(f.fix, unsafe) for f in result.findings):
            return FixOutcome(
                data,
                result=lint(path, data, options),
                error=f"fixes did not settle after {MAX_PASSES} passes; no change was made",
            )
    return FixOutcome(current, fixed, result)
