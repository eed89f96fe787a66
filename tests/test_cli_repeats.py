"""Options given more than once, decided as ruff decides them.

ruff's rule lists (``--select``, ``--extend-select``, ``--ignore``) are comma-separated and every
occurrence counts (clap's ``ArgAction::Append``); its one-value options refuse a second
occurrence (clap 4's ``ArgAction::Set``). dfmemlint does the same, except that the same value
given twice is accepted (pre-commit's ``args`` may repeat what the hook's ``entry`` says)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.cli import run_cli

# DFM004 (512MB) in one file; DFM008 (GOGC=off without GOMEMLIMIT) and DFM006 (no GOMEMLIMIT)
# in the other.
MALFORMED = (
    "FROM golang:1.22 AS build\nRUN go build -o /app\n"
    "FROM alpine\nCOPY --from=build /app /app\nENV GOMEMLIMIT=512MB\nCMD [\"/app\"]\n"
)
GOGC_OFF = MALFORMED.replace("GOMEMLIMIT=512MB", "GOGC=off")


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.Dockerfile").write_text(MALFORMED, encoding="utf-8")
    (tmp_path / "b.Dockerfile").write_text(GOGC_OFF, encoding="utf-8")
    return ["a.Dockerfile", "b.Dockerfile"]


def _codes(capsys: pytest.CaptureFixture[str], *args: str) -> set[str]:
    code, out, err = run_cli(capsys, "--format", "json", *args)
    assert code in (0, 1), err
    return {entry["code"] for entry in json.loads(out)}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--select", "DFM004", "--select", "DFM008"], {"DFM004", "DFM008"}),
        (["--select", "DFM004,DFM008"], {"DFM004", "DFM008"}),
        (["--select=DFM004", "--select=DFM008"], {"DFM004", "DFM008"}),
        (["--select", "DFM004", "--select", "DFM004"], {"DFM004"}),
        (["--ignore", "DFM004", "--ignore", "DFM008"], {"DFM006"}),
        (["--ignore", "DFM004,DFM008"], {"DFM006"}),
        (["--select", "DFM004", "--extend-select", "DFM008"], {"DFM004", "DFM008"}),
        (["--select", "DFM004", "--extend-select", "DFM006", "--extend-select", "DFM008"],
         {"DFM004", "DFM006", "DFM008"}),
        # --ignore wins over --extend-select, as over --select.
        (["--select", "DFM004", "--extend-select", "DFM008", "--ignore", "DFM008"], {"DFM004"}),
        (["--select", "DFM004,DFM008", "--ignore", "DFM004", "--ignore", "DFM008"], set()),
    ],
)
def test_rule_lists_accumulate(
    capsys: pytest.CaptureFixture[str], files: list[str], args: list[str], expected: set[str]
) -> None:
    assert _codes(capsys, *args, *files) == expected


def test_extend_select_adds_to_the_configured_selection(
    capsys: pytest.CaptureFixture[str], files: list[str], tmp_path: Path
) -> None:
    (tmp_path / ".dfmemlint.toml").write_text('select = ["DFM004"]\n', encoding="utf-8")
    assert _codes(capsys, *files) == {"DFM004"}
    assert _codes(capsys, "--extend-select", "DFM008", *files) == {"DFM004", "DFM008"}


def test_an_unknown_code_in_a_later_occurrence_is_refused(
    capsys: pytest.CaptureFixture[str], files: list[str]
) -> None:
    code, out, err = run_cli(capsys, "--select", "DFM004", "--select", "DFM999", *files)
    assert code == 2
    assert out == ""
    assert "'DFM999'" in err
    assert "--select" in err


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "json", "--format", "text"],
        ["--memory-limit", "512MiB", "--memory-limit", "1GiB"],
        ["--ratio", "0.7", "--ratio", "0.8"],
        ["--fail-on", "error", "--fail-on", "warning"],
        ["--color", "never", "--color", "always"],
        ["--fix-style", "env", "--fix-style", "inline"],
        ["--target", "build", "--target", "final"],
        ["--config", "a.toml", "--config", "b.toml"],
        ["-o", "x.json", "--output-file", "y.json"],
        ["-o", "x.json", "--output", "y.json"],
        ["--stdin-filename", "a", "--stdin-filename", "b"],
    ],
)
def test_a_one_value_option_given_twice_differently_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], files: list[str], args: list[str], tmp_path: Path
) -> None:
    code, out, err = run_cli(capsys, *args, *files)
    assert code == 2
    assert out == ""
    assert "give it once" in err
    assert err.count("\nError: ") == 1
    assert "Usage: dfmemlint [OPTIONS] PATH..." in err
    assert not (tmp_path / "x.json").exists()
    assert not (tmp_path / "y.json").exists()


def test_the_same_value_twice_is_one_value(
    capsys: pytest.CaptureFixture[str], files: list[str]
) -> None:
    code, out, _ = run_cli(
        capsys, "--format", "json", "--format", "json", "--memory-limit", "512MiB",
        "--memory-limit", "512MiB", *files,
    )
    assert code == 1
    assert {entry["code"] for entry in json.loads(out)} >= {"DFM004", "DFM008"}


@pytest.mark.parametrize(
    "args",
    [
        ["budget", "512MiB", "--ratio", "0.7", "--ratio", "0.8"],
        ["budget", "512MiB", "--format", "json", "--format", "text"],
        ["budget", "512MiB", "--format", "prometheus", "--for", "1m", "--for", "5m"],
        ["inspect", "--target", "a", "--target", "b", "a.Dockerfile"],
        ["alerts", "--namespace", "a", "--namespace", "b", "a.Dockerfile"],
    ],
)
def test_subcommands_refuse_a_one_value_option_given_twice(
    capsys: pytest.CaptureFixture[str], files: list[str], args: list[str]
) -> None:
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert out == ""
    assert "give it once" in err


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--exit-zero", "--exit-non-zero-on-fix"],
         "--exit-zero cannot be combined with --exit-non-zero-on-fix"),
        (["-q", "-v"], "--quiet cannot be combined with --verbose"),
        (["--show-files", "--statistics"], "--show-files cannot be combined with --statistics"),
        (["--show-files", "--fix"], "--show-files cannot be combined with --fix"),
        (["--config", "nosuch.toml", "--isolated"], "--config cannot be combined with --isolated"),
        (["--show-files", "--unsafe-fixes"],
         "--show-files cannot be combined with --unsafe-fixes"),
        (["--show-files", "--diff"], "--show-files cannot be combined with --diff"),
    ],
)
def test_flags_that_ask_for_two_exclusive_things_are_refused(
    capsys: pytest.CaptureFixture[str], files: list[str], args: list[str], said: str,
    tmp_path: Path,
) -> None:
    before = (tmp_path / "a.Dockerfile").read_bytes()
    code, out, err = run_cli(capsys, *args, *files)
    assert (code, out) == (2, "")
    assert err.endswith(f"\nError: {said}\n")
    assert (tmp_path / "a.Dockerfile").read_bytes() == before  # nothing was fixed


@pytest.mark.parametrize(
    "args",
    [
        ["--extend-exclude", "a,b"],
        ["--extend-exclude", "a", "--extend-exclude", "b"],
        ["--extend-exclude=a,", "--extend-exclude", "b"],
        ["--exclude", "a,b"],
        ["--exclude", "a", "--exclude", "b"],
    ],
)
def test_exclude_patterns_are_comma_separated_and_repeatable(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    args: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("a", "b", "c"):
        (tmp_path / "tree" / name).mkdir(parents=True)
        (tmp_path / "tree" / name / "Dockerfile").write_text(GOGC_OFF, encoding="utf-8")
    code, out, _ = run_cli(capsys, "--show-files", *args, "tree")
    assert (code, out) == (0, "tree/c/Dockerfile\n")


def test_a_code_prefix_and_all_select_as_readme_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--select DFM00` is DFM000-DFM009, `--select ALL` every rule (README, Configuration)."""
    path = tmp_path / "Dockerfile"
    path.write_bytes(
        b"FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM alpine:3.20\n"
        b"COPY --from=build /app /app\n# dfmemlint: ignore=DFM999\nCMD [\"/app\"]\n"
    )
    codes = {}
    for chosen in ("DFM00", "ALL"):
        code, out, _ = run_cli(capsys, "--format", "json", "--select", chosen, str(path))
        assert code == 1
        codes[chosen] = {finding["code"] for finding in json.loads(out)}
    assert codes["DFM00"] == {"DFM006"}
    assert codes["ALL"] == {"DFM006", "DFM017"}
