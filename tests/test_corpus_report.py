"""benchmarks/corpus-findings.md states the counts the linter gives on the corpus today."""

from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest

from dfmemlint.engine import LintOptions, lint

ROOT = Path(__file__).resolve().parents[1]
FILES = ROOT.parent / "shared" / "corpus" / "realworld" / "files"
REPORT = ROOT / "benchmarks" / "corpus-findings.md"


@pytest.mark.skipif(not FILES.is_dir(), reason="../shared/corpus is not present")
def test_report_counts_match_the_linter() -> None:
    rows = re.findall(r"^\| (DFM\d{3}) \| [a-z-]+ \| (\d+) \| (\d+) \|", REPORT.read_text(), re.M)
    assert len(rows) == 9
    findings: collections.Counter[str] = collections.Counter()
    files: dict[str, set[str]] = collections.defaultdict(set)
    for path in sorted(FILES.iterdir()):
        for finding in lint(path.name, path.read_bytes(), LintOptions()).findings:
            findings[finding.code] += 1
            files[finding.code].add(path.name)
    assert {code: (int(n), int(f)) for code, n, f in rows} == {
        code: (findings[code], len(files[code])) for code, _, _ in rows
    }
