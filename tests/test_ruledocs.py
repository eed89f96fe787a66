from __future__ import annotations

import json
import math
import re
from importlib import resources
from pathlib import Path

import pytest

from dfmemlint.cli import main
from dfmemlint.rules.catalog import CATALOG, RuleInfo

ROOT = Path(__file__).resolve().parents[1]
SECTIONS = ["## What it does", "## Why is this bad?", "## Example", "## Fix", "## Options"]


def packaged_page(code: str) -> str:
    return (resources.files("dfmemlint") / "ruledocs" / f"{code}.md").read_text("utf-8")


def test_one_page_per_rule_in_both_places() -> None:
    codes = {rule.code for rule in CATALOG}
    assert {p.stem for p in (ROOT / "rules").glob("*.md")} == codes
    assert {p.stem for p in (ROOT / "dfmemlint" / "ruledocs").glob("*.md")} == codes


@pytest.mark.parametrize("rule", CATALOG, ids=lambda rule: rule.code)
def test_page_matches_catalog_and_package_data(rule: RuleInfo) -> None:
    page = (ROOT / "rules" / f"{rule.code}.md").read_bytes()
    assert page == (ROOT / "dfmemlint" / "ruledocs" / f"{rule.code}.md").read_bytes()
    assert page.decode("utf-8") == packaged_page(rule.code)
    lines = page.decode("utf-8").splitlines()
    assert lines[0] == f"# {rule.code}: {rule.name}"
    assert lines[1] == ""
    assert re.fullmatch(rf"Severity: {rule.severity.label}( \(.+\))?", lines[2])


@pytest.mark.parametrize("rule", CATALOG, ids=lambda rule: rule.code)
def test_page_has_every_section_in_order(rule: RuleInfo) -> None:
    page = packaged_page(rule.code)
    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert headings == SECTIONS
    example = page.split("## Example", 1)[1].split("## Fix", 1)[0]
    # A bad and a good example, in the language of the files the rule reads.
    assert example.count("```dockerfile\n") >= 2 or example.count("```yaml\n") >= 2
    assert page.count("```") % 2 == 0
    fix = page.split("## Fix", 1)[1].split("## Options", 1)[0]
    assert re.search(r"\b(safe|unsafe|no automatic fix|no fix)\b", fix), "fix safety is stated"
    assert page.endswith("\n")
    assert not page.endswith("\n\n")


def test_pages_compute_their_numbers() -> None:
    """Every "floor(L MiB \u00d7 r) = N MiB" in the pages is the arithmetic it claims."""
    pattern = re.compile("floor\\((\\d+) MiB \u00d7 ([0-9.]+)\\) = (\\d+) MiB")
    seen = 0
    for rule in CATALOG:
        for limit, ratio, result in pattern.findall(packaged_page(rule.code)):
            assert math.floor(int(limit) * float(ratio)) == int(result)
            seen += 1
    assert seen > 0


def test_rule_prints_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    for spelling in ("DFM004", "dfm004", "gomemlimit-malformed", " DFM004 "):
        assert main(["rule", spelling]) == 0
        captured = capsys.readouterr()
        assert captured.out == packaged_page("DFM004")
        assert captured.err == ""


def test_rule_unknown_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rule", "DFM999"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.splitlines()) == 1
    assert "DFM999" in captured.err


def test_rules_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["CODE", "NAME", "SEVERITY", "SUMMARY"]
    assert len(lines) == len(CATALOG) + 1
    name_at, severity_at, summary_at = (lines[0].index(h) for h in ("NAME", "SEVERITY", "SUMMARY"))
    for line, rule in zip(lines[1:], CATALOG, strict=True):
        assert line[:name_at].rstrip() == rule.code
        assert line[name_at:severity_at].rstrip() == rule.name
        # Every severity the rule can report, the default first, as README's table lists them.
        assert line[severity_at:summary_at].rstrip() == rule.severity_labels
        assert line[summary_at:] == rule.summary
    severities = {line[:name_at].rstrip(): line[severity_at:summary_at].rstrip()
                  for line in lines[1:]}
    assert severities["DFM005"] == severities["DFM007"] == "error, warning"
    assert severities["DFM001"] == "warning, info"
    assert severities["DFM004"] == "error"


def readme_severities() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = r"^\| \[(DFM\d{3})\]\(rules/DFM\d{3}\.md\) \| [a-z-]+ \| ([\w, ]+) \|"
    return dict(re.findall(row, readme, re.M))


def test_rules_command_readme_and_pages_agree_on_severities(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rules", "--format", "json"]) == 0
    listed = {r["code"]: ", ".join(r["severities"]) for r in json.loads(capsys.readouterr().out)}
    assert listed == readme_severities()
    for rule in CATALOG:
        severity_line = packaged_page(rule.code).splitlines()[2]
        mentioned = re.findall(r"\b(error|warning|info)\b", severity_line)
        assert mentioned == [s.label for s in rule.severities], rule.code


def test_fixtures_report_only_declared_severities() -> None:
    """The declaration is complete: no fixture finding has a severity its rule does not
    declare (and each rule's other severities are reported by some fixture)."""
    reported: dict[str, set[str]] = {}
    for expected in (ROOT / "tests" / "fixtures").glob("*/*.expected"):
        for line in expected.read_text(encoding="utf-8").splitlines():
            _, code, severity = line.split()
            reported.setdefault(code, set()).add(severity)
    for rule in CATALOG:
        declared = {s.label for s in rule.severities}
        assert reported.get(rule.code, set()) <= declared, rule.code
        assert {s.label for s in rule.also} <= reported.get(rule.code, set()), rule.code


def test_rules_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert listing == [
        {
            "code": rule.code,
            "name": rule.name,
            "severity": rule.severity.label,
            "severities": [severity.label for severity in rule.severities],
            "summary": rule.summary,
            "url": f"https://github.com/dfmemlint/dfmemlint/blob/main/rules/{rule.code}.md",
        }
        for rule in CATALOG
    ]


def test_rules_rejects_unknown_format(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "xml"]) == 2
    assert "xml" in capsys.readouterr().err
