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


def test_no_arguments_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    # Was the help and exit 0; like ruff, a run without a PATH is a usage error.
    assert main([]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "Usage: dfmemlint [OPTIONS] PATH...\n"
        "Try 'dfmemlint --help' for help.\n\n"
        "Error: Missing argument 'PATH...'.\n"
    )


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([flag]) == 0
    out = capsys.readouterr().out
    assert "Lint and fix Go memory settings" in out
    assert "Usage: dfmemlint [OPTIONS] PATH...  |  COMMAND [ARGS]..." in out
    # The lint command's own options are listed with the group's help.
    assert "Lint options (dfmemlint [OPTIONS] PATH...)" in out
    assert "--memory-limit" in out
    # The default command is not offered as a subcommand of its own.
    assert "check" in SUBCOMMANDS
    assert "  check " not in out


def test_help_lists_each_option_once_and_describes_path(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    assert out.count("-h, --help") == 1
    assert out.count("\n  PATH...") == 1
    assert "PATH...                         Dockerfiles, Kubernetes manifests, Compose" in out
    # Every format the tool reads, not only Dockerfiles.
    assert "in Dockerfiles,\n  Kubernetes manifests and Compose files." in out
    for flag in ("-q, --quiet", "-o, --output-file", "--config FILE", "--isolated", "--exclude",
                 "--color [auto|always|never]", "--statistics", "--show-fixes", "--show-files"):
        assert flag in out, flag
    assert "--no-color" not in out  # kept, hidden: --color never says it


def test_command_summaries_are_whole_sentences(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    commands = out.split("Commands:\n", 1)[1].splitlines()
    names = [line.split()[0] for line in commands]
    assert names == ["inspect", "budget", "alerts", "rule", "rules", "server"]
    for line in commands:
        assert not line.endswith("..."), line
        assert line.endswith((".", ")")), line


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([flag]) == 0
    assert capsys.readouterr().out == f"dfmemlint, version {__version__}\n"


@pytest.mark.parametrize(
    ("args", "usage", "message"),
    [
        (["--select"], "dfmemlint [OPTIONS] PATH...", "Option '--select' requires an argument."),
        (["--bogus", "x"], "dfmemlint [OPTIONS] PATH...", "No such option '--bogus'."),
        (["check", "--bogus", "x"], "dfmemlint [OPTIONS] PATH...", "No such option '--bogus'."),
        (["--fail-on", "fatal", "x"], "dfmemlint [OPTIONS] PATH...", "Invalid value for"),
        (["budget", "--ratio"], "dfmemlint budget [OPTIONS] SIZE", "requires an argument"),
        (["inspect"], "dfmemlint inspect [OPTIONS] PATH...", "Missing argument 'PATH...'."),
    ],
)
def test_usage_errors_name_the_command_typed(
    capsys: pytest.CaptureFixture[str], args: list[str], usage: str, message: str
) -> None:
    # Were "Usage: dfmemlint check ..." / "Try 'dfmemlint check --help'" (a command --help does
    # not list), and no usage at all for an option missing its value.
    assert main(args) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == f"Usage: {usage}"
    command = usage.split(" [")[0]
    assert lines[1] == f"Try '{command} --help' for help."
    assert lines[3].startswith("Error: ")
    assert message in lines[3]
    assert "dfmemlint check" not in err


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
