"""Fixes of manifests, on the corpus (``../shared/corpus/manifests``) and on every YAML fixture:
the YAML is the same apart from the edited values (both parsed, leaf by leaf), fixing again
changes nothing, and no finding appears that was not there before."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from yaml_leaves import same_apart_from_edits

from dfmemlint.engine import LintOptions
from dfmemlint.fix.fixer import fix_file
from dfmemlint.formats import is_compose_name, lint
from dfmemlint.kubernetes.lint import ManifestResult

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "manifests"
YAML_KINDS = ("k8s", "helm-rendered")


def _corpus() -> list[Path]:
    if not (CORPUS / "manifest.tsv").is_file():
        return []
    with open(CORPUS / "manifest.tsv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [CORPUS / "files" / row["saved_name"] for row in rows if row["kind"] in YAML_KINDS]


# Compose fixtures (compose.*.yaml) have their own fix test: tests/test_compose_fix.py.
FILES = _corpus() + sorted(
    path for path in (ROOT / "tests" / "fixtures").glob("*/*.yaml")
    if not is_compose_name(path.name)
)


def _codes(result: object) -> set[tuple[str, str]]:
    assert isinstance(result, ManifestResult)
    return {(f.code, f.message.split(" ", 1)[0]) for f in result.findings}


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixes_keep_the_yaml_and_converge(path: Path, unsafe: bool) -> None:
    data = path.read_bytes()
    before = lint(path.name, data, LintOptions())
    if not isinstance(before, ManifestResult) or before.error is not None or before.template:
        pytest.skip("not a readable manifest")
    outcome = fix_file(path.name, data, LintOptions(), unsafe=unsafe)
    assert outcome.error is None
    same_apart_from_edits(data, outcome.data, [(a.start, a.end) for a in outcome.applied])
    current = outcome.data
    again = fix_file(path.name, current, LintOptions(), unsafe=unsafe)
    assert again.error is None
    assert again.data == current  # idempotent
    after = lint(path.name, current, LintOptions())
    assert _codes(after) <= _codes(before)  # no new finding
