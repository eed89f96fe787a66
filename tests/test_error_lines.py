"""Every refused value is reported in one style, wherever it was written.

Many bad invocations: flags and arguments (checked by click or by dfmemlint) and configuration
keys. From each run's standard error the one error line is collected; all of them match one
pattern, click's own wording for a bad option (``Invalid value for '--format': …``) after an
optional location (the configuration file, or the Dockerfile that lacks a ``--target`` stage),
and each names the setting that was wrong. (A refused ``# dfmemlint:`` comment is a finding,
DFM017, at the value in the file, not an error line.)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import pytest

from dfmemlint import config
from dfmemlint.cli import main

DOCKERFILE = b"""\
FROM golang:1.22 AS build
RUN go build -o /app .
FROM alpine:3.20
COPY --from=build /app /app
CMD ["/app"]
"""
ONE_STYLE = re.compile(
    r"(?P<level>Error): (?:(?P<where>.+?): )?Invalid value for '(?P<name>[^']+)': \S.*"
)
# click's lines around a usage error's own line; nothing else may be printed.
USAGE_LINES = re.compile(r"Usage: dfmemlint.*|Try 'dfmemlint.*--help' for help\.|")


class Case(NamedTuple):
    args: tuple[str, ...]
    name: str  # the setting the error line must name
    config: str | None = None  # a .dfmemlint.toml beside the Dockerfile


CASES = [
    # flags that dfmemlint checks
    Case(("--ratio", "2"), "--ratio"),
    Case(("--ratio", "abc"), "--ratio"),
    Case(("--memory-limit", "512"), "--memory-limit"),
    Case(("--memory-limit", "abc"), "--memory-limit"),
    Case(("--memory-limit", "2Pi"), "--memory-limit"),
    Case(("--memory-limit", "512M"), "--memory-limit"),
    Case(("--select", "DFM999"), "--select"),
    Case(("--ignore", "E501"), "--ignore"),
    Case(("--target", "nosuch"), "--target"),
    # flags that click checks
    Case(("--fail-on", "fatal"), "--fail-on"),
    Case(("--format", "xml"), "--format"),
    Case(("--color", "sometimes"), "--color"),
    Case(("--fix-style", "cmd"), "--fix-style"),
    Case(("--build-arg", "NOEQUALS"), "--build-arg"),
    Case(("--context", "no-such-directory"), "--context"),
    Case(("--fix", "--output-file", "{dockerfile}"), "--output-file"),
    # the other commands
    Case(("budget", "abc"), "SIZE"),
    Case(("budget", "-1"), "SIZE"),
    Case(("budget", "512MiB", "--ratio", "3"), "--ratio"),
    Case(("budget", "512MiB", "--format", "prometheus", "--workload", "x"), "--workload"),
    Case(("budget", "512MiB", "--format", "prometheus", "--for", "5x"), "--for"),
    Case(("rule", "DFM999"), "CODE"),
    # configuration
    Case((), "ratio", config="ratio = 2\n"),
    Case((), "ratio", config="ratio = 'most'\n"),
    Case((), "memory-limit", config="memory-limit = '512'\n"),
    Case((), "memory-limit", config="memory-limit = true\n"),
    Case((), "select", config="select = ['XX']\n"),
    Case((), "ignore", config="ignore = [1]\n"),
    Case((), "fail-on", config="fail-on = 'fatal'\n"),
    Case((), "severity", config="severity = 'error'\n"),
    Case((), "severity", config="[severity]\nDFM123 = 'error'\n"),
    Case((), "severity.DFM004", config="[severity]\nDFM004 = 'loud'\n"),
    Case((), "exclude", config="exclude = 3\n"),
    Case((), "extend-exclude", config="extend-exclude = [1]\n"),
]


def _error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: Case
) -> tuple[int, str, str]:
    """(exit code, the one error line, the Dockerfile's path) of one run."""
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_bytes(DOCKERFILE)
    if case.config is not None:
        (tmp_path / ".dfmemlint.toml").write_text(case.config, encoding="utf-8")
    config.clear_cache()
    args = [arg.replace("{dockerfile}", str(dockerfile)) for arg in case.args]
    takes_file = not args or args[0] not in ("budget", "rule")
    code = main(["--no-color", *args, str(dockerfile)] if takes_file else args)
    err = capsys.readouterr().err
    lines = err.splitlines()
    errors = [line for line in lines if not USAGE_LINES.fullmatch(line)]
    assert len(errors) == 1, err
    return code, errors[0], str(dockerfile)


@pytest.mark.parametrize("case", CASES, ids=lambda case: " ".join(case.args) or "-")
def test_each_error_names_the_setting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], case: Case
) -> None:
    code, line, dockerfile = _error_line(tmp_path, capsys, case)
    match = ONE_STYLE.fullmatch(line)
    assert match is not None, line
    assert match["name"] == case.name
    assert (code, match["level"]) == (2, "Error")
    if case.config is not None:
        assert match["where"] == str(Path(dockerfile).parent / ".dfmemlint.toml")
    else:
        # Only --target names a file: the one that lacks the stage.
        assert match["where"] == (dockerfile if case.name == "--target" else None)


def test_all_error_lines_share_one_prefix_style(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The collected lines side by side: one pattern, and the part before the setting's name is
    only ever a location, never an option name of its own (``--ratio: …``) or another word."""
    lines = []
    for number, case in enumerate(CASES):
        folder = tmp_path / str(number)
        folder.mkdir()
        lines.append(_error_line(folder, capsys, case)[1])
    assert all(ONE_STYLE.fullmatch(line) for line in lines), lines
    prefixes = {re.sub(r"'[^']+'.*", "", ONE_STYLE.sub(_without_where, line)) for line in lines}
    assert prefixes == {"Error: Invalid value for "}


def _without_where(match: re.Match[str]) -> str:
    return f"{match['level']}: Invalid value for '{match['name']}': …"


@pytest.mark.parametrize(
    ("settings", "name"),
    [
        ({"ratio": 2}, "dfmemlint.ratio"),
        ({"dfmemlint": {"ratio": "most"}}, "dfmemlint.ratio"),
        ({"memoryLimit": "512M"}, "dfmemlint.memoryLimit"),
        ({"settings": {"memory-limit": True}}, "dfmemlint.memory-limit"),
        ({"select": ["DFM999"]}, "dfmemlint.select"),
        ({"ignore": 3}, "dfmemlint.ignore"),
    ],
)
def test_editor_settings_errors_share_the_style(settings: object, name: str) -> None:
    """The language server's settings are refused in the same words, naming the setting as the
    editor shows it (the server puts the line in a window message after ``dfmemlint:``)."""
    from dfmemlint.server.settings import parse_settings

    with pytest.raises(config.ConfigError) as refused:
        parse_settings(settings)
    match = ONE_STYLE.fullmatch(f"Error: {refused.value}")
    assert match is not None, str(refused.value)
    assert (match["name"], match["where"]) == (name, None)
