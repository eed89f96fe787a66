"""README.md's rule table and commands agree with the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dfmemlint.cli import main
from dfmemlint.kubernetes.lint import MANIFEST_RULES
from dfmemlint.rules import REGISTRY
from dfmemlint.rules.catalog import CATALOG
from dfmemlint.yaml_findings import SYNTAX_CODE

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_rule_table_matches_catalog_and_registry() -> None:
    row = r"^\| \[(DFM\d{3})\]\(rules/(DFM\d{3})\.md\) \| ([a-z-]+) \| ([\w, ]+) \|"
    rows = re.findall(row, README, re.M)
    # Every severity a rule can report, its default first (DFM005 is often a warning).
    assert [(code, name, severity) for code, _, name, severity in rows] == [
        (rule.code, rule.name, ", ".join(s.label for s in rule.severities)) for rule in CATALOG
    ]
    assert all(code == page for code, page, _, _ in rows)
    # Every rule runs somewhere: on Dockerfiles, on manifests, or as the manifest syntax check.
    runs = {*REGISTRY, *MANIFEST_RULES, SYNTAX_CODE}
    assert sorted(runs) == [rule.code for rule in CATALOG]
    for code, _, _, _ in rows:
        assert (ROOT / "rules" / f"{code}.md").is_file()


def test_readme_commands_name_files_that_exist() -> None:
    assert "dfmemlint examples/Dockerfile" in README
    assert (ROOT / "examples" / "Dockerfile").is_file()
    assert "pip install -e '.[test]' && pytest" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install --quiet --disable-pip-version-check -e '.[test]'" in ci
    assert re.search(r"^pytest\b", ci, re.M)
    # The language server's tests run too: the test extra brings the lsp extra along.
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    extras = dict(re.findall(r"^(\w+) = \[\n(.*?)^\]", pyproject, re.M | re.S))
    assert '"dfmemlint[lsp]"' in extras["test"]
    assert '"pygls>=' in extras["lsp"]


def test_every_example_is_one_the_readme_runs() -> None:
    """``examples/`` holds only files the README names, one folder per kind of input (the
    Kubernetes examples live in examples/kubernetes, not in a second k8s folder)."""
    files = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "examples").rglob("*")
                   if p.is_file())
    assert files
    assert [f for f in files if f not in README] == []
    assert not (ROOT / "examples" / "k8s").exists()


def test_no_placeholders_left() -> None:
    assert not re.search(r"^[A-Z_]+_SECTION$", README, re.M)


def _block_after(prompt: str) -> str:
    """The text of the README code block that starts with ``$ <prompt>``, minus that line."""
    match = re.search(r"^\$ " + re.escape(prompt) + r"\n(.*?)^```$", README, re.M | re.S)
    assert match is not None, prompt
    return match.group(1)


def test_readme_diff_is_what_the_tool_prints(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    code = main(["--diff", "--memory-limit", "512MiB", "examples/Dockerfile"])
    assert code == 1
    assert capsys.readouterr().out == _block_after(
        "dfmemlint --diff --memory-limit 512MiB examples/Dockerfile"
    )


def test_readme_budget_is_what_the_tool_prints(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["budget", "512MiB"]) == 0
    assert capsys.readouterr().out == _block_after("dfmemlint budget 512MiB")
    assert main(["budget", "512M"]) == 2
    assert capsys.readouterr().err == _block_after("dfmemlint budget 512M")


def test_readme_compose_example_is_what_the_tool_prints(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    code = main(["--no-color", "examples/compose"])
    assert code == 1
    assert capsys.readouterr().out == _block_after("dfmemlint examples/compose")


def test_readme_kubernetes_example_is_what_the_tool_prints(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    example = "examples/kubernetes/deployment.yaml"
    assert main(["--no-color", example]) == 1
    assert capsys.readouterr().out == _block_after(f"dfmemlint {example}")
    assert main(["--diff", "--unsafe-fixes", example]) == 1
    assert capsys.readouterr().out == _block_after(f"dfmemlint --diff --unsafe-fixes {example}")
    assert main(["inspect", example]) == 0
    assert capsys.readouterr().out == _block_after(f"dfmemlint inspect {example}")
