"""Fixes of Compose files keep them valid Compose: on every Compose file of the corpus
(``../shared/corpus/manifests``, the ``.env`` files beside the file they feed) and every Compose
file this repository ships (examples and fixtures), with safe and with unsafe fixes, the fixed
file still validates against the Compose Specification's schema
(``../shared/schemas/compose-spec.json``), its YAML is the same apart from the edited values,
fixing again changes nothing, and no finding appears that was not there before.

Each file is fixed alone in a fresh directory (its own ``.env`` beside it when it has one), under
its Compose name, so no file of this repository joins its project."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml
from yaml_leaves import same_apart_from_edits

from dfmemlint.compose.lint import ComposeResult
from dfmemlint.engine import LintOptions
from dfmemlint.fix.fixer import applicable, fix_file
from dfmemlint.formats import is_compose_name, lint

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "manifests"
SCHEMA = SHARED / "schemas" / "compose-spec.json"


class Case(NamedTuple):
    label: str
    source: Path
    name: str  # the Compose name it is fixed under
    dotenv: Path | None = None  # copied beside it as the project's .env


def _corpus_cases() -> list[Case]:
    if not (CORPUS / "manifest.tsv").is_file():
        return []
    with open(CORPUS / "manifest.tsv", encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle, delimiter="\t") if row["kind"] == "compose"]
    composes = [row for row in rows if ".env." not in row["saved_name"]]
    cases = []
    for row in composes:
        name = os.path.basename(row["path"])
        source = CORPUS / "files" / row["saved_name"]
        cases.append(Case(row["saved_name"], source, _compose_name(name)))
        prefix = row["saved_name"].rsplit("__", 1)[0] + "__.env."
        for env in rows:
            if env["saved_name"].startswith(prefix):
                label = f"{row['saved_name']}+{env['saved_name']}"
                dotenv = CORPUS / "files" / env["saved_name"]
                cases.append(Case(label, source, _compose_name(name), dotenv))
    return cases


def _compose_name(name: str) -> str:
    return name if is_compose_name(name) else "compose.yaml"


def _repository_cases() -> list[Case]:
    found = sorted(
        {*ROOT.glob("examples/*/compose.yaml"), *ROOT.glob("tests/fixtures/*/compose.*.yaml"),
         *ROOT.glob("tests/fixtures/*/*.compose.yml")}
    )
    return [Case(str(path.relative_to(ROOT)), path, "compose.yaml") for path in found]


CASES = _corpus_cases() + _repository_cases()


@pytest.fixture(scope="module")
def validator() -> Any:
    if not SCHEMA.is_file():
        pytest.skip("../shared/schemas is not present")
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft7Validator(schema)


def _codes(result: object) -> set[tuple[str, str]]:
    assert isinstance(result, ComposeResult)
    assert result.error is None
    return {(f.code, f.message.split(" ", 1)[0]) for f in result.findings}


def test_the_repository_ships_compose_files_with_fixes() -> None:
    names = {case.label for case in _repository_cases()}
    assert "examples/compose/compose.yaml" in names
    assert "tests/fixtures/gomemlimit-malformed/compose.issue-api.yaml" in names
    assert len(names) >= 20


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.label)
def test_fixed_compose_files_stay_valid_compose(
    case: Case, unsafe: bool, project: Path, validator: Any
) -> None:
    data = case.source.read_bytes()
    validator.validate(yaml.safe_load(data))  # valid Compose to begin with
    (project / case.name).write_bytes(data)
    if case.dotenv is not None:
        shutil.copyfile(case.dotenv, project / ".env")
    before = lint(case.name, data, LintOptions())
    offered = [f for f in before.findings if applicable(f.fix, unsafe)]
    outcome = fix_file(case.name, data, LintOptions(), unsafe=unsafe)
    assert outcome.error is None
    assert len(outcome.fixed) == len(offered)  # every fix offered in this mode was applied
    same_apart_from_edits(data, outcome.data, [(a.start, a.end) for a in outcome.applied])
    validator.validate(yaml.safe_load(outcome.data))
    again = fix_file(case.name, outcome.data, LintOptions(), unsafe=unsafe)
    assert again.error is None
    assert again.data == outcome.data  # idempotent
    after = lint(case.name, outcome.data, LintOptions())
    assert _codes(after) <= _codes(before)  # no new finding
    assert len(after.findings) == len(before.findings) - len(outcome.fixed)


def test_fixes_are_exercised() -> None:
    """Enough of the cases above have fixes, in each mode, for the test to mean something."""
    counts = {False: 0, True: 0}
    for case in _repository_cases():
        result = lint(case.name, case.source.read_bytes(), LintOptions())
        for unsafe in counts:
            counts[unsafe] += any(applicable(f.fix, unsafe) for f in result.findings)
    assert counts[False] >= 4
    assert counts[True] >= counts[False] + 3
