"""The fixer: splicing, overlaps, passes, the re-read/re-lint check and the revert."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dfmemlint.engine import LintOptions, lint
from dfmemlint.fix import fixer
from dfmemlint.fix.fixer import apply_fixes, fix_file, splice
from dfmemlint.rules import REGISTRY
from dfmemlint.rules.base import Context, Problem
from dfmemlint.types import Applicability, Edit, Finding, Fix, Severity

MiB = 1 << 20
LIMIT = LintOptions(memory_limit=512 * MiB)
BUILD = b"FROM golang:1.22 AS build\nRUN go build -o /app .\n\n"
COPY_APP = b"COPY --from=build /app /app\n"


def _finding(line: int, *edits: Edit, applicability: Applicability = Applicability.SAFE) -> Finding:
    fix = Fix("t", tuple(edits), applicability)
    return Finding("f", "DFM004", "n", Severity.ERROR, "m", line, 1, line, 2, fix)


# --- one pass ------------------------------------------------------------------------------------


def test_splice_keeps_every_byte_outside_the_edits() -> None:
    data = b"0123456789"
    assert splice(data, [Edit(7, 8, b"x"), Edit(2, 4, b""), Edit(5, 5, b"++")]) == b"014++56x89"


def test_overlapping_fixes_wait_for_a_later_pass() -> None:
    data = b"abcdef"
    first = _finding(1, Edit(1, 3, b"X"))
    overlapping = _finding(2, Edit(2, 4, b"Y"))
    same_point = _finding(3, Edit(5, 5, b"1"))
    same_point_again = _finding(4, Edit(5, 5, b"2"))
    touching_insert = _finding(5, Edit(3, 3, b"!"))  # at the edge of the first replacement
    new, chosen = apply_fixes(
        data, [touching_insert, same_point_again, overlapping, first, same_point], unsafe=False
    )
    assert chosen == [first, same_point]
    assert new == b"aXde1f"


def test_a_fix_whose_own_edits_overlap_is_skipped() -> None:
    broken = _finding(1, Edit(1, 3, b"X"), Edit(2, 2, b"Y"))
    assert apply_fixes(b"abcdef", [broken], unsafe=False) == (b"abcdef", [])


def test_unsafe_and_display_only_fixes() -> None:
    unsafe = _finding(1, Edit(0, 1, b"U"), applicability=Applicability.UNSAFE)
    display = _finding(2, Edit(2, 3, b"D"), applicability=Applicability.DISPLAY_ONLY)
    assert apply_fixes(b"abc", [unsafe, display], unsafe=False)[1] == []
    assert apply_fixes(b"abc", [unsafe, display], unsafe=True) == (b"Ubc", [unsafe])


def test_fixes_outside_the_allowed_ranges_are_left_out() -> None:
    inside = _finding(1, Edit(5, 6, b"x"))
    outside = _finding(2, Edit(1, 2, b"y"))
    assert apply_fixes(b"0123456789", [inside, outside], False, allowed=[(4, 10)])[1] == [inside]


# --- fix_file: passes, re-lint, positions --------------------------------------------------------


def test_overlapping_fixes_are_applied_in_later_passes() -> None:
    # DFM003 moves ENV GOGC=off to the line where the GOMEMLIMIT line goes: two passes.
    data = BUILD + b'FROM scratch\nENV GOGC=off\nCOPY --from=build /app /app\nCMD ["/app"]\n'
    outcome = fix_file("Dockerfile", data, LIMIT, unsafe=False)
    assert outcome.error is None
    assert outcome.passes == 2
    assert outcome.data == BUILD + (
        b'FROM scratch\nCOPY --from=build /app /app\nENV GOGC=off\nENV GOMEMLIMIT=409MiB\n'
        b'CMD ["/app"]\n'
    )
    # DFM006 is fixed by DFM008's edit (the same GOMEMLIMIT line), so it is counted as fixed too.
    assert [(a.finding.code, a.line) for a in outcome.applied] == [
        ("DFM003", 5), ("DFM008", 7), ("DFM006", 7)
    ]
    assert outcome.result is not None
    assert not outcome.result.findings
    assert outcome.changed


def test_applied_fixes_are_placed_in_the_original_file() -> None:
    data = BUILD + b"FROM scratch\nENV GOGC=off\nCOPY --from=build /app /app\nCMD [\"/app\"]\n"
    outcome = fix_file("Dockerfile", data, LIMIT, unsafe=False)
    second = outcome.applied[1]
    # Applied in pass 2 at the start of the CMD line; placed where that line was.
    assert data[second.start :].startswith(b'CMD ["/app"]')
    assert (second.line, second.column) == (7, 1)


def test_map_back_through_a_pass() -> None:
    edits = [Edit(2, 4, b"XYZ"), Edit(6, 6, b"++")]  # "ab" "XYZ" "ef" "++" "gh" from "abcdefgh"
    assert fixer._map_back(1, edits, end=False) == 1
    assert fixer._map_back(3, edits, end=False) == 2  # inside XYZ
    assert fixer._map_back(3, edits, end=True) == 4
    assert fixer._map_back(6, edits, end=False) == 5  # "f"
    assert fixer._map_back(11, edits, end=False) == 8


def test_nothing_to_fix_returns_the_input() -> None:
    data = BUILD + b'FROM alpine\nCMD ["env", "GOMEMLIMIT=409MiB", "/app"]\n'
    outcome = fix_file("Dockerfile", data, LIMIT, unsafe=True)
    assert (outcome.data, outcome.fixed, outcome.error, outcome.changed) == (data, [], None, False)


def test_a_file_that_does_not_read_is_left_alone() -> None:
    data = b"FROM alpine\nENV GOMEMLIMIT\n"
    outcome = fix_file("Dockerfile", data, LIMIT, unsafe=True)
    assert outcome.data == data
    assert outcome.error is None
    assert outcome.result is not None
    assert [f.code for f in outcome.result.findings] == ["DFM000"]


# --- the revert ----------------------------------------------------------------------------------

BAD_VALUE = BUILD + b"FROM alpine\nENV GOMEMLIMIT=512MB\nCMD [\"/app\"]\n"


def _patch_dfm004(monkeypatch: pytest.MonkeyPatch, replacement: bytes | None) -> None:
    """Make DFM004's fix replace the value with ``replacement`` (``None``: the whole ENV
    argument text)."""
    original = REGISTRY["DFM004"]

    def check(ctx: Context) -> Iterator[Problem]:
        for problem in original(ctx):
            assert problem.fix is not None
            (edit,) = problem.fix.edits
            if replacement is None:
                ins = next(i for i in ctx.dockerfile.instructions if i.cmd == "ENV")
                edit = Edit(ins.args.start, ins.args.end, b"GOMEMLIMIT")
            else:
                edit = edit._replace(replacement=replacement)
            yield problem._replace(fix=problem.fix._replace(edits=(edit,)))

    monkeypatch.setitem(REGISTRY, "DFM004", check)


def test_a_fix_that_breaks_the_file_is_reverted(monkeypatch: pytest.MonkeyPatch) -> None:
    _patch_dfm004(monkeypatch, None)  # `ENV GOMEMLIMIT`: BuildKit wants two arguments
    outcome = fix_file("Dockerfile", BAD_VALUE, LintOptions(), unsafe=False)
    assert outcome.data == BAD_VALUE
    assert outcome.error is not None
    assert "BuildKit cannot read" in outcome.error
    assert "DFM004" in outcome.error
    assert not outcome.changed
    assert outcome.result is not None
    assert "DFM004" in {f.code for f in outcome.result.findings}


def test_a_fix_that_leaves_its_finding_is_reverted(monkeypatch: pytest.MonkeyPatch) -> None:
    _patch_dfm004(monkeypatch, b"512MB")  # "fixes" the value to itself
    outcome = fix_file("Dockerfile", BAD_VALUE, LIMIT, unsafe=False)
    assert outcome.data == BAD_VALUE
    assert outcome.error is not None
    assert "did not remove its finding" in outcome.error
    assert outcome.fixed == []


def test_other_fixes_are_reverted_with_the_broken_one(monkeypatch: pytest.MonkeyPatch) -> None:
    _patch_dfm004(monkeypatch, b"512MB")
    data = BUILD + b"FROM alpine\nENV GOMEMLIMIT=512MB\nCOPY a /a\nENV GOGC=200\nCOPY b /b\n"
    outcome = fix_file("Dockerfile", data, LIMIT, unsafe=False)
    assert outcome.error is not None
    assert outcome.data == data


def test_an_identical_finding_elsewhere_does_not_count_as_stuck(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two findings with one message, only the first fixable: fixing it leaves the other, which
    # must not be taken for the fixed one still being there.
    def check(ctx: Context) -> Iterator[Problem]:
        raw = ctx.dockerfile.data
        at = raw.find(b"XX")
        first = True
        while at >= 0:
            fix = Fix("x", (Edit(at, at + 2, b"YY"),), Applicability.SAFE) if first else None
            yield Problem(at, at + 2, "same message", fix)
            first = False
            at = raw.find(b"XX", at + 2)

    monkeypatch.setitem(REGISTRY, "DFM004", check)
    data = b"FROM alpine\nENV A=XX\nENV B=XX\n"
    outcome = fix_file("Dockerfile", data, LintOptions(), unsafe=False)
    assert outcome.error is None
    assert (outcome.data, outcome.passes) == (b"FROM alpine\nENV A=YY\nENV B=YY\n", 2)


def test_fixes_that_never_settle_are_reverted(monkeypatch: pytest.MonkeyPatch) -> None:
    def check(ctx: Context) -> Iterator[Problem]:
        # Each fix brings a new finding, elsewhere each time.
        data = ctx.dockerfile.data
        end = len(data)
        fix = Fix("again", (Edit(end, end, b"# again\n"),), Applicability.SAFE)
        where = (0, 4) if data.count(b"# again") % 2 == 0 else (end - 1, end)
        yield Problem(*where, "again", fix)

    monkeypatch.setitem(REGISTRY, "DFM004", check)
    data = b"FROM alpine\n"
    # Under --unsafe-fixes nothing holds such a fix back: the passes run out.
    outcome = fix_file("Dockerfile", data, LintOptions(), unsafe=True)
    assert outcome.error is not None
    assert "did not settle" in outcome.error
    assert outcome.data == data
    # As a safe fix it breaks the promise of safe fixes (each pass adds a finding): left out.
    outcome = fix_file("Dockerfile", data, LintOptions(), unsafe=False)
    assert (outcome.error, outcome.data, outcome.fixed) == (None, data, [])
    assert outcome.result is not None
    (finding,) = outcome.result.findings
    assert finding.fix is not None
    assert finding.fix.applicability is Applicability.UNSAFE
    assert finding.fix.title == "again (not safe here: it would add DFM004 (error))"


def test_fixes_in_unbuilt_stages_or_above_directives_are_not_applied(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = b"# syntax=docker/dockerfile:1\nFROM alpine AS unused\nENV A=1\n\nFROM alpine\nENV B=2\n"

    def check(ctx: Context) -> Iterator[Problem]:
        raw = ctx.dockerfile.data
        for needle in (b"syntax", b"A=1", b"B=2"):
            at = raw.find(needle)
            if at >= 0:
                fix = Fix("x", (Edit(at, at + len(needle), b"Q=9"),), Applicability.SAFE)
                yield Problem(at, at + 1, needle.decode(), fix)

    monkeypatch.setitem(REGISTRY, "DFM004", check)
    outcome = fix_file("Dockerfile", data, LintOptions(), unsafe=False)
    assert outcome.error is None
    assert outcome.data == data.replace(b"B=2", b"Q=9")


def test_the_declared_limit_from_the_file_drives_the_fix() -> None:
    data = b"# dfmemlint: memory-limit=1GiB\n" + BUILD + b"FROM alpine\n" + COPY_APP
    data += b'CMD ["/app"]\n'
    outcome = fix_file("Dockerfile", data, LintOptions(), unsafe=False)
    assert b'ENV GOMEMLIMIT=819MiB\nCMD ["/app"]' in outcome.data
    cli = fix_file(
        "Dockerfile",
        data,
        LintOptions(memory_limit=256 * MiB, memory_limit_from_cli=True),
        unsafe=False,
    )
    assert b"ENV GOMEMLIMIT=204MiB\n" in cli.data


def test_the_fixed_file_lints_clean_of_what_was_fixed() -> None:
    data = BUILD + b"FROM alpine\n" + COPY_APP + b"ENV GOGC=off\nCMD /app --serve\n"
    outcome = fix_file("Dockerfile", data, LIMIT, unsafe=False)
    assert outcome.data.endswith(b"ENV GOMEMLIMIT=409MiB\nCMD /app --serve\n")
    codes = {f.code for f in lint("Dockerfile", outcome.data, LIMIT).findings}
    assert not codes & {"DFM006", "DFM008"}


def test_map_forward_through_a_pass() -> None:
    edits = [Edit(2, 4, b"XYZ"), Edit(6, 6, b"++")]  # "abcdefgh" -> "abXYZef++gh"
    assert fixer._map_forward(1, edits, end=False) == 1
    assert fixer._map_forward(2, edits, end=False) == 2  # the replaced span starts here
    assert fixer._map_forward(3, edits, end=False) == 2
    assert fixer._map_forward(3, edits, end=True) == 5
    assert fixer._map_forward(4, edits, end=True) == 5
    assert fixer._map_forward(6, edits, end=False) == 9  # after the insertion at 6
    assert fixer._map_forward(8, edits, end=True) == 11


def test_finding_span_counts_bytes_not_characters() -> None:
    data = "FROM alpine\nLABEL x=\"é\" y=1\n".encode()
    result = lint("Dockerfile", data, LintOptions())
    finding = Finding("f", "DFM004", "n", Severity.ERROR, "m", 2, 13, 2, 16)
    start, end = fixer.finding_span(result.dockerfile, finding)
    assert data[start:end] == b"y=1"


def test_a_settled_lint_keeps_findings_and_positions_without_the_reading() -> None:
    data = (
        b"FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM alpine\n"
        b'COPY --from=build /app /app\nENV GOMEMLIMIT=512MB\nCMD ["/app"]\n'
    )
    result = lint("Dockerfile", data, LIMIT)
    kept = fixer.settled(result)
    assert not hasattr(kept, "dockerfile")
    assert kept.path == "Dockerfile"
    assert kept.findings == result.findings
    assert kept.findings
    assert kept.notes == result.notes
    assert kept.syntax_error is None
    assert kept.source.data == data
    assert list(kept.source.line_starts) == list(result.source.line_starts)
    for finding in kept.findings:
        at = fixer.finding_span(kept.source, finding)[0]
        assert kept.source.line_col(at) == (finding.line, finding.column)
        assert kept.source.line_text(finding.line) == result.source.line_text(finding.line)
    assert kept.editable_ranges().ranges == result.editable_ranges().ranges
    broken = fixer.settled(lint("Dockerfile", b"FROM a\nRUN <<EOF\n", LIMIT))
    assert broken.syntax_error is not None
    assert "unterminated heredoc" in broken.syntax_error
