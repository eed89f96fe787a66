"""DFM017: a ``# dfmemlint:`` comment that does not work is a finding in every output format, at
the comment's value, and fails the run as the same value on the command line does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.cli import run_cli as run
from lsprotocol import types

from dfmemlint.server.diagnostics import LineIndex, diagnostics
from dfmemlint.server.linting import lint_document
from dfmemlint.server.settings import ClientSettings

GO = (
    b"FROM golang:1.22 AS build\nRUN go build -o /app .\n\n"
    b"FROM alpine:3.20\nCOPY --from=build /app /app\n"
)
# DFM017 (error) at 6:27-6:31; DFM006 (warning) at 7:1.
AMBIGUOUS = GO + b'# dfmemlint: memory-limit=512M\nCMD ["/app"]\n'
# DFM017 (warning) at 6:21-6:27 only: the GOMEMLIMIT is fine.
UNKNOWN_CODE = GO + b'# dfmemlint: ignore=DFM0O6\nENV GOMEMLIMIT=400MiB\nCMD ["/app"]\n'
MANIFEST = b"""apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  containers:
    - name: api
      image: api:1
      env:
        - name: GOMEMLIMIT
          # dfmemlint: ignore=DFM004,DFM44
          value: "400MiB"
"""


pytestmark = pytest.mark.usefixtures("isolated_cli")


def write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def test_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "Dockerfile", AMBIGUOUS)
    code, out, err = run(capsys, "--no-color", path)
    assert (code, err) == (1, "")
    assert out.startswith(
        f"{path}:6:27: DFM017 [error] This memory-limit declares no limit: 512M is ambiguous: "
        "Kubernetes reads it as 512,000,000 bytes (488.3 MiB), Docker as 536,870,912 bytes "
        "(512 MiB); write 512Mi/512MiB or 512m (Docker) or 512e6 instead (the command line and "
        "the configuration refuse it too).\n"
        " 6 | # dfmemlint: memory-limit=512M\n"
        "   |                           ^^^^\n"
    )


def test_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "Dockerfile", AMBIGUOUS)
    code, out, _ = run(capsys, "--format", "json", path)
    assert code == 1
    first, second = json.loads(out)
    assert {k: first[k] for k in ("code", "name", "severity", "line", "column", "end_line",
                                  "end_column", "fix")} == {
        "code": "DFM017", "name": "dfmemlint-comment", "severity": "error", "line": 6,
        "column": 27, "end_line": 6, "end_column": 31, "fix": None,
    }
    assert second["code"] == "DFM006"


def test_github(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "Dockerfile", UNKNOWN_CODE)
    code, out, _ = run(capsys, "--format", "github", path)
    assert code == 1
    (line,) = [line for line in out.splitlines() if "DFM017" in line]
    assert line.startswith(
        f"::warning title=DFM017 dfmemlint-comment,file={path},line=6,endLine=6,col=21,"
        "endColumn=26::'DFM0O6' is not a dfmemlint rule code"
    )


def test_sarif(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "Dockerfile", AMBIGUOUS)
    code, out, _ = run(capsys, "--format", "sarif", path)
    assert code == 1
    run_ = json.loads(out)["runs"][0]
    rules = {rule["id"]: rule for rule in run_["tool"]["driver"]["rules"]}
    assert rules["DFM017"]["name"] == "dfmemlint-comment"
    assert rules["DFM017"]["helpUri"].endswith("/rules/DFM017.md")
    (result,) = [r for r in run_["results"] if r["ruleId"] == "DFM017"]
    assert result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endLine"],
            region["endColumn"]) == (6, 27, 6, 31)
    assert "fixes" not in result


def test_language_server_diagnostic(tmp_path: Path) -> None:
    document = lint_document(str(tmp_path / "Dockerfile"), AMBIGUOUS.decode(), ClientSettings())
    found = [d for d in diagnostics(document, LineIndex(document.data)) if d.code == "DFM017"]
    assert len(found) == 1
    assert found[0].severity == types.DiagnosticSeverity.Error
    assert found[0].range == types.Range(  # zero-based lines and characters
        start=types.Position(line=5, character=26), end=types.Position(line=5, character=30)
    )
    assert found[0].message.startswith("This memory-limit declares no limit: 512M is ambiguous")


@pytest.mark.parametrize(
    ("data", "fail_on", "code"),
    [
        (AMBIGUOUS, None, 1),
        (AMBIGUOUS, "error", 1),  # an error: fails even where warnings do not
        (AMBIGUOUS, "none", 0),
        (UNKNOWN_CODE, None, 1),  # the default fail-on is warning
        (UNKNOWN_CODE, "warning", 1),
        (UNKNOWN_CODE, "error", 0),
    ],
)
def test_exit_code_per_fail_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, fail_on: str | None, code: int
) -> None:
    path = write(tmp_path / "Dockerfile", data)
    args = ["--fail-on", fail_on] if fail_on else []
    assert run(capsys, *args, "--format", "json", path)[0] == code


def test_fail_on_from_configuration(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".dfmemlint.toml").write_text('fail-on = "error"\n', encoding="utf-8")
    path = write(tmp_path / "Dockerfile", AMBIGUOUS.replace(b"512M", b"512"))
    code, out, _ = run(capsys, "--format", "json", path)
    assert code == 1
    assert json.loads(out)[0]["message"].endswith(
        "512 bytes, under 4 MiB: too small for a container that runs a Go program; did you mean "
        "512MiB? (the command line and the configuration refuse it too)."
    )


def test_the_same_value_on_the_command_line_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "Dockerfile", GO + b'CMD ["/app"]\n')
    code, _, err = run(capsys, "--memory-limit", "512M", path)
    assert code == 2
    assert err.startswith("Error: Invalid value for '--memory-limit': 512M is ambiguous")


def test_fix_does_not_use_the_refused_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "Dockerfile", AMBIGUOUS)
    code, _, _ = run(capsys, "--fix", "--unsafe-fixes", path)
    assert code == 1
    assert Path(path).read_bytes() == AMBIGUOUS  # no GOMEMLIMIT computed from 512M
    # A valid comment does give the fix its limit: floor(512 MiB x 0.8) = 409 MiB.
    write(Path(path), AMBIGUOUS.replace(b"512M", b"512MiB"))
    run(capsys, "--fix", path)
    assert b"ENV GOMEMLIMIT=409MiB\n" in Path(path).read_bytes()


def test_fix_falls_back_to_the_configured_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".dfmemlint.toml").write_text('memory-limit = "1GiB"\n', encoding="utf-8")
    path = write(tmp_path / "Dockerfile", AMBIGUOUS)
    code, _, _ = run(capsys, "--fix", path)
    assert code == 1  # DFM017 stays
    fixed = Path(path).read_bytes()
    assert b"ENV GOMEMLIMIT=819MiB\n" in fixed  # floor(1024 MiB x 0.8), not from 512M
    assert b"# dfmemlint: memory-limit=512M\n" in fixed


def test_manifest_comment_with_an_unknown_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "pod.yaml", MANIFEST)
    code, out, _ = run(capsys, "--format", "json", path)
    assert code == 1
    # DFM004, which the value does not have, is an unused suppression (intended change: a
    # finding too, over the comment's codes).
    unused, finding = json.loads(out)
    assert (unused["code"], unused["severity"], unused["line"], unused["column"],
            unused["end_column"]) == ("DFM017", "warning", 11, 31, 43)
    assert unused["message"].startswith("ignore=DFM004 suppresses nothing")
    assert (finding["code"], finding["severity"], finding["line"], finding["column"],
            finding["end_column"]) == ("DFM017", "warning", 11, 38, 43)
    assert finding["message"].startswith("'DFM44' is not a dfmemlint rule code")
    # Suppressed like any other finding.
    ignored = MANIFEST.replace(b"apiVersion", b"# dfmemlint: global ignore=DFM017\napiVersion")
    write(tmp_path / "pod.yaml", ignored)
    assert run(capsys, "--format", "json", path)[:2] == (0, "[]\n")


def test_compose_comment_with_an_unknown_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    compose = (
        b"services:\n  api:\n    image: api:1\n    mem_limit: 512m\n"
        b"    # dfmemlint: memory-limit=1g\n    environment:\n      GOMEMLIMIT: 400MiB\n"
    )
    path = write(tmp_path / "compose.yaml", compose)
    code, out, _ = run(capsys, "--format", "json", path)
    assert code == 1
    (finding,) = json.loads(out)
    assert (finding["code"], finding["severity"], finding["line"], finding["column"],
            finding["end_column"]) == ("DFM017", "warning", 5, 18, 33)
    assert "mem_limit" in finding["message"]
