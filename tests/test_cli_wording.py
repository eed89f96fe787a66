"""Messages people read say what the file says: a GOMEMLIMIT that is set to ``off`` is not
"no GOMEMLIMIT", a value's leading or trailing blank is visible, ``inspect`` shows the escape
character itself, and a ``--ratio`` that leaves nothing of the limit is refused in the one-line
``Error: Invalid value for …`` style of every other bad value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.cli import run_cli

from dfmemlint.types import shown

GO_IMAGE = (
    "FROM golang:1.22 AS build\nRUN go build -o /app\n"
    "FROM alpine\nCOPY --from=build /app /app\n{env}\nCMD [\"/app\"]\n"
)


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _write(name: str, text: str) -> str:
    path = Path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return name


def _messages(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, list[str]]:
    """Each finding's message and its fix's title, by rule code (json output)."""
    _, out, err = run_cli(capsys, "--format", "json", *args)
    found: dict[str, list[str]] = {}
    for entry in json.loads(out):
        assert entry["code"] is not None, err
        texts = [entry["message"]] + ([entry["fix"]["message"]] if entry["fix"] else [])
        found.setdefault(entry["code"], []).extend(texts)
    return found


# --------------------------------------------------------------------------- DFM008 and off


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Dockerfile", GO_IMAGE.format(env="ENV GOMEMLIMIT=off GOGC=off")),
        ("compose.yaml", "services:\n  api:\n    image: x\n    mem_limit: 512m\n"
                         "    environment:\n      GOGC: \"off\"\n      GOMEMLIMIT: \"off\"\n"),
        ("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                     "  - name: c\n    image: x\n    env:\n    - {name: GOGC, value: \"off\"}\n"
                     "    - {name: GOMEMLIMIT, value: \"off\"}\n"),
    ],
)
def test_gogc_off_beside_gomemlimit_off_says_off_is_set(
    capsys: pytest.CaptureFixture[str], name: str, text: str
) -> None:
    [message] = _messages(capsys, _write(name, text))["DFM008"][:1]
    assert "with GOMEMLIMIT=off, which sets no limit" in message
    assert "no GOMEMLIMIT" not in message
    assert message.endswith(" instead.")


def test_gogc_off_alone_still_says_no_gomemlimit(capsys: pytest.CaptureFixture[str]) -> None:
    name = _write("Dockerfile", GO_IMAGE.format(env="ENV GOGC=off"))
    [message] = _messages(capsys, name)["DFM008"][:1]
    assert "with no GOMEMLIMIT," in message
    assert message.endswith(" alongside it.")


def test_gogc_off_beside_an_empty_gomemlimit(capsys: pytest.CaptureFixture[str]) -> None:
    name = _write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
                  "  containers:\n  - name: c\n    image: x\n    env:\n"
                  "    - {name: GOGC, value: \"off\"}\n    - {name: GOMEMLIMIT, value: \"\"}\n")
    [message] = _messages(capsys, name)["DFM008"][:1]
    assert "with GOMEMLIMIT set empty, which sets no limit" in message


# --------------------------------------------------------------------------- blanks shown


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("400MiB", "400MiB"),
        ("400MiB ", "'400MiB '"),
        (" 400MiB", "' 400MiB'"),
        ("\t400MiB", "'\\t400MiB'"),
        ("400MiB\u00a0", "'400MiB\\xa0'"),
        ("400 MiB", "400 MiB"),  # a blank inside is seen
        ("", ""),
    ],
)
def test_shown(value: str, expected: str) -> None:
    assert shown(value) == expected


@pytest.mark.parametrize(
    ("name", "text", "quoted"),
    [
        ("Dockerfile", GO_IMAGE.format(env='ENV GOMEMLIMIT="400MB "'), "'400MB '"),
        ("Dockerfile", GO_IMAGE.format(env='ENV GOMEMLIMIT=" 400MiB"'), "' 400MiB'"),
        ("compose.yaml", "services:\n  api:\n    image: x\n    environment:\n"
                         "      GOMEMLIMIT: \"400MB \"\n", "'400MB '"),
        ("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
                     "  - name: c\n    image: x\n    env:\n"
                     "    - {name: GOMEMLIMIT, value: \"\\t400MB\"}\n", "'\\t400MB'"),
    ],
)
def test_a_value_with_an_outer_blank_is_quoted_in_message_and_fix(
    capsys: pytest.CaptureFixture[str], name: str, text: str, quoted: str
) -> None:
    message, *fix = _messages(capsys, _write(name, text))["DFM004"]
    assert f"GOMEMLIMIT={quoted} is not a value the Go runtime accepts" in message
    if fix:
        assert fix[0].startswith(f"Replace {quoted} with ")


def test_a_value_without_outer_blanks_is_not_quoted(capsys: pytest.CaptureFixture[str]) -> None:
    name = _write("Dockerfile", GO_IMAGE.format(env="ENV GOMEMLIMIT=400MB"))
    message, fix = _messages(capsys, name)["DFM004"]
    assert "GOMEMLIMIT=400MB is not" in message
    assert fix.startswith("Replace 400MB with 400MiB")


def test_text_report_shows_the_quotes(capsys: pytest.CaptureFixture[str]) -> None:
    name = _write("Dockerfile", GO_IMAGE.format(env='ENV GOMEMLIMIT="400MB "'))
    code, out, _ = run_cli(capsys, name)
    assert code == 1
    assert "  fix: Replace '400MB ' with 400MiB (safe)" in out.splitlines()


def test_inspect_quotes_values_with_outer_blanks(capsys: pytest.CaptureFixture[str]) -> None:
    docker = _write("Dockerfile", GO_IMAGE.format(env='ENV GOMEMLIMIT="400MB " GOGC=50'))
    compose = _write("c/compose.yaml", "services:\n  api:\n    image: x\n    environment:\n"
                     "      GOMEMLIMIT: \" 1GiB\"\n")
    code, out, _ = run_cli(capsys, "inspect", docker, compose)
    assert code == 0
    lines = out.splitlines()
    assert "    GOMEMLIMIT='400MB '  (line 5)" in lines
    assert "    GOGC=50  (line 5)" in lines
    assert any(line.startswith("    GOMEMLIMIT=' 1GiB'  (environment") for line in lines), out


# --------------------------------------------------------------------------- inspect escape


@pytest.mark.parametrize(("directive", "escape"), [("", "\\"), ("# escape=`\n", "`")])
def test_inspect_shows_the_escape_character_itself(
    capsys: pytest.CaptureFixture[str], directive: str, escape: str
) -> None:
    name = _write("Dockerfile", f"{directive}FROM alpine\n")
    code, out, _ = run_cli(capsys, "inspect", name)
    assert code == 0
    assert out.splitlines()[0] == f"Dockerfile  (escape {escape})"
    code, out, _ = run_cli(capsys, "inspect", "--format", "json", name)
    assert json.loads(out)[0]["escape"] == escape


# --------------------------------------------------------------------------- a tiny ratio


@pytest.mark.parametrize("ratio", ["1e-9", "0.001", "0.0000001"])
def test_budget_refuses_a_ratio_that_leaves_under_1_mib(
    capsys: pytest.CaptureFixture[str], ratio: str
) -> None:
    code, out, err = run_cli(capsys, "budget", "512MiB", "--ratio", ratio)
    assert (code, out) == (2, "")
    assert err.startswith("Error: Invalid value for '--ratio': ")
    assert "under the 1 MiB minimum" in err
    assert err.count("\n") == 1


def test_lint_refuses_a_ratio_that_leaves_under_1_mib_of_the_given_limit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = _write("Dockerfile", GO_IMAGE.format(env="ENV GOGC=50"))
    code, out, err = run_cli(capsys, "--memory-limit", "512MiB", "--ratio", "1e-9", name)
    assert (code, out) == (2, "")
    assert err.startswith("Error: Invalid value for '--ratio': ")
    assert err.count("\n") == 1
    # The same ratio with a limit it leaves 1 MiB of is fine.
    code, _, err = run_cli(capsys, "--memory-limit", "2TiB", "--ratio", "1e-6", name)
    assert code == 1, err
