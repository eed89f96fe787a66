"""Fixes are offered only where the edit keeps the instruction working."""

from __future__ import annotations

import pytest

from dfmemlint.engine import LintOptions, lint
from dfmemlint.fix.fixer import fix_file

BUILDER = b"FROM golang:1.22 AS b\n%s\nFROM alpine\nCOPY --from=b /app /app\nCMD [\"/app\"]\n"


@pytest.mark.parametrize(
    ("run", "fixable"),
    [
        (b"RUN GOMEMLIMIT=3GiB go build -o /app .", True),
        (b"RUN GOMEMLIMIT=1GiB", False),  # nothing would be left to run
        (b"RUN GOMEMLIMIT=2GiB && go build -o /app .", False),  # removal leaves `RUN && …`
        (b'RUN ["sh", "-c", "GOMEMLIMIT=1GiB go build -o \\"/app\\" ."]', False),  # JSON escapes
        (b"RUN export GOMEMLIMIT=1GiB && go build -o /app .", False),
    ],
)
def test_dfm001_removal_only_where_a_command_remains(run: bytes, fixable: bool) -> None:
    data = BUILDER % run
    findings = [f for f in lint("Dockerfile", data, LintOptions()).findings if f.code == "DFM001"]
    assert len(findings) == 1
    assert (findings[0].fix is not None) is fixable
    outcome = fix_file("Dockerfile", data, LintOptions(select=frozenset({"DFM001"})), unsafe=True)
    assert outcome.error is None
    if fixable:
        assert outcome.data == data.replace(b"GOMEMLIMIT=3GiB ", b"")
    else:
        assert outcome.data == data


def test_dfm003_fix_names_the_instruction_it_moves_below() -> None:
    data = (
        b"FROM golang:1.22 AS b\nRUN go build -o /app .\nFROM alpine\nENV GOGC=50\n"
        b"RUN apk add --no-cache ca-certificates\nCOPY --from=b /app /app\nCMD [\"/app\"]\n"
    )
    (finding,) = [f for f in lint("Dockerfile", data, LintOptions()).findings if f.code == "DFM003"]
    assert finding.fix is not None
    assert finding.fix.title == "Move this ENV below the last COPY of the stage"


def test_dfm007_judges_only_the_value_the_program_sees() -> None:
    data = (
        b"FROM golang:1.22 AS b\nRUN go build -o /app .\nFROM alpine\nCOPY --from=b /app /app\n"
        b'ENV GOMEMLIMIT=0\nCMD ["env", "GOMEMLIMIT=100MiB", "/app"]\n'
    )
    assert [f.code for f in lint("Dockerfile", data, LintOptions()).findings] == []
    zero = data.replace(b"GOMEMLIMIT=100MiB", b"GOMEMLIMIT=0")
    findings = lint("Dockerfile", zero, LintOptions()).findings
    assert [(f.code, f.line) for f in findings] == [("DFM007", 6)]
