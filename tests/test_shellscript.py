"""An entrypoint script named on the command line is linted as a shell script: its literal
GOMEMLIMIT values are judged (DFM004, DFM007) at their place, with fixes."""

from __future__ import annotations

from pathlib import Path

import pytest

from dfmemlint.cli import main
from dfmemlint.engine import LintOptions
from dfmemlint.fix.fixer import fix_file
from dfmemlint.formats import Format, detect, lint
from dfmemlint.types import Applicability

MiB = 1 << 20
SCRIPT = b'#!/bin/sh\nset -e\nexport GOMEMLIMIT=400MB\nexec "$@"\n'


@pytest.mark.parametrize(
    ("name", "data", "fmt"),
    [
        ("docker-entrypoint.sh", SCRIPT, Format.SHELL_SCRIPT),
        ("entrypoint", b"#!/bin/sh\nexec app\n", Format.SHELL_SCRIPT),
        ("run", b"#!/usr/bin/env bash\nexec app\n", Format.SHELL_SCRIPT),
        ("run", b"#!/usr/bin/env -S bash -e\nexec app\n", Format.SHELL_SCRIPT),
        ("start.bash", b"exec app\n", Format.SHELL_SCRIPT),
        ("tool", b"#!/usr/bin/python3\nprint(1)\n", Format.DOCKERFILE),
        ("Dockerfile", b"#!/bin/sh\nFROM alpine\n", Format.DOCKERFILE),  # by name
        (".env", b"#!/bin/sh\nGOMEMLIMIT=1GiB\n", Format.ENV_FILE),
        ("-", b"FROM alpine\n", Format.DOCKERFILE),
    ],
)
def test_which_files_are_shell_scripts(name: str, data: bytes, fmt: Format) -> None:
    assert detect(name, data) is fmt


@pytest.mark.parametrize(
    ("data", "options", "expected"),
    [
        (SCRIPT, LintOptions(), [("DFM004", 3, 19, 3, 24, "safe")]),
        # Under 1 MiB once respelled: not a safe fix (DFM007 would flag it).
        (
            SCRIPT.replace(b"400MB", b"400KB"), LintOptions(),
            [("DFM004", 3, 19, 3, 24, "unsafe")],
        ),
        (b"#!/bin/sh\nexport GOMEMLIMIT=1GiB\n", LintOptions(memory_limit=512 * MiB),
         [("DFM007", 2, 19, 2, 23, "unsafe")]),
        (b"#!/bin/sh\nexport GOMEMLIMIT=0\n", LintOptions(), [("DFM007", 2, 19, 2, 20, None)]),
        (
            b'#!/bin/bash\ntime GOMEMLIMIT=1Gi "$@"\n', LintOptions(),
            [("DFM004", 2, 17, 2, 20, "safe")],
        ),
        (b'#!/bin/sh\ntime GOMEMLIMIT=1Gi "$@"\n', LintOptions(), []),  # /usr/bin/time's program
        (b"#!/bin/sh\nexport GOMEMLIMIT=$((x * 9 / 10))\n", LintOptions(), []),
        (b"#!/bin/sh\n# dfmemlint: ignore=DFM004\nexport GOMEMLIMIT=1G\n", LintOptions(), []),
        (b"#!/bin/sh\nexport GOMEMLIMIT=400MiB\n", LintOptions(memory_limit=512 * MiB), []),
        # Respelled, 500MB would leave under 5 % of 512 MiB: the recommended value instead.
        (
            b"#!/bin/sh\nexport GOMEMLIMIT=500MB\n", LintOptions(memory_limit=512 * MiB),
            [("DFM004", 2, 19, 2, 24, "safe")],
        ),
        (b"#!/bin/sh\nexport GOMEMLIMIT=1e9\n", LintOptions(), [("DFM004", 2, 19, 2, 22, None)]),
    ],
)
def test_values_are_judged_at_their_place(
    data: bytes, options: LintOptions, expected: list[tuple[object, ...]]
) -> None:
    findings = lint("entrypoint.sh", data, options).findings
    got = [
        (f.code, f.line, f.column, f.end_line, f.end_column,
         None if f.fix is None else f.fix.applicability.label)
        for f in findings
    ]
    assert got == expected


def test_capped_respelling_writes_the_recommended_value() -> None:
    data = b"#!/bin/sh\nexport GOMEMLIMIT=500MB\n"
    options = LintOptions(memory_limit=512 * MiB)
    (finding,) = lint("entrypoint.sh", data, options).findings
    assert finding.fix is not None
    assert finding.fix.edits[0].replacement == b"409MiB"
    assert "0.8 of the declared 512MiB memory limit" in finding.fix.title


def test_fix_respells_the_value_byte_exactly() -> None:
    data = SCRIPT.replace(b"\n", b"\r\n").replace(b"export", b"  export")
    outcome = fix_file("entrypoint.sh", data, LintOptions(), unsafe=False)
    assert outcome.error is None
    assert outcome.data == data.replace(b"400MB", b"400MiB")
    assert outcome.result is not None
    assert outcome.result.findings == []
    (finding,) = lint("entrypoint.sh", data, LintOptions()).findings
    assert finding.fix is not None
    assert finding.fix.applicability is Applicability.SAFE


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "docker-entrypoint.sh"
    path.write_bytes(SCRIPT)
    assert main([str(path)]) == 1
    assert f"{path}:3:19: DFM004 [error] GOMEMLIMIT=400MB " in capsys.readouterr().out
    assert main(["--fix", str(path)]) == 0
    assert path.read_bytes() == SCRIPT.replace(b"400MB", b"400MiB")


def test_inspect_says_what_a_script_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "docker-entrypoint.sh"
    path.write_bytes(SCRIPT)
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{path}  (not read)\n  a shell script: ")
