"""benchmarks/compose-corpus.md states what dfmemlint reads from the corpus' Compose files."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.scripts import load_script

ROOT = Path(__file__).resolve().parents[1]
MANIFESTS = ROOT.parent / "shared" / "corpus" / "manifests"


compose_corpus = load_script(ROOT / "benchmarks" / "compose_corpus.py")


@pytest.mark.skipif(not MANIFESTS.is_dir(), reason="../shared/corpus is not present")
def test_report_is_what_the_reader_gives() -> None:
    assert (ROOT / "benchmarks" / "compose-corpus.md").read_text() == compose_corpus.report()


@pytest.mark.skipif(not MANIFESTS.is_dir(), reason="../shared/corpus is not present")
def test_every_manifest_line_number_is_read() -> None:
    """The values and limits are read from the lines the manifest's notes name."""
    text = compose_corpus.report()
    for expected in (
        "`192MiB` (L31, default of ${GOMEMLIMIT})",
        "`mem_limit: 256m` (L21)",
        "`deploy.resources.limits.memory: 512M` (L54)",
        "| 100.0 % | DFM007 error | MISTAKE",
        "`1536MiB` (L10, .env) | not set | 200.0 %",
        "unknown (L88: from the shell) | `off` (L87)",
        "`mem_limit: 16g` (L17) | `14GiB` (L33)",
    ):
        assert expected in text


def test_main_without_the_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compose_corpus, "MANIFESTS", tmp_path / "absent")
    assert compose_corpus.main([]) == 2


@pytest.mark.skipif(not MANIFESTS.is_dir(), reason="../shared/corpus is not present")
def test_findings_only_where_the_manifest_records_a_mistake() -> None:
    rows = [
        [cell.strip() for cell in line.split("|")[1:-1]]
        for line in compose_corpus.report().splitlines()
        if line.startswith("| ") and not line.startswith("| file")
    ]
    assert len(rows) == 19
    flagged = [(row[0], row[1]) for row in rows if row[7] != "none"]
    assert flagged == [
        ("fsvxavier__nexs-mcp__docker-compose.yml", "-"),
        ("joelkehle__pinakes__deploy__docker-compose.yml", "joelkehle__pinakes__deploy__.env.jk"),
    ]
    for row in rows:
        if row[8].startswith(("correct", "valid")):
            assert row[7] == "none", row


@pytest.mark.skipif(not MANIFESTS.is_dir(), reason="../shared/corpus is not present")
def test_corpus_compose_files_lint_and_fix_to_valid_compose() -> None:
    import json

    import jsonschema
    import yaml

    from dfmemlint.engine import LintOptions
    from dfmemlint.fix.fixer import fix_file
    from dfmemlint.formats import Format, lint

    schema = json.loads((ROOT.parent / "shared" / "schemas" / "compose-spec.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    files = MANIFESTS / "files"
    flagged: list[tuple[str, str, int, int]] = []
    for path in sorted(files.iterdir()):
        if not path.name.endswith((".yml", ".yaml")) or "compose" not in path.name:
            continue
        data = path.read_bytes()
        name = "docker-compose.yml"  # the corpus' flattened names are not Compose names
        result = lint(str(path), data, LintOptions(), Format.COMPOSE)
        flagged += [(path.name, f.code, f.line, f.column) for f in result.findings]
        outcome = fix_file(name, data, LintOptions(), unsafe=True)
        assert outcome.error is None, path.name
        again = fix_file(name, outcome.data, LintOptions(), unsafe=True)
        assert again.data == outcome.data
        validator.validate(yaml.safe_load(outcome.data))
    # The one mistake visible without the .env files, at the default's own position (L47).
    assert flagged == [("fsvxavier__nexs-mcp__docker-compose.yml", "DFM007", 47, 34)]
