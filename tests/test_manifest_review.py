"""benchmarks/manifest-findings.md states what the linter reports on the manifest corpus today:
its Kubernetes manifests, chart templates and values files, and its Compose files (each alone in
a directory, an ``.env.*`` file copied beside the Compose file it feeds as the project's
``.env``)."""

from __future__ import annotations

import csv
import os
import re
import shutil
from pathlib import Path

import pytest

from dfmemlint.compose.lint import ComposeResult
from dfmemlint.engine import LintOptions
from dfmemlint.formats import Format, lint
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


def _reported_compose(row: dict[str, str], rows: list[dict[str, str]], directory: Path) -> str:
    """What linting a Compose file reports, alone in ``directory``; for an ``.env.*`` file, what
    its Compose file then reports."""
    saved = row["saved_name"]
    compose = row
    if ".env." in saved:
        prefix = saved.split(".env.", 1)[0]
        [compose] = [r for r in rows if r["saved_name"] == prefix + "docker-compose.yml"]
        shutil.copyfile(CORPUS / "files" / saved, directory / ".env")
    name = os.path.basename(compose["path"]) or "docker-compose.yml"
    data = (CORPUS / "files" / compose["saved_name"]).read_bytes()
    (directory / name).write_bytes(data)
    old = os.getcwd()
    os.chdir(directory)
    try:
        result = lint(name, data, LintOptions(), Format.COMPOSE)
    finally:
        os.chdir(old)
    assert isinstance(result, ComposeResult)
    assert result.error is None
    found = (f"{f.code} {f.line}:{f.column} {f.severity.label}" for f in result.findings)
    return ", ".join(found) or "none"


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_review_matches_the_linter(tmp_path: Path) -> None:
    with open(CORPUS / "manifest.tsv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    row = r"^\| `([^`]+)` \| [a-z0-9-]+ \| [^|]* \| ([^|]+) \| [^|]+ \|$"
    table = dict(re.findall(row, REVIEW.read_text(encoding="utf-8"), re.M))
    assert sorted(table) == sorted(row["saved_name"] for row in rows)
    reported = {}
    for number, item in enumerate(rows):
        if item["kind"] == "compose":
            directory = tmp_path / str(number)
            directory.mkdir()
            reported[item["saved_name"]] = _reported_compose(item, rows, directory)
        else:
            reported[item["saved_name"]] = _reported(item["saved_name"], item["path"])
    assert reported == {name: found.strip() for name, found in table.items()}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_no_false_positive_in_the_review() -> None:
    """Every file with a finding has a true-positive verdict (and only those), and nothing the
    corpus judges correct has a finding."""
    line = r"^\| `([^`]+)` \| [a-z0-9-]+ \| ([^|]*) \| ([^|]+) \| ([^|]+) \|$"
    table = re.findall(line, REVIEW.read_text(encoding="utf-8"), re.M)
    assert len(table) >= 60
    for name, judgement, found, verdict in table:
        flagged = found.strip().startswith("DFM")
        assert flagged == verdict.strip().startswith("true positive"), name
        if judgement.strip().startswith("correct"):
            assert not flagged, name
