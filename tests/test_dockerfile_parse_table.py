"""benchmarks/dockerfile-parse.md and README's line about dockerfile-parse state what
``benchmarks/compare_dockerfile_parse.py`` measures today.

Needs ``../shared`` (the corpus and BuildKit's parser ``bkparse``) and the PyPI package
``dockerfile-parse`` (the ``bench`` extra); skips without them, except under ``CI=true``, where a
missing ``dockerfile-parse`` is a failure (``.ci/run`` installs it).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from helpers.scripts import loaded_script
from helpers.tools import unavailable

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
BKPARSE = SHARED / "tools" / "bkparse" / "bkparse"
TABLE = ROOT / "benchmarks" / "dockerfile-parse.md"

pytestmark = pytest.mark.skipif(
    not (CORPUS.is_dir() and BKPARSE.is_file()), reason="../shared is not present"
)


@pytest.fixture(scope="module")
def script() -> Iterator[ModuleType]:
    if importlib.util.find_spec("dockerfile_parse") is None:
        unavailable("dockerfile-parse is not installed (pip install -e '.[bench]')")
    with loaded_script(ROOT / "benchmarks" / "compare_dockerfile_parse.py") as module:
        yield module


@pytest.fixture(scope="module")
def report(script: ModuleType) -> Any:
    return script.measure(CORPUS)


def test_table_is_what_the_script_measures(script: ModuleType, report: Any) -> None:
    assert TABLE.read_text(encoding="utf-8") == script.render(report)


def test_readme_line_is_what_the_script_measures(script: ModuleType, report: Any) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert script.summary(report) in readme.replace("\n", " ")


def test_the_reader_agrees_with_buildkit_everywhere(report: Any) -> None:
    for key in ("right", "realworld", "heredoc", "comment", "blank", "escape", "rejects"):
        dp, dfm, total = report.counts[key]
        assert dfm == total, key
        assert dp <= total
    assert report.counts["raises"][1] == 0
    assert report.counts["exact"][1] == report.counts["exact"][2] > 0


def _item(script: ModuleType, text: bytes, tmp_path: Path) -> Any:
    path = tmp_path / "Dockerfile"
    path.write_bytes(text)
    oracle = json.loads(subprocess.run([str(BKPARSE), str(path)], capture_output=True).stdout)
    return script.CorpusFile("Dockerfile", text, oracle)


@pytest.mark.parametrize(
    "text",
    [
        # Only representation differs: lower-case keywords, comments (dropped), 0-based lines,
        # joined continuations, CRLF, trailing blanks.
        b"# syntax=docker/dockerfile:1\nfrom alpine AS base\n# a comment\nRUN a && \\\n    b  \n",
        b'FROM alpine\r\nENV A=1 \\\r\n    B=2\r\nCMD ["x"]\r\n',
        b"# escape=`\nFROM windows\nRUN a `\n  b\n",
    ],
)
def test_representation_is_not_an_error(script: ModuleType, tmp_path: Path, text: bytes) -> None:
    item = _item(script, text, tmp_path)
    assert script.dp_right(item)
    assert script.dfm_right(item)


@pytest.mark.parametrize(
    "text",
    [
        b"FROM alpine\nRUN <<EOF\necho hi\nEOF\n",  # heredoc body read as instructions
        b"FROM alpine\nRUN a \\\n\n    b\n",  # a blank line ends the instruction
        b"\xef\xbb\xbfFROM alpine\n",  # the BOM becomes part of the keyword
        b"# check=error=true\n# escape=`\nFROM windows\nRUN a `\n  b\n",  # escape missed
    ],
)
def test_misreads_count(script: ModuleType, tmp_path: Path, text: bytes) -> None:
    item = _item(script, text, tmp_path)
    assert not script.dp_right(item)
    assert script.dfm_right(item)


def test_setter_outcomes(script: ModuleType) -> None:
    plain = b"FROM alpine\nENV GOMEMLIMIT=512MiB\n"
    continued = b"FROM alpine\nENV GOMEMLIMIT=512MiB \\\n    GOGC=50\r\n"
    twice = b"FROM alpine\nENV GOMEMLIMIT=1GiB\nENV GOMEMLIMIT=512MiB\n"
    heredoc = b"FROM alpine\nENV GOMEMLIMIT=512MiB\nRUN <<EOF\nENV GOMEMLIMIT=1GiB\nEOF\n"
    quoted = b'FROM alpine\nENV GOMEMLIMIT="512MiB"\n'
    outcomes = {}
    for name, data in (
        ("plain", plain),
        ("continued", continued),
        ("twice", twice),
        ("heredoc", heredoc),
    ):
        setting = script.gomemlimit_target(data)
        expected = script.minimal_edit(data, setting)
        outcomes[name] = script.setter_outcome(BKPARSE, data, expected, script.dp_set_gomemlimit)
    # The last ENV of the stage is the one edited; a heredoc body line is taken for an ENV.
    assert outcomes == {
        "plain": "exact",
        "continued": "same",
        "twice": "exact",
        "heredoc": "different",
    }
    setting = script.gomemlimit_target(quoted)
    assert script.minimal_edit(quoted, setting) == b'FROM alpine\nENV GOMEMLIMIT="409MiB"\n'
    assert script.gomemlimit_target(b"FROM alpine AS a\nENV GOMEMLIMIT=1\nFROM a\n") is None
