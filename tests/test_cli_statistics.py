"""``--statistics`` in every format: a table (text), ruff's entries (json), refused where the
format holds findings only (github, sarif)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli

# DFM004 twice (one safe fix each), DFM008 once (no fix without a declared limit).
TWO_MALFORMED = (
    "FROM golang:1.22 AS build\nENV GOMEMLIMIT=1GB\nRUN go build -o /app\n"
    "FROM alpine\nCOPY --from=build /app /app\nENV GOMEMLIMIT=512MB\nCMD [\"/app\"]\n"
)
GOGC_OFF = (
    "FROM golang:1.22 AS build\nRUN go build -o /app\n"
    "FROM alpine\nCOPY --from=build /app /app\nENV GOMEMLIMIT=off GOGC=off\nCMD [\"/app\"]\n"
)


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(tmp_path)
    Path("a.Dockerfile").write_text(TWO_MALFORMED, encoding="utf-8")
    Path("b.Dockerfile").write_text(GOGC_OFF, encoding="utf-8")
    return ["a.Dockerfile", "b.Dockerfile"]


def _findings(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    _, out, _ = run_cli(capsys, "--format", "json", *args)
    entries = json.loads(out)
    assert isinstance(entries, list)
    return entries


def test_json_statistics_count_what_the_json_findings_list(
    capsys: pytest.CaptureFixture[str], files: list[str]
) -> None:
    code, out, err = run_cli(capsys, "--statistics", "--format", "json", *files)
    assert code == 1, err
    stats = json.loads(out)
    # Computed from the findings the same run lists, not written down here.
    findings = _findings(capsys, *files)
    counts: dict[object, int] = {}
    for finding in findings:
        counts[finding["code"]] = counts.get(finding["code"], 0) + 1
    assert {entry["code"]: entry["count"] for entry in stats} == counts
    assert [entry["count"] for entry in stats] == sorted(counts.values(), reverse=True)
    assert set(stats[0]) == {"code", "name", "count", "fixable"}
    by_code = {entry["code"]: entry for entry in stats}
    assert by_code["DFM004"] == {
        "code": "DFM004", "name": "gomemlimit-malformed", "count": 2, "fixable": True,
    }
    assert by_code["DFM008"]["fixable"] is False
    assert by_code["DFM008"]["name"] == "gogc-off-unbounded"


def test_json_statistics_fixable_means_fix_repairs_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # A value in range but above 95 % of the declared limit: DFM007 with an unsafe fix only.
    Path("Dockerfile").write_text(
        "FROM golang:1.22 AS build\nRUN go build -o /app\nFROM alpine\n"
        "COPY --from=build /app /app\nENV GOMEMLIMIT=500MiB\nCMD [\"/app\"]\n",
        encoding="utf-8",
    )
    args = ["--memory-limit", "512MiB", "Dockerfile"]
    [finding] = _findings(capsys, *args)
    assert finding["fix"] is not None
    assert finding["fix"]["applicability"] == "unsafe"
    _, out, _ = run_cli(capsys, "--statistics", "--format", "json", *args)
    [entry] = json.loads(out)
    assert (entry["code"], entry["fixable"]) == ("DFM007", False)
    _, out, _ = run_cli(capsys, "--statistics", "--no-color", *args)
    assert "[*]" not in out


def test_json_statistics_of_a_clean_or_empty_run_is_an_empty_array(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("Dockerfile").write_text("FROM python:3.12\nCMD [\"python\"]\n", encoding="utf-8")
    for quiet in ([], ["-q"]):
        code, out, _ = run_cli(capsys, "--statistics", "--format", "json", *quiet, "Dockerfile")
        assert (code, json.loads(out)) == (0, [])


def test_json_statistics_count_unreadable_paths(
    capsys: pytest.CaptureFixture[str], files: list[str]
) -> None:
    code, out, err = run_cli(capsys, "--statistics", "--format", "json", "gone", "also-gone")
    assert code == 2
    assert json.loads(out) == [
        {"code": None, "name": "input-error", "count": 2, "fixable": False}
    ]
    assert err.count("Error: ") == 2


def test_json_statistics_to_a_file(capsys: pytest.CaptureFixture[str], files: list[str]) -> None:
    code, out, _ = run_cli(capsys, "--statistics", "--format", "json", "-o", "s.json", *files)
    assert (code, out) == (1, "")
    _, printed, _ = run_cli(capsys, "--statistics", "--format", "json", *files)
    assert Path("s.json").read_text(encoding="utf-8") == printed
    assert {"DFM004", "DFM008"} <= {e["code"] for e in json.loads(printed)}


def test_json_statistics_after_fix_count_what_remains(
    capsys: pytest.CaptureFixture[str], files: list[str]
) -> None:
    code, out, err = run_cli(capsys, "--fix", "--statistics", "--format", "json", *files)
    assert code == 1
    remaining = [finding["code"] for finding in _findings(capsys, *files)]
    assert "DFM004" not in remaining
    assert "DFM008" in remaining
    assert {entry["code"]: entry["count"] for entry in json.loads(out)} == {
        code: remaining.count(code) for code in remaining
    }
    assert f"Fixed 2 findings ({len(remaining)} remaining)." in err


@pytest.mark.parametrize("output_format", ["github", "sarif"])
def test_statistics_in_a_findings_only_format_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], files: list[str], output_format: str
) -> None:
    code, out, err = run_cli(capsys, "--statistics", "--format", output_format, *files)
    assert (code, out) == (2, "")
    assert f"--statistics cannot be written as --format {output_format}" in err
    assert err.count("Error: ") == 1
    # Nothing was fixed either.
    code, _, _ = run_cli(capsys, "--fix", "--statistics", "--format", output_format, *files)
    assert code == 2
    assert "GOMEMLIMIT=512MB" in Path("a.Dockerfile").read_text(encoding="utf-8")
