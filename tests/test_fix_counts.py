"""The lint's "N fixable with --fix" and ``--fix``'s "Fixed N findings" count the same thing:
findings, each fixed by its own fix or by an identical one another finding brought (ruff's
``apply_fixes``). DFM006 and DFM008 both add the one ``ENV GOMEMLIMIT`` line: one edit, two
findings fixed."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.cli import run_cli

from dfmemlint.engine import LintOptions
from dfmemlint.fix.fixer import apply_fixes, fix_file
from dfmemlint.formats import lint
from dfmemlint.reporters.text import fixable_counts
from dfmemlint.rules.catalog import BY_CODE
from dfmemlint.types import Applicability, Edit, Finding, Fix

FIXTURES = Path(__file__).parent / "fixtures"
GOGC_OFF = (
    b"FROM golang:1.22-alpine AS build\nRUN go build -o /app .\n\n"
    b'FROM alpine:3.20\nCOPY --from=build /app /app\nENV GOGC=off\nENTRYPOINT ["/app"]\n'
)
LIMIT = 512 << 20


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    return run_cli(capsys, "--no-color", *map(str, args))


def test_one_fix_for_two_findings_is_counted_alike(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(GOGC_OFF)
    code, out, _ = run(capsys, "--memory-limit", "512MiB", path)
    assert code == 1
    assert sorted(line.split(" ")[1] for line in out.splitlines() if line.startswith(str(path))) \
        == ["DFM006", "DFM008"]
    assert out.splitlines()[-1] == "2 fixable with --fix."
    code, _, err = run(capsys, "--diff", "--memory-limit", "512MiB", path)
    assert (code, err) == (1, "Would fix 2 findings.\n")
    code, _, err = run(capsys, "--fix", "--show-fixes", "--memory-limit", "512MiB", path)
    assert code == 0
    lines = err.splitlines()
    assert lines[0] == f"Fixed 2 findings in {path}:"
    assert sorted(line.split(" ")[3] for line in lines[1:3]) == ["DFM006", "DFM008"]
    assert lines[-1] == "Fixed 2 findings (0 remaining)."
    # One line added, once.
    assert path.read_bytes() == GOGC_OFF.replace(
        b"ENTRYPOINT", b"ENV GOMEMLIMIT=409MiB\nENTRYPOINT"
    )


def _finding(code: str, line: int, fix: Fix) -> Finding:
    rule = BY_CODE[code]
    return Finding("Dockerfile", code, rule.name, rule.severity, "m", line, 1, line, 2, fix)


def test_identical_edits_are_spliced_once_and_both_findings_counted() -> None:
    add = Edit(4, 4, b"X\n")
    both = [
        _finding("DFM008", 1, Fix("add", (add,), Applicability.SAFE)),
        _finding("DFM006", 2, Fix("add", (add,), Applicability.SAFE)),
        # Overlapping but not identical: left for a later pass, not counted.
        _finding("DFM004", 3, Fix("other", (Edit(4, 4, b"Y\n"),), Applicability.SAFE)),
        # An empty fix fixes nothing.
        _finding("DFM007", 4, Fix("none", (), Applicability.SAFE)),
    ]
    data, chosen = apply_fixes(b"abc\ndef\n", both, unsafe=False)
    assert data == b"abc\nX\ndef\n"
    assert [f.code for f in chosen] == ["DFM008", "DFM006"]


def _fixtures() -> list[Path]:
    return sorted(
        path for path in FIXTURES.rglob("*")
        if path.is_file() and path.suffix in (".Dockerfile", ".yaml", ".yml")
        and ".fixed." not in path.name
    )


@pytest.mark.parametrize("limit", [None, LIMIT], ids=["no-limit", "512MiB"])
def test_fixable_count_is_what_fix_fixes(limit: int | None) -> None:
    """On every fixture: the findings the lint calls fixable with --fix are the findings
    --fix fixes, and they are gone after it (no other finding is)."""
    options = LintOptions() if limit is None else LintOptions()._replace(memory_limit=limit)
    checked = 0
    for path in _fixtures():
        data = path.read_bytes()
        before = lint(str(path), data, options)
        outcome = fix_file(str(path), data, options, unsafe=False)
        if outcome.error is not None or outcome.result is None:
            continue
        safe, _ = fixable_counts(before.findings)
        fixed = len(outcome.fixed)
        remaining = len(outcome.result.findings)
        assert (safe, len(before.findings) - remaining) == (fixed, fixed), path
        checked += bool(fixed)
    assert checked > 20
