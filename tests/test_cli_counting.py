"""Each file a run is given is counted once, in the category it is in, in every output: linted
(the summary's "N files"), skipped for its content (a Helm chart template, YAML that is neither
a manifest nor a Compose file), or not readable. And machine formats are always written whole,
even when nothing was linted."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli

TEMPLATE = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Values.name }}\n"
    "spec:\n  template:\n    spec:\n      containers:\n        - name: api\n"
    "          env:\n            - name: GOMEMLIMIT\n              value: 512MB\n"
)
CLEAN = "FROM python:3.12\nCMD [\"python\"]\n"
GOGC_OFF = (
    "FROM golang:1.22 AS build\nRUN go build -o /app\n"
    "FROM alpine\nCOPY --from=build /app /app\nENV GOGC=off\nCMD [\"/app\"]\n"
)


@pytest.fixture
def chart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A chart directory: a Dockerfile with findings, a template, and values.yaml."""
    monkeypatch.chdir(tmp_path)
    root = Path("chart")
    (root / "templates").mkdir(parents=True)
    (root / "Dockerfile").write_text(GOGC_OFF, encoding="utf-8")
    (root / "templates" / "deployment.yaml").write_text(TEMPLATE, encoding="utf-8")
    (root / "values.yaml").write_text("name: api\n", encoding="utf-8")
    return root


TEMPLATE_PATH = "chart/templates/deployment.yaml"


def test_a_found_template_is_skipped_not_linted(
    capsys: pytest.CaptureFixture[str], chart: Path
) -> None:
    code, out, err = run_cli(capsys, "--no-color", str(chart))
    assert code == 1
    assert out.rstrip().splitlines()[-1].startswith("Found 2 findings")
    assert "in 1 file." in out  # the Dockerfile; not the template
    assert "1 Helm chart template skipped" in err
    assert TEMPLATE_PATH not in out


def test_show_files_lists_a_template_as_skipped(
    capsys: pytest.CaptureFixture[str], chart: Path
) -> None:
    code, out, err = run_cli(capsys, "--show-files", str(chart))
    assert code == 0
    assert out.splitlines() == ["chart/Dockerfile"]
    assert "1 Helm chart template" in err
    code, out, err = run_cli(capsys, "--show-files", "--verbose", str(chart))
    assert out.splitlines() == ["chart/Dockerfile"]
    assert f"Skipped {TEMPLATE_PATH}: a Helm chart template" in err
    assert err.count(TEMPLATE_PATH) == 1


def test_verbose_names_the_template_once(capsys: pytest.CaptureFixture[str], chart: Path) -> None:
    code, _, err = run_cli(capsys, "--verbose", str(chart))
    assert code == 1
    assert err.count(TEMPLATE_PATH) == 1


@pytest.mark.parametrize("named", [[TEMPLATE_PATH], [TEMPLATE_PATH, "chart/values.yaml"]])
def test_named_files_the_run_skips_are_not_counted_as_linted(
    capsys: pytest.CaptureFixture[str], chart: Path, named: list[str]
) -> None:
    code, out, err = run_cli(capsys, "--no-color", *named)
    assert code == 0
    assert out == f"Nothing was linted: {len(named)} file{'s' * (len(named) > 1)} skipped " \
        "(--verbose says why).\n"
    assert "All checks passed" not in out
    assert "1 Helm chart template skipped" in err
    # --show-files agrees: none of them would be linted.
    code, out, err = run_cli(capsys, "--show-files", *named)
    assert (code, out) == (0, "")
    assert "Skipped " in err


def test_a_named_template_beside_a_linted_file(
    capsys: pytest.CaptureFixture[str], chart: Path
) -> None:
    Path("Dockerfile").write_text(CLEAN, encoding="utf-8")
    code, out, _ = run_cli(capsys, "--no-color", "Dockerfile", TEMPLATE_PATH, "chart/values.yaml")
    assert (code, out) == (0, "All checks passed (1 file).\n")
    code, out, _ = run_cli(capsys, "--show-files", "Dockerfile", TEMPLATE_PATH)
    assert out.splitlines() == ["Dockerfile"]


def test_a_directory_of_templates_only_is_skipped_not_an_error(
    capsys: pytest.CaptureFixture[str], chart: Path
) -> None:
    code, out, err = run_cli(capsys, "--format", "json", "chart/templates")
    assert (code, json.loads(out)) == (0, [])
    assert "Error" not in err
    code, out, _ = run_cli(capsys, "--no-color", "chart/templates")
    assert (code, out) == (0, "Nothing was linted: 1 file skipped (--verbose says why).\n")


def _sarif(text: str) -> dict[str, Any]:
    log = json.loads(text)
    assert log["version"] == "2.1.0"
    [run] = log["runs"]
    assert isinstance(run, dict)
    return run


@pytest.mark.parametrize("quiet", [[], ["-q"]])
def test_machine_formats_are_whole_when_everything_was_skipped(
    capsys: pytest.CaptureFixture[str], chart: Path, quiet: list[str]
) -> None:
    code, out, _ = run_cli(capsys, *quiet, "--format", "json", TEMPLATE_PATH)
    assert (code, json.loads(out)) == (0, [])
    code, out, _ = run_cli(capsys, *quiet, "--format", "sarif", TEMPLATE_PATH)
    run = _sarif(out)
    assert code == 0
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True}]
    code, out, _ = run_cli(capsys, *quiet, "--format", "json", "-o", "r.json", TEMPLATE_PATH)
    assert (code, out) == (0, "")
    assert json.loads(Path("r.json").read_text(encoding="utf-8")) == []
    code, out, _ = run_cli(capsys, *quiet, "--format", "sarif", "-o", "r.sarif", TEMPLATE_PATH)
    assert _sarif(Path("r.sarif").read_text(encoding="utf-8"))["results"] == []


@pytest.mark.parametrize("fix", [[], ["--fix"]])
def test_machine_formats_are_whole_for_an_empty_directory(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    fix: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("empty").mkdir()
    code, out, _ = run_cli(capsys, *fix, "--format", "json", "empty")
    assert code == 2
    [entry] = json.loads(out)
    assert (entry["path"], entry["name"], entry["code"]) == ("empty", "input-error", None)
    code, out, _ = run_cli(capsys, *fix, "--format", "sarif", "-o", "e.sarif", "empty")
    assert (code, out) == (2, "")
    run = _sarif(Path("e.sarif").read_text(encoding="utf-8"))
    assert run["results"] == []
    assert [i["executionSuccessful"] for i in run["invocations"]] == [False]
    code, out, _ = run_cli(capsys, *fix, "--statistics", "--format", "json", "empty")
    assert code == 2
    assert json.loads(out) == [
        {"code": None, "name": "input-error", "count": 1, "fixable": False}
    ]


def test_an_env_file_no_project_reads_is_skipped_not_linted(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("app.env").write_text("GOMEMLIMIT=512MB\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "--no-color", "app.env")
    assert (code, out) == (0, "Nothing was linted: 1 file skipped (--verbose says why).\n")
    assert "nothing in it was checked" in err
    # Read by the Compose file named with it: linted, and its finding is reported there.
    Path("compose.yaml").write_text(
        "services:\n  api:\n    image: x\n    env_file: app.env\n", encoding="utf-8"
    )
    code, out, _ = run_cli(capsys, "--no-color", "app.env")
    assert code == 1
    assert out.startswith("app.env:1:12: DFM004")
    assert "in 1 file." in out


def test_show_files_exits_2_for_a_path_it_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--show-files says Error: for a missing path or a directory with nothing to lint; the exit
    code says so too, as a lint run's does."""
    (tmp_path / "Dockerfile").write_bytes(b"FROM alpine\n")
    (tmp_path / "empty").mkdir()
    for path in (str(tmp_path / "nosuch"), str(tmp_path / "empty")):
        code, out, err = run_cli(capsys, "--show-files", str(tmp_path / "Dockerfile"), path)
        assert code == 2
        assert "Error: " in err
        assert str(tmp_path / "Dockerfile") in out
    code, _, _ = run_cli(capsys, "--show-files", str(tmp_path / "Dockerfile"))
    assert code == 0


def test_the_verbose_hint_is_left_out_when_verbose(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.yaml"
    other.write_bytes(b"replicaCount: 2\n")
    code, out, _ = run_cli(capsys, str(other))
    assert (code, out) == (0, "Nothing was linted: 1 file skipped (--verbose says why).\n")
    code, out, err = run_cli(capsys, "--verbose", str(other))
    assert (code, out) == (0, "Nothing was linted: 1 file skipped.\n")
    assert str(other) in err  # --verbose named it and said why


@pytest.mark.parametrize("where", ["named", "stdin"])
def test_a_template_that_opens_with_an_action_is_skipped_under_any_name(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
) -> None:
    """A chart template whose first statement is a template action (`{{- $x := … }}`), named
    without a YAML suffix or piped, was read as a Dockerfile (a DFM000 on every line); it is
    skipped as a template, as under its usual name."""
    text = '{{- $name := include "app.name" . }}\n---\n' + TEMPLATE
    path = tmp_path / "deployment"
    path.write_text(text, encoding="utf-8")
    if where == "stdin":
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    code, out, err = run_cli(capsys, "--no-color", "-" if where == "stdin" else str(path))
    assert (code, out) == (0, "Nothing was linted: 1 file skipped (--verbose says why).\n")
    assert "Helm chart template" in err
    assert "DFM000" not in out + err
