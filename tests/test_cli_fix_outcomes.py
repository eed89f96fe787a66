"""What happened to each attempted fix reaches every output: fixes that were reverted (the fixed
text did not read, or a fix did not remove its finding) are a ``fix-error``, fixes that could
not be written an ``input-error`` (a file that cannot be written, as one that cannot be read);
either way SARIF's invocation is not successful and the run exits 2."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli

from dfmemlint.rules import REGISTRY
from dfmemlint.rules.base import Context, Problem

BROKEN = (
    "FROM golang:1.22 AS build\nRUN go build -o /app .\n"
    "FROM alpine:3.20\nCOPY --from=build /app /app\nENV GOMEMLIMIT=512MB\nCMD [\"/app\"]\n"
)
CLEAN = "FROM python:3.12\nCMD [\"python\"]\n"


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    monkeypatch.chdir(tmp_path)
    Path("Dockerfile").write_text(BROKEN, encoding="utf-8")
    Path("clean.dockerfile").write_text(CLEAN, encoding="utf-8")
    return "Dockerfile", "clean.dockerfile"


def _stuck_dfm004(monkeypatch: pytest.MonkeyPatch) -> None:
    """DFM004's fix writes the value back as it was: it cannot remove its finding."""
    original = REGISTRY["DFM004"]

    def check(ctx: Context) -> Iterator[Problem]:
        for problem in original(ctx):
            assert problem.fix is not None
            edit = problem.fix.edits[0]._replace(replacement=b"512MB")
            yield problem._replace(fix=problem.fix._replace(edits=(edit,)))

    monkeypatch.setitem(REGISTRY, "DFM004", check)


def _outputs(
    capsys: pytest.CaptureFixture[str], *args: str
) -> dict[str, tuple[int, str, str]]:
    return {
        fmt: run_cli(capsys, "--fix", "--format", fmt, *args)
        for fmt in ("text", "json", "github", "sarif")
    }


def _sarif_run(text: str) -> dict[str, Any]:
    [run] = json.loads(text)["runs"]
    assert isinstance(run, dict)
    return run


@pytest.mark.parametrize(
    ("break_it", "name", "said"),
    [
        ("revert", "fix-error", "fixes reverted: the fix for DFM004 did not remove its finding"),
        ("read-only", "input-error", "cannot write the fixes for DFM004: the file is read-only"),
    ],
)
def test_every_format_tells_what_happened_to_the_fixes(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    files: tuple[str, str],
    break_it: str,
    name: str,
    said: str,
) -> None:
    bad, clean = files
    if break_it == "revert":
        _stuck_dfm004(monkeypatch)
    else:
        Path(bad).chmod(0o444)
    outputs = _outputs(capsys, bad, clean)
    for fmt, (code, _, err) in outputs.items():
        assert code == 2, fmt
        assert err.count("Error: ") == 1, fmt
    assert Path(bad).read_text(encoding="utf-8") == BROKEN

    _, text, err = outputs["text"]
    what = "reverted" if break_it == "revert" else "not written"
    assert text.rstrip().endswith(f"in 1 of 2 files; the fixes to 1 file were {what}.\n"
                                  "1 fixable with --fix.".rstrip())
    assert f"Fixed 0 findings (1 remaining); the fixes to 1 file were {what}." in err

    _, out, _ = outputs["json"]
    first, *rest = json.loads(out)
    assert (first["path"], first["code"], first["name"]) == (bad, None, name)
    assert first["message"].startswith(said)
    assert [entry["code"] for entry in rest] == ["DFM004"]  # the finding is still there

    _, out, _ = outputs["github"]
    assert out.splitlines()[0].startswith(f"::error title={name},file={bad}::{bad}: {said}")

    _, out, _ = outputs["sarif"]
    run = _sarif_run(out)
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is False
    [note] = invocation["toolExecutionNotifications"]
    assert note["message"]["text"].startswith(f"{bad}: {said}")
    descriptors = run["tool"]["driver"]["notifications"]
    assert descriptors[note["descriptor"]["index"]]["id"] == note["descriptor"]["id"] == name
    assert [result["ruleId"] for result in run["results"]] == ["DFM004"]

    code, out, _ = run_cli(capsys, "--fix", "--statistics", "--format", "json", bad)
    assert code == 2
    assert json.loads(out)[0] == {"code": None, "name": name, "count": 1, "fixable": False}


def test_a_fix_run_that_worked_is_a_successful_invocation(
    capsys: pytest.CaptureFixture[str], files: tuple[str, str]
) -> None:
    code, out, _ = run_cli(capsys, "--fix", "--format", "sarif", *files)
    assert code == 0
    run = _sarif_run(out)
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert run["results"] == []
    assert "512MiB" in Path(files[0]).read_text(encoding="utf-8")


def test_read_errors_and_fix_errors_are_counted_apart(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, files: tuple[str, str]
) -> None:
    _stuck_dfm004(monkeypatch)
    code, out, _ = run_cli(capsys, "--fix", "--no-color", files[0], "gone")
    assert code == 2
    assert out.rstrip().splitlines()[-2] == (
        "Found 1 finding (1 error, 0 warnings, 0 info) in 1 file; 1 path could not be read; "
        "the fixes to 1 file were reverted."
    )
    code, out, _ = run_cli(capsys, "--fix", "--format", "json", files[0], "gone")
    assert [entry["name"] for entry in json.loads(out)][:2] == ["input-error", "fix-error"]
