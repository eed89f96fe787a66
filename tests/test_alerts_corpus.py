"""benchmarks/alerts-corpus.md and alerts-corpus.rules.yaml state what ``dfmemlint alerts``
writes for the manifests corpus today, and promtool accepts the rules."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from types import ModuleType

import pytest
from helpers import tools
from helpers.scripts import load_script

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "manifests" / "files"


def _script() -> ModuleType:
    return load_script(ROOT / "benchmarks" / "alerts_corpus.py", register=True)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_committed_rules_and_tables_are_current(monkeypatch: pytest.MonkeyPatch) -> None:
    script = _script()
    monkeypatch.chdir(ROOT)
    rules, tables = script.build()
    assert script.RULES.read_text(encoding="utf-8") == rules
    current = script.REPORT.read_text(encoding="utf-8")
    assert script.report(current, tables) == current


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
def test_script_prints_the_tables(capsys: pytest.CaptureFixture[str]) -> None:
    script = _script()
    cwd = os.getcwd()
    try:
        assert script.main_script([]) == 0
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out
    assert out in script.REPORT.read_text(encoding="utf-8")


def test_committed_rules_pass_promtool() -> None:
    promtool = tools.promtool()
    path = ROOT / "benchmarks" / "alerts-corpus.rules.yaml"
    proc = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout
    assert "FAILED" not in proc.stdout
