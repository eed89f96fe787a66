"""A refused ratio is refused for its own reason, wherever it is written: a ratio of 0 or below
is not explained by the upper bound's headroom (the range is above 0 and at most 0.95)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from helpers.cli import run_cli

from dfmemlint.config import ConfigError
from dfmemlint.golang.headroom import ratio_problem
from dfmemlint.server.settings import parse_settings

HEADROOM = "too little room"
# (ratio as written, a phrase the message must hold, whether the headroom explanation fits)
CASES = [
    ("0", "GOMEMLIMIT=0", False),
    ("0.0", "GOMEMLIMIT=0", False),
    ("-0.5", "negative GOMEMLIMIT", False),
    ("-inf", "negative GOMEMLIMIT", False),
    ("nan", "must be a number", False),
    ("0.96", HEADROOM, True),
    ("inf", HEADROOM, True),
]


def _fits(message: str, phrase: str, headroom: bool) -> None:
    assert "above 0 and at most 0.95" in message
    assert phrase in message
    assert (HEADROOM in message) is headroom, message
    assert "\n" not in message.rstrip("\n")


@pytest.mark.parametrize(("written", "phrase", "headroom"), CASES)
def test_ratio_problem(written: str, phrase: str, headroom: bool) -> None:
    problem = ratio_problem(float(written))
    assert problem is not None
    _fits(problem, phrase, headroom)


def test_an_acceptable_ratio_has_no_problem() -> None:
    assert [ratio_problem(r) for r in (0.95, 0.8, 1e-9)] == [None, None, None]
    assert ratio_problem(math.nan) is not None


@pytest.mark.parametrize(("written", "phrase", "headroom"), CASES)
def test_budget_flag(
    capsys: pytest.CaptureFixture[str], written: str, phrase: str, headroom: bool
) -> None:
    code, out, err = run_cli(capsys, "budget", "512MiB", f"--ratio={written}")
    assert (code, out) == (2, "")
    assert err.startswith("Error: Invalid value for '--ratio': ")
    _fits(err, phrase, headroom)


@pytest.mark.parametrize("where", ["flag", "configuration"])
@pytest.mark.parametrize(("written", "phrase", "headroom"), CASES)
def test_lint(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    written: str,
    phrase: str,
    headroom: bool,
    where: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM alpine\n")
    flags = [f"--ratio={written}"] if where == "flag" else []
    if where == "configuration":
        (tmp_path / ".dfmemlint.toml").write_text(f"ratio = {written}\n")
    code, _, err = run_cli(capsys, *flags, "Dockerfile")
    assert code == 2
    expected = (
        "Error: Invalid value for '--ratio': " if where == "flag"
        else f"Error: {tmp_path / '.dfmemlint.toml'}: Invalid value for 'ratio': "
    )
    assert err.startswith(expected)
    _fits(err, phrase, headroom)


@pytest.mark.parametrize(("written", "phrase", "headroom"), CASES)
def test_language_server_settings(written: str, phrase: str, headroom: bool) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings({"dfmemlint": {"ratio": float(written)}})
    assert str(caught.value).startswith("Invalid value for 'dfmemlint.ratio': ")
    _fits(str(caught.value), phrase, headroom)
