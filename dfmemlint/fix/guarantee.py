"""The promise of a safe fix: it never makes the file worse.

After safe fixes no finding exists that did not exist before, none is more severe, and nothing a
``# dfmemlint: ignore=`` comment suppressed comes back (a suppressed finding is not reported, so
it would come back as a new one). Findings are matched by rule and by what they are about, not by
line: a finding after the fix is the same as one before when both are of the same rule and

* they quote the same text (the value, image or instruction the finding is about; a moved
  instruction keeps its text), or
* the span of the one before, carried through the fix's edits, overlaps the one after (an edit
  inside the finding's own text, as a respelled value).

``regressions`` lists what breaks the promise; the fixer (``fixer.fix_file``) then leaves out the
safe fixes responsible and says so on the findings they belonged to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dfmemlint.dockerfile.reader import decode
from dfmemlint.types import Applicability, Edit, Finding, Fix

if TYPE_CHECKING:
    from dfmemlint.positions import TextPositions


def _text(df: TextPositions, finding: Finding) -> bytes:
    from dfmemlint.fix.fixer import finding_span  # the fixer imports this module

    start, end = finding_span(df, finding)
    return df.data[start:end]


def regressions(
    before_df: TextPositions,
    before: Sequence[Finding],
    after_df: TextPositions,
    after: Sequence[Finding],
    edits: Sequence[Edit],
    path: str | None = None,
) -> list[tuple[Finding, Finding | None]]:
    """Findings of ``after`` that are new (paired with ``None``) or more severe than the finding
    of ``before`` they match (paired with it). ``edits`` turned ``before_df`` into ``after_df``.
    With ``path`` (the linted file's), a finding in another file (an entrypoint script a
    Dockerfile copies, which no edit here changes) matches one at the same place there."""
    from dfmemlint.fix.fixer import _map_forward as map_forward
    from dfmemlint.fix.fixer import finding_span

    found: list[tuple[Finding, Finding | None]] = []
    if path is not None:
        elsewhere = {(f.path, f.code, f.line, f.column): f for f in before if f.path != path}
        for finding in after:
            if finding.path == path:
                continue
            old = elsewhere.get((finding.path, finding.code, finding.line, finding.column))
            if old is None or finding.severity > old.severity:
                found.append((finding, old))
        before = [f for f in before if f.path == path]
        after = [f for f in after if f.path == path]
    previous: dict[str, list[tuple[bytes, int, int, Finding]]] = {}
    for finding in before:
        start, end = finding_span(before_df, finding)
        new_start = map_forward(start, edits, end=False)
        new_end = max(new_start, map_forward(end, edits, end=True))
        previous.setdefault(finding.code, []).append(
            (before_df.data[start:end], new_start, new_end, finding)
        )
    for finding in after:
        text = _text(after_df, finding)
        start, end = finding_span(after_df, finding)
        matches = [
            old
            for old_text, old_start, old_end, old in previous.get(finding.code, ())
            if old_text == text or (old_start < end and start < old_end)
            or old_start == old_end == start
        ]
        if not matches:
            found.append((finding, None))
            continue
        worst = max(matches, key=lambda old: old.severity)
        if finding.severity > worst.severity:
            found.append((finding, worst))
    return found


def describe(found: Sequence[tuple[Finding, Finding | None]]) -> str:
    """``it would add DFM007 (error) and make DFM005 an error``: what a fix would break."""
    parts: list[str] = []
    for finding, old in found:
        if old is None:
            parts.append(f"add {finding.code} ({finding.severity.label})")
        else:
            parts.append(f"make {finding.code} {finding.severity.label} (was {old.severity.label})")
    return "it would " + " and ".join(dict.fromkeys(parts))


def demoted(fix: Fix, why: str) -> Fix:
    """``fix`` offered as unsafe, its title saying why it is not safe here."""
    return Fix(f"{fix.title} (not safe here: {why})", fix.edits, Applicability.UNSAFE)


def fix_key(df: TextPositions, finding: Finding) -> tuple[str, str, str]:
    """What identifies a finding's fix from one pass of the fixer to the next (offsets move)."""
    assert finding.fix is not None
    return finding.code, finding.fix.title, decode(_text(df, finding))
