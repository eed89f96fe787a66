"""benchmarks/compose-corpus.md states what dfmemlint reads from the corpus' Compose files."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
MANIFESTS = ROOT.parent / "shared" / "corpus" / "manifests"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "compose_corpus", ROOT / "benchmarks" / "compose_corpus.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


compose_corpus = _load()


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
        "| 100.0 % | MISTAKE",
        "`1536MiB` (L10, .env) | not set | 200.0 %",
        "unknown (L88: from the shell) | `off` (L87)",
        "`mem_limit: 16g` (L17) | `14GiB` (L33)",
    ):
        assert expected in text


def test_main_without_the_corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compose_corpus, "MANIFESTS", tmp_path / "absent")
    assert compose_corpus.main([]) == 2
