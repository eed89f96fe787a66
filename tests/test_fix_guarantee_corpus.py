"""CORPUS FIX GUARANTEE (issue "findings and fixes you can trust", section 1).

``--fix`` and ``--unsafe-fixes`` on every real-world Dockerfile of ``../shared/corpus`` with the
container limits 64MiB, 512MiB, 1GiB, 2g, 1.5Gi and 300000000 bytes, in this process (a few
seconds per limit). After safe fixes the count of new or escalated findings is 0, counted here
independently of the fixer's own check: by rule and quoted text, so a finding that moved with
its instruction is the same finding, and one that appears with new text is new. The fixer's
backstop (``dfmemlint.fix.guarantee``) must never have had to hold a safe fix back on these
files either: the rules offer the right edit in the first place.

Skipped when ``../shared/corpus`` is absent (a fresh clone has no ``../shared``).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from dfmemlint.dockerfile import reader
from dfmemlint.engine import LintOptions, LintResult, lint
from dfmemlint.fix.fixer import finding_span, fix_file
from dfmemlint.golang.container_limit import parse_memory_limit
from dfmemlint.types import Finding, Severity

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus"
FILES_DIR = CORPUS / "realworld" / "files"
FILES = sorted(p for p in FILES_DIR.glob("*") if p.is_file()) if FILES_DIR.is_dir() else []
LIMITS = ("64MiB", "512MiB", "1GiB", "2g", "1.5Gi", "300000000")

pytestmark = pytest.mark.skipif(not FILES, reason="no shared corpus at ../shared/corpus")


def _options(limit: str) -> LintOptions:
    return LintOptions(
        memory_limit=parse_memory_limit(limit),
        memory_limit_source="--memory-limit",
        memory_limit_from_cli=True,
    )


Subject = tuple[str, bytes]  # (rule code, the text the finding quotes)


def _by_subject(result: LintResult) -> tuple[Counter[Subject], dict[Subject, Severity]]:
    counts: Counter[Subject] = Counter()
    worst: dict[Subject, Severity] = {}
    for finding in result.findings:
        start, end = finding_span(result.dockerfile, finding)
        key = (finding.code, result.dockerfile.data[start:end])
        counts[key] += 1
        worst[key] = max(worst.get(key, Severity.INFO), finding.severity)
    return counts, worst


def new_or_escalated(before: LintResult, after: LintResult) -> list[str]:
    """Findings of ``after`` with no finding of the same rule and text in ``before`` (or more of
    them), or more severe than it."""
    old_counts, old_worst = _by_subject(before)
    new_counts, new_worst = _by_subject(after)
    problems = []
    for key, count in new_counts.items():
        if count > old_counts.get(key, 0):
            problems.append(f"new {key[0]} on {key[1]!r}")
        elif new_worst[key] > old_worst[key]:
            problems.append(f"{key[0]} on {key[1]!r} became {new_worst[key].label}")
    return problems


def _held_back(findings: list[Finding]) -> list[str]:
    return [f"{f.code}: {f.fix.title}" for f in findings
            if f.fix is not None and "not safe here" in f.fix.title]


@pytest.mark.parametrize("limit", LIMITS)
def test_safe_fixes_add_or_escalate_nothing(limit: str) -> None:
    options = _options(limit)
    report: dict[str, list[str]] = {}
    fixed = 0
    for path in FILES:
        data = path.read_bytes()
        before = lint(path.name, data, options)
        outcome = fix_file(path.name, data, options, unsafe=False)
        assert outcome.error is None, (path.name, outcome.error)
        assert isinstance(outcome.result, LintResult)
        fixed += len(outcome.fixed)
        problems = new_or_escalated(before, outcome.result) + _held_back(outcome.result.findings)
        if problems:
            report[path.name] = problems
    assert report == {}
    assert fixed > 0  # the limit makes DFM006 fixable: the test exercises real fixes


@pytest.mark.parametrize("limit", LIMITS)
def test_unsafe_fixes_apply_and_read(limit: str) -> None:
    options = _options(limit)
    for path in FILES:
        data = path.read_bytes()
        outcome = fix_file(path.name, data, options, unsafe=True)
        assert outcome.error is None, (path.name, outcome.error)
        if reader.read(data).error is None:
            assert reader.read(outcome.data).error is None, path.name


def test_the_count_sees_a_new_finding() -> None:
    """The independent count above is able to fail."""
    data = (
        b"FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM alpine:3.20\n"
        b"COPY --from=build /app /app\nENV GOMEMLIMIT=512MB\nCMD [\"/app\"]\n"
    )
    options = _options("512MiB")
    respelled = data.replace(b"512MB", b"512MiB")
    problems = new_or_escalated(lint("a", data, options), lint("a", respelled, options))
    assert problems == ["new DFM007 on b'512MiB'"]
