"""``time`` in front of a command is read as the shell that runs it reads it: bash's reserved
word in front of a pipeline (``time [-p] [!] command1 …``, bash manual "Pipelines"), so that
``time GOMEMLIMIT=1GiB app`` sets the variable, and a program to POSIX sh (dash, busybox sh),
which runs ``/usr/bin/time`` with ``GOMEMLIMIT=1GiB`` as the program to time. A Dockerfile's
shell-form ``RUN``/``CMD``/``ENTRYPOINT`` runs with the ``SHELL`` in force (its stage's, else the
one of the stage it is built FROM); ``bash -c``, ``RUN bash <<EOF`` name theirs."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

import pytest

from dfmemlint.dockerfile import shell
from dfmemlint.engine import LintOptions, lint

SCRIPTS = [
    "time GOMEMLIMIT=1GiB PROBE",
    "time -p GOMEMLIMIT=1GiB PROBE",
    "time -p -- GOMEMLIMIT=1GiB PROBE",
    "time -- GOMEMLIMIT=1GiB PROBE",
    "time ! GOMEMLIMIT=1GiB PROBE",
    "! time GOMEMLIMIT=1GiB PROBE",
    "time time GOMEMLIMIT=1GiB PROBE",
    "true && time GOMEMLIMIT=1GiB PROBE",
    "true; time GOMEMLIMIT=1GiB PROBE",
    "true | time GOMEMLIMIT=1GiB PROBE",  # not a pipeline's first word: /usr/bin/time
    "if time GOMEMLIMIT=1GiB PROBE; then :; fi",
    "{ time GOMEMLIMIT=1GiB PROBE; }",
    "X=1 time GOMEMLIMIT=1GiB PROBE",  # after an assignment: the program
    "exec time GOMEMLIMIT=1GiB PROBE",
    "nice time GOMEMLIMIT=1GiB PROBE",
    "bash -c 'time GOMEMLIMIT=1GiB PROBE'",
    "sh -c 'time GOMEMLIMIT=1GiB PROBE'",
]
READINGS = {
    shell.BASH_TIME: ["bash", "-c"],
    shell.BASH_POSIX_TIME: ["bash", "--posix", "-c"],
}


def _sets_it(script: str, time: str, probe: str) -> bool:
    return any(
        found.name == "GOMEMLIMIT" and probe in [w.text for w in found.command]
        for found in shell.assignments(script, time=time)
    )


@pytest.mark.parametrize("reading", list(READINGS))
@pytest.mark.parametrize("script", SCRIPTS)
def test_assignments_agree_with_bash(script: str, reading: str, tmp_path: pathlib.Path) -> None:
    # Where bash runs /usr/bin/time, the probe sees nothing whether that program exists or not.
    if shutil.which("bash") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("bash is not installed", pytrace=False)
        pytest.skip("no bash")
    probe = tmp_path / "probe"
    probe.write_text('#!/bin/sh\necho "[$GOMEMLIMIT]"\n', encoding="utf-8")
    probe.chmod(0o755)
    script = script.replace("PROBE", str(probe))
    done = subprocess.run(
        [*READINGS[reading], script], env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        capture_output=True, text=True, timeout=30, check=False,
    )
    assert _sets_it(script, reading, str(probe)) == ("[1GiB]" in done.stdout), done.stderr


@pytest.mark.parametrize("script", SCRIPTS)
def test_posix_reading_never_takes_time_for_a_keyword(script: str) -> None:
    """Without bash (the default /bin/sh of Debian and Alpine images), only the scripts that
    hand the line to ``bash -c`` set it (tests/test_shell.py checks dash and busybox)."""
    assert _sets_it(script, shell.POSIX_TIME, "PROBE") == script.startswith("bash -c")


@pytest.mark.parametrize(
    ("argv", "reading"),
    [
        (["/bin/bash", "-o", "pipefail", "-c"], shell.BASH_TIME),
        (["bash", "-c"], shell.BASH_TIME),
        (["/bin/bash", "--posix", "-c"], shell.BASH_POSIX_TIME),
        (["/bin/bash", "-o", "posix", "-c"], shell.BASH_POSIX_TIME),
        (["/bin/sh", "-c"], shell.POSIX_TIME),
        (["/bin/ash", "-c"], shell.POSIX_TIME),
        (["pwsh", "-Command"], shell.POSIX_TIME),
        ([], shell.POSIX_TIME),
    ],
)
def test_time_reading_of_a_shell(argv: list[str], reading: str) -> None:
    assert shell.time_reading(argv) == reading


_GO = "FROM golang:1.22 AS build\n"
_FINAL = 'FROM debian:12\nCOPY --from=build /app /app\nCMD ["/app"]\n'
_BASH = 'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
_TIMED = "time GOMEMLIMIT=512MB go build -o /app .\n"
_RUN = "RUN " + _TIMED
_START = "RUN go build -o /app .\nFROM debian:12\n"
_CMD = "COPY --from=build /app /app\nCMD time GOMEMLIMIT=512MB exec /app\n"
_OTHER = "FROM golang:1.22 AS other\n"

# (Dockerfile, the line of the DFM004 finding, None when the value sets nothing)
CASES = {
    "run-under-bash": (_GO + _BASH + _RUN + _FINAL, 3),
    "run-under-sh": (_GO + _RUN + _FINAL, None),
    "shell-set-after-the-run": (_GO + _RUN + _BASH + _FINAL, None),
    "shell-set-back-to-sh": (_GO + _BASH + 'SHELL ["/bin/sh", "-c"]\n' + _RUN + _FINAL, None),
    "inherited-from-the-parent-stage": (
        "FROM golang:1.22 AS base\n" + _BASH + "FROM base AS build\n" + _RUN + _FINAL, 4
    ),
    "not-from-an-unrelated-stage": (
        _OTHER + _BASH + _GO + _RUN + _FINAL + "COPY --from=other /x /x\n", None
    ),
    "exec-form-bash-c": (
        _GO + 'RUN ["bash", "-c", "time GOMEMLIMIT=512MB go build -o /app ."]\n' + _FINAL, 2
    ),
    "heredoc-under-bash": (_GO + _BASH + "RUN <<EOF\n" + _TIMED + "EOF\n" + _FINAL, 4),
    "heredoc-fed-to-bash": (_GO + "RUN bash <<EOF\n" + _TIMED + "EOF\n" + _FINAL, 3),
    "heredoc-fed-to-sh-under-bash": (
        _GO + _BASH + "RUN sh <<EOF\n" + _TIMED + "EOF\n" + _FINAL, None
    ),
    "cmd-under-bash": (_GO + _START + _BASH + _CMD, 6),
    "cmd-under-sh": (_GO + _START + _CMD, None),
}


@pytest.mark.parametrize("name", list(CASES))
def test_dockerfile_reads_time_by_the_stage_shell(name: str) -> None:
    text, line = CASES[name]
    findings = lint("Dockerfile", text.encode(), LintOptions()).findings
    malformed = [f.line for f in findings if f.code == "DFM004"]
    assert malformed == ([] if line is None else [line]), (name, findings)
