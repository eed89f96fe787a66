"""The lint command line: ``dfmemlint [OPTIONS] PATH...`` (the fix options are tested in
test_cli_fix.py)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dfmemlint.cli import main

GO = (
    b"FROM golang:1.22 AS build\nRUN go build -o /app .\n\n"
    b'FROM alpine:3.20\nCOPY --from=build /app /app\nCMD ["/app"]\n'
)  # DFM006 (warning) on line 6
# DFM004 (error) on line 6
MALFORMED = GO.replace(b'CMD ["/app"]', b'ENV GOMEMLIMIT=512MB\nCMD ["/app"]')
CLEAN = GO.replace(b'CMD ["/app"]', b'ENV GOMEMLIMIT=400MiB\nCMD ["/app"]')
INFO = CLEAN.replace(b"RUN go build", b"RUN GOMEMLIMIT=1GiB go build")  # DFM001 info only
PYTHON = b'FROM python:3.12-slim\nCOPY . /app\nCMD ["python", "/app/main.py"]\n'


pytestmark = pytest.mark.usefixtures("isolated_cli")


def run(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def run_json(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[dict[str, object]]]:
    code, out, _err = run(["--format", "json", *args], capsys)
    return code, json.loads(out)


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --- exit codes ----------------------------------------------------------------------------------


def test_clean_file_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run([str(write(tmp_path / "Dockerfile", CLEAN))], capsys)
    assert code == 0
    assert err == ""


def test_findings_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "Dockerfile", MALFORMED)
    code, out, _ = run(["--no-color", str(path)], capsys)
    assert code == 1
    assert f"{path}:6:16: DFM004" in out


def test_info_findings_do_not_fail_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "Dockerfile", INFO)
    code, findings = run_json([str(path)], capsys)
    assert [(f["code"], f["severity"]) for f in findings] == [("DFM001", "info")]
    assert code == 0


@pytest.mark.parametrize(
    ("fail_on", "data", "expected"),
    [
        ("error", GO, 0),
        ("error", MALFORMED, 1),
        ("warning", GO, 1),
        ("info", INFO, 1),
        ("warning", INFO, 0),
    ],
)
def test_fail_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fail_on: str, data: bytes, expected: int
) -> None:
    path = write(tmp_path / "Dockerfile", data)
    code, _, _ = run(["--fail-on", fail_on, str(path)], capsys)
    assert code == expected


def test_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "Dockerfile", MALFORMED)
    code, out, _ = run(["--exit-zero", "--no-color", str(path)], capsys)
    assert code == 0
    assert "DFM004" in out


def test_missing_path_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([str(tmp_path / "nope" / "Dockerfile")], capsys)
    assert code == 2
    assert out == "Nothing was linted: 1 path could not be read.\n"  # never "All checks passed"
    assert err == f"Error: {tmp_path / 'nope' / 'Dockerfile'}: no such file or directory\n"


def test_missing_path_from_a_subprocess_has_no_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dfmemlint", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 2
    assert result.stdout == "Nothing was linted: 1 path could not be read.\n"
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_no_path_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--no-color"], capsys)
    assert code == 2
    assert err.endswith("Error: Missing argument 'PATH...'.\n")


def test_unknown_option_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--colour", str(write(tmp_path / "Dockerfile", GO))], capsys)
    assert code == 2
    assert "--colour" in err


def test_unknown_rule_code_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--select", "DFM042", str(write(tmp_path / "Dockerfile", GO))], capsys)
    assert code == 2
    assert "unknown rule code 'DFM042'" in err


def test_bad_memory_limit_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "Dockerfile", GO)
    code, out, err = run(["--memory-limit", "512M", str(path)], capsys)
    assert code == 2
    assert out == ""
    assert "ambiguous" in err


def test_file_buildkit_rejects_is_a_finding_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "Dockerfile", b"FROM alpine\nRUN <<EOF\necho\n")
    code, findings = run_json([str(path)], capsys)
    assert [f["code"] for f in findings] == ["DFM000"]
    assert code == 1


def test_undecodable_and_binary_input_does_not_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "Dockerfile", b"FROM golang:1.22\xff\nRUN \x1bgo build\n")
    code, _, err = run(["--no-color", str(path)], capsys)
    assert code in (0, 1)
    assert "Traceback" not in err
    # A NUL byte and bytes that are not UTF-8: a binary file, an input error in one line (it was
    # linted as a Dockerfile).
    path.write_bytes(b"FROM golang:1.22\xff\nRUN \x00go build\n")
    code, out, err = run(["--no-color", str(path)], capsys)
    assert (code, out) == (2, "Nothing was linted: 1 path could not be read.\n")
    assert err == (
        f"Error: {path}: a binary file (a NUL byte at offset 22, bytes that are not UTF-8 at "
        "offset 16), not a Dockerfile\n"
    )
    # A NUL in UTF-8 text is text: BuildKit reads it (and keeps the NUL in the instruction).
    path.write_bytes(GO.replace(b"FROM alpine:3.20\n", b"FROM alpine:3.20\nLABEL x=a\x00b\n"))
    code, out, err = run(["--no-color", str(path)], capsys)
    assert (code, err) == (1, "")
    assert "DFM006" in out


# --- paths ---------------------------------------------------------------------------------------

DOCKERFILE_NAMES = [
    "Dockerfile",
    "dockerfile",
    "Containerfile",
    "Dockerfile.prod",
    "Dockerfile-dev",
    "api.dockerfile",
    "api.Dockerfile",
    "DOCKERFILE.CI",
]
OTHER_NAMES = [
    "Dockerfile.dockerignore",
    "Dockerfile.md",
    "README",
    "docker-compose.txt",  # (docker-compose.yml is a Compose file: linted)
    "build.sh",
]


def test_directories_are_searched_for_dockerfile_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for index, name in enumerate(DOCKERFILE_NAMES):
        write(tmp_path / f"d{index}" / name, MALFORMED)
    for name in OTHER_NAMES:
        write(tmp_path / "other" / name, MALFORMED)
    for skipped in (".git", "node_modules", "vendor"):
        write(tmp_path / skipped / "Dockerfile", MALFORMED)
        write(tmp_path / "deep" / skipped / "x" / "Dockerfile", MALFORMED)
    code, findings = run_json([str(tmp_path)], capsys)
    found = sorted({Path(str(f["path"])).name for f in findings})
    assert found == sorted(DOCKERFILE_NAMES)
    assert all(f["code"] == "DFM004" for f in findings)
    assert code == 1


def test_a_file_named_on_the_command_line_is_linted_whatever_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path / "build.txt", MALFORMED)
    _, findings = run_json([str(path)], capsys)
    assert [f["code"] for f in findings] == ["DFM004"]


def test_several_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    one = write(tmp_path / "a" / "Dockerfile", MALFORMED)
    two = write(tmp_path / "b" / "Containerfile", GO)
    code, findings = run_json([str(one), str(two)], capsys)
    assert [(f["path"], f["code"]) for f in findings] == [
        (str(one), "DFM004"),
        (str(two), "DFM006"),
    ]
    assert code == 1


def test_directory_without_dockerfiles_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "README.md", b"# nothing here\n")
    code, _, err = run([str(tmp_path)], capsys)
    assert code == 2
    assert "no Dockerfiles, Kubernetes manifests or Compose files found" in err


def test_stdin_with_a_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(MALFORMED)))
    code, findings = run_json(["--stdin-filename", "svc/Dockerfile", "-"], capsys)
    assert [(f["path"], f["code"], f["line"], f["column"]) for f in findings] == [
        ("svc/Dockerfile", "DFM004", 6, 16)
    ]
    assert code == 1


def test_stdin_is_configured_like_the_file_it_stands_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path / "svc" / ".dfmemlint.toml", b'ignore = ["DFM006"]\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(GO)))
    code, findings = run_json(["--stdin-filename", "svc/Dockerfile", "-"], capsys)
    assert (code, findings) == (0, [])
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(GO)))
    code, findings = run_json(["--stdin-filename", "other/Dockerfile", "-"], capsys)
    assert code == 1
    assert [f["code"] for f in findings] == ["DFM006"]


def test_stdin_without_a_name(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(GO)))
    code, out, _ = run(["--no-color", "-"], capsys)
    assert code == 1
    assert out.startswith("-:6:1: DFM006")


# --- output --------------------------------------------------------------------------------------


def test_text_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "Dockerfile", MALFORMED)
    _, out, _ = run(["--no-color", "--format", "text", str(path)], capsys)
    assert out.startswith(f"{path}:6:16: DFM004")
    assert "ENV GOMEMLIMIT=512MB" in out  # the source line is shown
    assert "\x1b[" not in out


def test_json_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "Dockerfile", MALFORMED)
    _, findings = run_json([str(path)], capsys)
    (finding,) = findings
    assert {k: finding[k] for k in ("code", "name", "severity", "line", "column")} == {
        "code": "DFM004",
        "name": "gomemlimit-malformed",
        "severity": "error",
        "line": 6,
        "column": 16,
    }
    assert (finding["end_line"], finding["end_column"]) == (6, 21)


def test_clean_json_is_an_empty_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = run_json([str(write(tmp_path / "Dockerfile", CLEAN))], capsys)
    assert (code, findings) == (0, [])


def test_select_and_ignore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = MALFORMED.replace(b"RUN go build", b"RUN GOMEMLIMIT=2GiB go build")
    path = write(tmp_path / "Dockerfile", data)
    _, findings = run_json([str(path)], capsys)
    assert [f["code"] for f in findings] == ["DFM001", "DFM004"]
    _, findings = run_json(["--select", "DFM004", str(path)], capsys)
    assert [f["code"] for f in findings] == ["DFM004"]
    _, findings = run_json(["--ignore", "dfm004,DFM001", str(path)], capsys)
    assert findings == []
    code, findings = run_json(["--select", "DFM001", str(path)], capsys)
    assert [f["severity"] for f in findings] == ["info"]  # the final image sets its own limit
    assert code == 0


def test_statistics(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "a" / "Dockerfile", GO)
    write(tmp_path / "b" / "Dockerfile", GO)
    write(tmp_path / "c" / "Dockerfile", MALFORMED)
    code, out, _ = run(["--statistics", "--no-color", str(tmp_path)], capsys)
    lines = out.splitlines()
    assert lines[0].split() == ["2", "DFM006", "gomemlimit-missing"]
    assert lines[1].split() == ["1", "DFM004", "[*]", "gomemlimit-malformed"]
    # A total and what [*] means (the rows were all there was).
    assert lines[2:] == ["Found 3 findings in 3 files.", "[*] 1 fixable with --fix."]
    assert code == 1
    code, out, _ = run(["--statistics", "--no-color", "-q", str(tmp_path)], capsys)
    assert len(out.splitlines()) == 2


def test_statistics_of_a_clean_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Printed nothing at all.
    path = write(tmp_path / "Dockerfile", CLEAN)
    code, out, _ = run(["--statistics", "--no-color", str(path)], capsys)
    assert (code, out) == (0, "All checks passed (1 file).\n")
    code, out, _ = run(["--statistics", "--no-color", "--quiet", str(path)], capsys)
    assert (code, out) == (0, "")


def test_build_arg(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = b"ARG GO_VERSION=1.22\n" + CLEAN.replace(b"golang:1.22", b"golang:${GO_VERSION}")
    path = write(tmp_path / "Dockerfile", data)
    code, findings = run_json([str(path)], capsys)
    assert (code, findings) == (0, [])
    code, findings = run_json(["--build-arg", "GO_VERSION=1.18", str(path)], capsys)
    assert [(f["code"], f["severity"], f["line"]) for f in findings] == [("DFM005", "error", 2)]
    assert code == 1


def test_bad_build_arg_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--build-arg", "NOVALUE", str(write(tmp_path / "Dockerfile", GO))], capsys)
    assert code == 2
    assert err.endswith("\nError: Invalid value for '--build-arg': 'NOVALUE' is not NAME=VALUE\n")


def test_target(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = CLEAN + b"\nFROM golang:1.17 AS tools\nRUN go build -o /tool .\nCMD [\"/tool\"]\n"
    path = write(tmp_path / "Dockerfile", data)
    _, findings = run_json([str(path)], capsys)
    assert [f["code"] for f in findings] == ["DFM005", "DFM006"]  # the last stage is built
    _code, findings = run_json(["--target", "build", str(path)], capsys)
    assert findings == []  # a golang build stage with no start command runs nothing


@pytest.mark.parametrize("target", ["nope", "1"])  # "1": an index is not a stage name
def test_unknown_target_is_an_error_listing_the_stages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    # Was a warning, and the last stage was linted; docker build fails, so dfmemlint does too.
    data = CLEAN + b"\nFROM golang:1.17 AS tools\nRUN go build -o /tool .\nCMD [\"/tool\"]\n"
    path = write(tmp_path / "Dockerfile", data)
    for extra in ([], ["--fix"], ["--diff"]):
        code, out, err = run(["--target", target, *extra, str(path)], capsys)
        assert code == 2
        assert "Error: " not in out
        # An input error of that file, said once; the summary says a path could not be read.
        assert err.count("Error: ") == 1
        assert (
            f"Error: {path}: Invalid value for '--target': no stage named {target!r} "
            "(stage names: build, tools)\n"
        ) in err
        assert "1 path could not be read" in out + err
    assert path.read_bytes() == data


def test_a_file_without_the_target_does_not_stop_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each Dockerfile is built on its own: one without the --target stage is an input error
    of that file (in every format), the others are linted, a manifest has no stages to check."""
    has = write(tmp_path / "has.Dockerfile",
                b"FROM golang:1.22 AS build\nENV GOMEMLIMIT=512MB\nRUN go build -o /app .\n")
    lacks = write(tmp_path / "lacks.Dockerfile", b"FROM alpine AS tools\nCMD [\"x\"]\n")
    pod = write(tmp_path / "pod.yaml", b"apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n"
                b"spec:\n  containers:\n    - name: a\n      image: a\n      env:\n"
                b"        - {name: GOMEMLIMIT, value: 1GB}\n")
    code, findings = run_json(["--target", "build", str(has), str(lacks), str(pod)], capsys)
    assert code == 2
    by_path = {(f["path"], f["name"] if f["code"] is None else f["code"]) for f in findings}
    assert (str(lacks), "input-error") in by_path
    assert (str(has), "DFM004") in by_path
    assert (str(pod), "DFM004") in by_path


def test_notes_go_to_stderr(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # (A misplaced ignore comment, once a note, is a DFM017 finding: tests/test_engine.py.)
    data = b"# dfmemlint: global ignore=DFM001\n# syntax=docker/dockerfile:1\n" + GO
    _code, out, err = run(["--format", "json", str(write(tmp_path / "Dockerfile", data))], capsys)
    assert json.loads(out)[0]["code"] == "DFM006"
    path = tmp_path / "Dockerfile"
    assert err.startswith(f"Warning: {path}:2: the 'syntax' parser directive here is ignored ")
    assert err.count("\n") == 1


def test_python_image_has_no_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = run_json([str(write(tmp_path / "Dockerfile", PYTHON))], capsys)
    assert (code, findings) == (0, [])


# --- colour ------------------------------------------------------------------------------------


def _tty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)


def test_colour_on_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _tty(monkeypatch)
    _, out, _ = run([str(write(tmp_path / "Dockerfile", MALFORMED))], capsys)
    assert "\x1b[" in out


def test_no_colour_when_piped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run([str(write(tmp_path / "Dockerfile", MALFORMED))], capsys)
    assert "\x1b[" not in out


def test_no_color_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _tty(monkeypatch)
    _, out, _ = run(["--no-color", str(write(tmp_path / "Dockerfile", MALFORMED))], capsys)
    assert "\x1b[" not in out


def test_no_color_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _tty(monkeypatch)
    monkeypatch.setenv("NO_COLOR", "1")
    _, out, _ = run([str(write(tmp_path / "Dockerfile", MALFORMED))], capsys)
    assert "\x1b[" not in out


def test_json_never_has_colour(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _tty(monkeypatch)
    _, out, _ = run(["--format", "json", str(write(tmp_path / "Dockerfile", MALFORMED))], capsys)
    assert "\x1b[" not in out
    json.loads(out)


def test_python_dash_m(tmp_path: Path) -> None:
    path = write(tmp_path / "Dockerfile", MALFORMED)
    result = subprocess.run(
        [sys.executable, "-m", "dfmemlint", "--format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert json.loads(result.stdout)[0]["code"] == "DFM004"
