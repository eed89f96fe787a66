"""benchmarks/manifest-findings.md states what the linter reports on the manifest corpus today."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

from dfmemlint.engine import LintOptions
from dfmemlint.formats import lint
from dfmemlint.kubernetes.lint import ManifestResult

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "manifests"
REVIEW = ROOT / "benchmarks" / "manifest-findings.md"


def _reported(saved_name: str, repo_path: str) -> str:
    name = os.path.basename(repo_path) or saved_name + ".yaml"
    result = lint(name, (CORPUS / "files" / saved_name).read_bytes(), LintOptions())
    assert isinstance(result, ManifestResult)
    if result.template:
        return "skipped: chart template"
    if result.manifest is None or result.manifest.objects == 0:
        return "not a manifest"
    found = (f"{f.code} {f.line}:{f.column} {f.severity.label}" for f in result.findings)
    return ", ".join(found) or "none"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_review_matches_the_linter() -> None:
    with open(CORPUS / "manifest.tsv", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle, delimiter="\t") if row["kind"] != "compose"]
    row = r"^\| `([^`]+)` \| [a-z0-9-]+ \| [^|]* \| ([^|]+) \| [^|]+ \|$"
    table = dict(re.findall(row, REVIEW.read_text(encoding="utf-8"), re.M))
    assert sorted(table) == sorted(row["saved_name"] for row in rows)
    assert {row["saved_name"]: _reported(row["saved_name"], row["path"]) for row in rows} == {
        name: reported.strip() for name, reported in table.items()
    }
