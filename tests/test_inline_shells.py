"""``--fix-style inline`` run by real POSIX shells: dash (Debian's /bin/sh) and busybox sh
(Alpine's). The command the fix writes is run as Docker runs it (shell form: ``sh -c SCRIPT``;
exec form: the array itself), with and without a GOMEMLIMIT set when the container starts. The
program must stay the shell's process (``exec``: PID 1 in a container, so it gets the signals),
see the fix's value when nothing is set at run time, and the runtime value when one is.

Without dash or busybox the tests skip, except under ``CI=true`` (``.ci/run`` installs both).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from dfmemlint.dockerfile import reader
from dfmemlint.engine import LintOptions
from dfmemlint.fix.fixer import fix_file

PROGRAM = "/usr/local/bin/probe"
SHELLS = {"dash": ["dash"], "busybox": ["busybox", "sh"]}
BUILD = b"FROM golang:1.22 AS build\nRUN go build -o /probe .\nFROM alpine:3.20\n"
OPTIONS = LintOptions(memory_limit=512 << 20, memory_limit_from_cli=True, fix_style="inline")


def _shell(name: str) -> list[str]:
    argv = SHELLS[name]
    if shutil.which(argv[0]) is None:
        reason = f"{argv[0]} is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (.ci/run installs dash and busybox)", pytrace=False)
        pytest.skip(reason)
    return argv


def _fixed_start(data: bytes) -> tuple[bool, list[str]]:
    """(exec form?, the values) of the fixed file's start command."""
    outcome = fix_file("Dockerfile", data, OPTIONS, unsafe=False)
    assert outcome.error is None
    instructions = reader.read(outcome.data).instructions
    start = next(i for i in instructions if i.cmd == "ENTRYPOINT") if any(
        i.cmd == "ENTRYPOINT" for i in instructions
    ) else instructions[-1]
    assert start.cmd in ("CMD", "ENTRYPOINT")
    return start.json, [token.value for token in start.values]


def _run(argv: list[str], runtime_value: str | None) -> tuple[int, str, str, list[str]]:
    """Start ``argv`` the way a container does; (its pid, the probe's pid, GOMEMLIMIT, args)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    if runtime_value is not None:
        env["GOMEMLIMIT"] = runtime_value
    process = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True)
    out, _ = process.communicate(timeout=30)
    assert process.returncode == 0
    pid, value, args = out.split("\n", 2)
    return process.pid, pid, value, json.loads(args)


@pytest.fixture
def probe(tmp_path: object, monkeypatch: pytest.MonkeyPatch) -> str:
    """A program that prints its pid, its GOMEMLIMIT and its arguments."""
    from pathlib import Path

    directory = Path(str(tmp_path))
    script = directory / "probe"
    script.write_text(
        f"#!{sys.executable}\nimport json, os, sys\n"
        "print(os.getpid())\nprint(os.environ.get('GOMEMLIMIT', '<unset>'))\n"
        "print(json.dumps(sys.argv[1:]))\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return str(script)


@pytest.mark.parametrize("shell", list(SHELLS))
@pytest.mark.parametrize(
    "start",
    [
        b"CMD %s --serve 'a b'\n",
        b"CMD exec %s --serve 'a b'\n",
        b"CMD DEBUG=1 %s --serve 'a b'\n",
        b'CMD ["%s", "--serve", "a b"]\n',
        b'ENTRYPOINT ["%s", "--serve"]\nCMD ["a b"]\n',
    ],
    ids=["shell-form", "shell-exec", "shell-assignment", "exec-form", "entrypoint-and-cmd"],
)
def test_runtime_value_wins_and_program_stays_the_process(
    shell: str, start: bytes, probe: str
) -> None:
    argv_shell = _shell(shell)
    program = PROGRAM.encode()
    data = BUILD + b"COPY --from=build /probe " + program + b"\n" + start % program
    json_form, values = _fixed_start(data)
    if json_form:
        assert values[:2] == ["sh", "-c"]
        argv = [*argv_shell, *values[1:]]
        if start.startswith(b"ENTRYPOINT"):
            argv.append("a b")  # Docker appends CMD to an exec-form ENTRYPOINT
    else:
        (script,) = values
        assert "GOMEMLIMIT=${GOMEMLIMIT:-409MiB}" in script
        argv = [*argv_shell, "-c", script]
    argv = [word.replace(PROGRAM, probe) for word in argv]
    for runtime_value, expected in ((None, "409MiB"), ("300MiB", "300MiB"), ("", "409MiB")):
        pid, program_pid, value, args = _run(argv, runtime_value)
        assert program_pid == str(pid), "the program replaced the shell (exec)"
        assert value == expected
        assert args == ["--serve", "a b"]
