"""The command-line group: default command, subcommands, help, version, python -m."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dfmemlint import __version__
from dfmemlint.cli import SUBCOMMANDS, main

GO = (
    b"FROM golang:1.22 AS build\nRUN go build -o /app .\n"
    b'FROM alpine:3.20\nCOPY --from=build /app /app\nENV GOMEMLIMIT=512MB\nCMD ["/app"]\n'
)


def test_no_arguments_shows_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "Usage: dfmemlint [OPTIONS] PATH...  |  COMMAND [ARGS]..." in out
    for name in ("inspect", "budget", "rule", "rules"):
        assert name in out
    # The lint command's own options are listed with the group's help.
    assert "Lint options (dfmemlint [OPTIONS] PATH...)" in out
    assert "--memory-limit" in out
    # The default command is not offered as a subcommand of its own.
    assert "check" in SUBCOMMANDS
    assert "  check " not in out


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([flag]) == 0
    assert "Lint and fix Go memory settings" in capsys.readouterr().out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"dfmemlint, version {__version__}\n"


def test_the_default_command_lints(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(GO)
    assert main(["--no-color", "--select", "DFM004", str(path)]) == 1
    assert f"{path}:5:16: DFM004" in capsys.readouterr().out


def test_a_file_named_like_a_subcommand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("inspect").write_bytes(GO)
    assert main(["--no-color", "--select", "DFM004", "./inspect"]) == 1
    assert "inspect:5:16: DFM004" in capsys.readouterr().out
    # Without ./ the word is the subcommand, which reads the same file.
    assert main(["inspect", "inspect"]) == 0
    assert "FROM alpine:3.20" in capsys.readouterr().out


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--no-such-option", "Dockerfile"]) == 2
    assert "No such option" in capsys.readouterr().err


def test_subcommand_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["budget"]) == 2
    assert "Missing argument" in capsys.readouterr().err


def test_python_dash_m(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(GO)
    done = subprocess.run(
        [sys.executable, "-m", "dfmemlint", "--no-color", "--select", "DFM004", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert "DFM004" in done.stdout
    assert "Traceback" not in done.stderr
