"""A path that cannot be read is reported in every output format, not only on standard error.

Missing, unreadable and binary files, a directory that cannot be listed, standard input that
cannot be read: each is one ``Error:`` line on standard error, an ``input-error`` entry in
``--format json``, an ``::error`` annotation in ``--format github``, a tool execution
notification of a failed invocation in ``--format sarif``, and counted in the text summary
(which then never says "All checks passed"). The other files are still linted and fixed, and
the exit code is 2 whatever the format.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.cli import run_cli

BAD = (
    b"FROM golang:1.22 AS build\nRUN go build -o /app .\n\n"
    b'FROM alpine:3.20\nCOPY --from=build /app /app\nENV GOMEMLIMIT=512MB\nCMD ["/app"]\n'
)
CLEAN = b"FROM python:3.12\nCMD [\"python\"]\n"
BINARY = b"FROM golang:1.22\xff\nRUN \x00go build\n"
BINARY_REASON = (
    "a binary file (a NUL byte at offset 22, bytes that are not UTF-8 at offset 16), "
    "not a Dockerfile"
)


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    return run_cli(capsys, "--no-color", *map(str, args))


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with a Dockerfile with one finding, a clean one and a binary one."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_bytes(BAD)
    (tmp_path / "clean.dockerfile").write_bytes(CLEAN)
    (tmp_path / "bin.dockerfile").write_bytes(BINARY)
    return tmp_path


def input_error(path: str, message: str) -> dict[str, Any]:
    return {
        "path": path, "code": None, "name": "input-error", "severity": "error",
        "message": message, "line": 1, "column": 1, "end_line": 1, "end_column": 1, "fix": None,
    }


# --------------------------------------------------------------------------- every format


def test_missing_file_next_to_a_good_one_in_json(
    capsys: pytest.CaptureFixture[str], tree: Path
) -> None:
    code, out, err = run(capsys, "--format", "json", "gone/Dockerfile", "Dockerfile")
    assert code == 2
    entries = json.loads(out)
    assert entries[0] == input_error("gone/Dockerfile", "no such file or directory")
    assert [entry["code"] for entry in entries[1:]] == ["DFM004"]
    # Every entry has the keys of a finding, so a reader of the list reads the error too.
    assert all(entry.keys() == entries[0].keys() for entry in entries)
    assert err == "Error: gone/Dockerfile: no such file or directory\n"


def test_missing_file_next_to_a_good_one_in_github(
    capsys: pytest.CaptureFixture[str], tree: Path
) -> None:
    code, out, _ = run(capsys, "--format", "github", "gone/Dockerfile", "Dockerfile")
    assert code == 2
    lines = out.splitlines()
    assert lines[0] == (
        "::error title=input-error,file=gone/Dockerfile::gone/Dockerfile: no such file or directory"
    )
    assert lines[1] == "::group::Dockerfile"
    assert lines[2].startswith("::error title=DFM004 gomemlimit-malformed,file=Dockerfile,line=6,")


def test_missing_file_next_to_a_good_one_in_sarif(
    capsys: pytest.CaptureFixture[str], tree: Path
) -> None:
    code, out, _ = run(capsys, "--format", "sarif", "gone/Dockerfile", "Dockerfile")
    assert code == 2
    run_ = json.loads(out)["runs"][0]
    assert [result["ruleId"] for result in run_["results"]] == ["DFM004"]
    [invocation] = run_["invocations"]
    assert invocation["executionSuccessful"] is False
    [notification] = invocation["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["message"]["text"] == "gone/Dockerfile: no such file or directory"
    assert notification["locations"] == [
        {"physicalLocation": {"artifactLocation": {"uri": "gone/Dockerfile",
                                                   "uriBaseId": "%SRCROOT%"}}}
    ]
    descriptors = run_["tool"]["driver"]["notifications"]
    assert descriptors[notification["descriptor"]["index"]]["id"] == "input-error"


def test_sarif_of_a_run_that_read_everything_is_successful(
    capsys: pytest.CaptureFixture[str], tree: Path
) -> None:
    code, out, _ = run(capsys, "--format", "sarif", "Dockerfile")
    assert code == 1
    assert json.loads(out)["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def test_text_summary_counts_what_could_not_be_read(
    capsys: pytest.CaptureFixture[str], tree: Path
) -> None:
    code, out, err = run(capsys, "gone/Dockerfile", "clean.dockerfile", "bin.dockerfile")
    assert code == 2
    assert out == "No findings in 1 file; 2 paths could not be read.\n"
    assert "All checks passed" not in out
    assert err.splitlines() == [
        "Error: gone/Dockerfile: no such file or directory",
        f"Error: bin.dockerfile: {BINARY_REASON}",
    ]
    code, out, _ = run(capsys, "gone/Dockerfile", "clean.dockerfile", "Dockerfile")
    assert code == 2
    assert out.splitlines()[-2] == (
        "Found 1 finding (1 error, 0 warnings, 0 info) in 1 of 2 files; "
        "1 path could not be read."
    )
    code, out, _ = run(capsys, "--statistics", "gone/Dockerfile", "clean.dockerfile")
    assert (code, out) == (2, "No findings in 1 file; 1 path could not be read.\n")
    code, out, _ = run(capsys, "--statistics", "gone/Dockerfile", "Dockerfile")
    assert code == 2
    assert out.splitlines()[1] == "Found 1 finding in 1 file; 1 path could not be read."


def test_nothing_read_is_still_reported(capsys: pytest.CaptureFixture[str], tree: Path) -> None:
    code, out, _ = run(capsys, "--format", "json", "bin.dockerfile")
    assert (code, json.loads(out)) == (2, [input_error("bin.dockerfile", BINARY_REASON)])
    code, out, _ = run(capsys, "bin.dockerfile")
    assert (code, out) == (2, "Nothing was linted: 1 path could not be read.\n")
    code, out, _ = run(capsys, "--quiet", "bin.dockerfile")
    assert (code, out) == (2, "")
    code, out, _ = run(capsys, "--format", "sarif", "bin.dockerfile")
    run_ = json.loads(out)["runs"][0]
    assert (code, run_["results"]) == (2, [])
    assert run_["invocations"][0]["executionSuccessful"] is False


def test_report_to_a_file_carries_the_errors(
    capsys: pytest.CaptureFixture[str], tree: Path
) -> None:
    code, out, _ = run(capsys, "--format", "json", "-o", "report.json", "gone/Dockerfile")
    assert (code, out) == (2, "")
    entries = json.loads((tree / "report.json").read_text())
    assert entries == [input_error("gone/Dockerfile", "no such file or directory")]


def test_reporters_escape_and_colour_input_errors() -> None:
    """A path cannot forge a workflow command or a JSON value, and the summary of a run with
    errors is red, never the green of a clean run."""
    from dfmemlint.reporters import InputProblem, Report, github, text
    from dfmemlint.reporters import json as json_reporter

    problem = InputProblem("a,b:c\n::error::x%.dockerfile", "no such file or directory")
    report = Report((), {}, 1, (problem,))
    assert github.render(report) == (
        "::error title=input-error,file=a%2Cb%3Ac%0A%3A%3Aerror%3A%3Ax%25.dockerfile::"
        "a,b:c%0A::error::x%25.dockerfile: no such file or directory\n"
    )
    assert json.loads(json_reporter.render(report))[0]["path"] == problem.path
    assert text.render(report, color=True) == (
        "\x1b[31mNo findings in 1 file; 1 path could not be read.\x1b[0m\n"
    )
    assert text.render(Report((), {}, 1), color=True) == (
        "\x1b[32mAll checks passed (1 file).\x1b[0m\n"
    )


# --------------------------------------------------------------------------- kinds of input error


def test_unreadable_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tree: Path
) -> None:
    """Permission bits do not stop root, so the refusal comes from ``open`` itself."""
    real_open = os.open

    def deny(path: str, flags: int, *args: int) -> int:
        if os.fspath(path) == "clean.dockerfile":
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(os, "open", deny)
    code, out, _ = run(capsys, "--format", "github", "clean.dockerfile")
    assert code == 2
    assert out == (
        "::error title=input-error,file=clean.dockerfile::clean.dockerfile: cannot read: "
        "Permission denied\n"
    )


def test_directory_that_cannot_be_listed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tree: Path
) -> None:
    """A directory the search cannot list is an input error, not silently passed over."""
    (tree / "locked").mkdir()
    (tree / "locked" / "Dockerfile").write_bytes(BAD)
    real_scandir = os.scandir

    def deny(path: Any = ".") -> Any:
        if os.path.basename(os.path.normpath(os.fspath(path))) == "locked":
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", deny)
    locked = os.path.join(".", "locked")
    code, out, err = run(capsys, "--format", "json", ".")
    assert code == 2
    entries = json.loads(out)
    assert entries[:2] == [
        input_error("locked", "cannot read: Permission denied"),
        input_error("bin.dockerfile", BINARY_REASON),
    ]
    assert [(entry["path"], entry["code"]) for entry in entries[2:]] == [("Dockerfile", "DFM004")]
    assert err.splitlines()[0] == "Error: locked: cannot read: Permission denied"
    # Named itself: one error, not also "nothing found in this directory".
    code, out, err = run(capsys, locked)
    assert code == 2
    assert out == "Nothing was linted: 1 path could not be read.\n"
    assert err == "Error: locked: cannot read: Permission denied\n"


def test_directory_with_nothing_to_lint(capsys: pytest.CaptureFixture[str], tree: Path) -> None:
    (tree / "empty").mkdir()
    code, out, _ = run(capsys, "--format", "json", "empty", "Dockerfile")
    assert code == 2
    assert json.loads(out)[0] == input_error(
        "empty", "no Dockerfiles, Kubernetes manifests or Compose files found in this directory"
    )


def test_standard_input_that_is_binary(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Standard input is reported under the name it is linted as (``--stdin-filename``)."""
    for args, name in (((), "-"), (("--stdin-filename", "api/Dockerfile"), "api/Dockerfile")):
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BINARY)))
        code, out, err = run(capsys, "--format", "json", *args, "-")
        assert code == 2
        assert json.loads(out) == [input_error(name, BINARY_REASON)]
        assert err == f"Error: standard input: {BINARY_REASON}\n"


def test_standard_input_closed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    code, out, _ = run(capsys, "--format", "json", "-")
    assert (code, json.loads(out)) == (2, [input_error("-", "standard input is closed")])


# --------------------------------------------------------------------------- fixing


def test_fix_and_diff_carry_the_errors_too(
    capsys: pytest.CaptureFixture[str], tree: Path
) -> None:
    code, out, err = run(capsys, "--diff", "gone/Dockerfile", "Dockerfile")
    assert code == 2
    assert out.startswith("--- a/Dockerfile\n")
    assert err.splitlines()[-1] == "Would fix 1 finding; 1 path could not be read."
    code, out, err = run(capsys, "--fix", "--format", "json", "gone/Dockerfile", "Dockerfile")
    assert code == 2
    assert json.loads(out) == [input_error("gone/Dockerfile", "no such file or directory")]
    assert err.splitlines()[-1] == "Fixed 1 finding (0 remaining); 1 path could not be read."
    assert (tree / "Dockerfile").read_bytes() == BAD.replace(b"=512MB", b"=512MiB")
    code, out, _ = run(capsys, "--fix", "gone/Dockerfile", "Dockerfile")
    assert (code, out) == (2, "No findings in 1 file; 1 path could not be read.\n")


# --------------------------------------------------------------------------- README


def _readme_block(prompt: str) -> str:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^\$ " + re.escape(prompt) + r"\n(.*?)^```$", readme, re.M | re.S)
    assert match is not None, prompt
    return match.group(1)


def test_readme_examples_are_what_the_tool_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[1])
    code, out, err = run(capsys, "examples/compose/Dockerfile", "gone/Dockerfile")
    assert code == 2
    assert out == _readme_block("dfmemlint examples/compose/Dockerfile gone/Dockerfile")
    assert err == "Error: gone/Dockerfile: no such file or directory\n"
    code, out, _ = run(capsys, "--format", "json", "gone/Dockerfile")
    assert code == 2
    assert out == _readme_block("dfmemlint --format json gone/Dockerfile")


def test_language_server_reports_a_document_it_cannot_lint_alike(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The editor's counterpart: one error diagnostic with no rule code, like json's
    ``"code": null``."""
    pytest.importorskip("lsprotocol")
    from lsprotocol import types

    from dfmemlint.server import linting
    from dfmemlint.server.diagnostics import LineIndex, diagnostics
    from dfmemlint.server.settings import ClientSettings

    monkeypatch.setattr(linting, "MAX_FILE_BYTES", 10)
    document = linting.lint_document(
        str(tmp_path / "Dockerfile"), "FROM golang:1.22\n", ClientSettings()
    )
    [diagnostic] = diagnostics(document, LineIndex(document.data))
    assert (diagnostic.code, diagnostic.severity) == (None, types.DiagnosticSeverity.Error)
    assert diagnostic.message.endswith("; not linted")
