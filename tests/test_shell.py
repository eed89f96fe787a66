"""The shell reader: simple commands, words with their positions, assignments, commands run."""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dfmemlint.dockerfile import shell


def words_of(script: str) -> list[list[str]]:
    return [[w.text for w in words] for words in shell.simple_commands(script)]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("a b c", [["a", "b", "c"]]),
        ("a && b || c; d & e | f", [["a"], ["b"], ["c"], ["d"], ["e"], ["f"]]),
        ("a\nb", [["a"], ["b"]]),
        ("(a; b)", [["a"], ["b"]]),
        ("a \\\n  b", [["a", "b"]]),
        ("a # b c\nd", [["a"], ["d"]]),
        ("a#b", [["a#b"]]),
        ("echo 'x && y' \"p; q\"", [["echo", "x && y", "p; q"]]),
        ('echo "a\\"b" a\\ b', [["echo", 'a"b', "a b"]]),
        ("", []),
        ("   \t ", []),
    ],
)
def test_simple_commands(script: str, expected: list[list[str]]) -> None:
    assert words_of(script) == expected


def test_word_positions_map_back_through_quotes() -> None:
    script = "echo \"GOMEMLIMIT=1GiB\" 'x'y"
    echo, first, second = next(shell.simple_commands(script))
    assert (echo.start, echo.end) == (0, 4)
    assert first.text == "GOMEMLIMIT=1GiB"
    assert script[first.origin[0]] == "G"
    assert first.span_of(11, 15) == (17, 21)
    assert script[17:21] == "1GiB"
    assert second.text == "xy"
    assert second.origin == (24, 26)
    assert second.span_of(5, 5) == (second.end, second.end)
    assert second.span_of(1, 1) == (26, 26)


def assignments(script: str) -> list[tuple[str, str, str, str, list[str]]]:
    return [
        (a.name, a.value, a.how, script[a.value_start : a.value_end], [w.text for w in a.command])
        for a in shell.assignments(script)
    ]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        (
            "GOMEMLIMIT=1GiB CGO_ENABLED=0 go build -o /app .",
            [
                ("GOMEMLIMIT", "1GiB", "prefix", "1GiB", ["go", "build", "-o", "/app", "."]),
                ("CGO_ENABLED", "0", "prefix", "0", ["go", "build", "-o", "/app", "."]),
            ],
        ),
        ("export GOMEMLIMIT='512MiB' X=1", [
            ("GOMEMLIMIT", "512MiB", "export", "512MiB", []),
            ("X", "1", "export", "1", []),
        ]),
        ("readonly GOGC=off", [("GOGC", "off", "export", "off", [])]),
        ("declare -x GOGC=off", [("GOGC", "off", "export", "off", [])]),
        ("env -i -u HOME GOMEMLIMIT=1 app", [("GOMEMLIMIT", "1", "env", "1", ["app"])]),
        ("/usr/bin/env GOGC=off /app", [("GOGC", "off", "env", "off", ["/app"])]),
        ("sudo -u app GOMEMLIMIT=1 x", [("GOMEMLIMIT", "1", "env", "1", ["x"])]),
        # sudo's options and VAR=value words alternate (parse_args); after -- none is read.
        ("sudo A=1 -E GOGC=off -u app x", [
            ("A", "1", "env", "1", ["x"]), ("GOGC", "off", "env", "off", ["x"]),
        ]),
        ("sudo -- GOGC=off x", []),
        ("env -- GOGC=off x", [("GOGC", "off", "env", "off", ["x"])]),
        ("env GOGC=off -i x", [("GOGC", "off", "env", "off", ["-i", "x"])]),
        # nice, nohup, exec, time: the first operand is the program, even when it looks like
        # NAME=VALUE (it then fails to start).
        ("nice -n 10 GOGC=off go build", []),
        ("nice GOMEMLIMIT=1GiB app", []),
        ("nohup GOMEMLIMIT=1GiB app", []),
        ("exec GOMEMLIMIT=1GiB app", []),
        ("time -p GOMEMLIMIT=1GiB app", []),
        ("nice -n 5 nohup env GOGC=50 app", [("GOGC", "50", "env", "50", ["app"])]),
        ("GOGC=1 nice GOMEMLIMIT=1GiB app", [
            ("GOGC", "1", "prefix", "1", ["nice", "GOMEMLIMIT=1GiB", "app"]),
        ]),
        ("exec env GOMEMLIMIT=2 /app", [("GOMEMLIMIT", "2", "env", "2", ["/app"])]),
        (
            "if true; then GOMEMLIMIT=1 go build; fi",
            [("GOMEMLIMIT", "1", "prefix", "1", ["go", "build"])],
        ),
        ("GOMEMLIMIT= go build", [("GOMEMLIMIT", "", "prefix", "", ["go", "build"])]),
        ('GOMEMLIMIT="" go build', [("GOMEMLIMIT", "", "prefix", "", ["go", "build"])]),
        ("x=1", [("x", "1", "prefix", "1", [])]),
        ('echo "GOMEMLIMIT=1GiB"', []),
        ("'GOMEMLIMIT'=1 go build", []),
        ("echo GOMEMLIMIT=1GiB", []),
        ("# GOMEMLIMIT=1GiB go build", []),
        ("1GOMEMLIMIT=2 x", []),
    ],
)
def test_assignments(script: str, expected: list[tuple[str, str, str, str, list[str]]]) -> None:
    assert assignments(script) == expected


def test_assignment_inside_sh_c_maps_to_the_outer_script() -> None:
    script = "apk add git && sh -c 'GOMEMLIMIT=2GiB exec app'"
    ((name, value, how, raw, command),) = assignments(script)
    assert (name, value, how, raw) == ("GOMEMLIMIT", "2GiB", "prefix", "2GiB")
    assert command == ["exec", "app"]
    (found,) = shell.assignments(script)
    assert script[found.word.start : found.word.end] == "GOMEMLIMIT=2GiB"


def test_assignment_inside_double_quoted_bash_c() -> None:
    script = 'bash -ec "export GOGC=\\"off\\""'
    (found,) = shell.assignments(script)
    assert (found.name, found.value, found.how) == ("GOGC", "off", "export")
    assert script[found.value_start : found.value_end] == "off"


def commands(script: str) -> list[list[str]]:
    return [[w.text for w in command] for command in shell.commands(script)]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("CGO_ENABLED=0 go build", [["go", "build"]]),
        ("env -u X A=1 go build", [["go", "build"]]),
        ("sh -c 'go build && go test'", [["go", "build"], ["go", "test"]]),
        ("do go install x; done", [["go", "install", "x"], ["done"]]),
        ("exec /app", [["/app"]]),
        ("sudo -E make", [["make"]]),
        ("time -p go build", [["go", "build"]]),
        ("nice GOFLAGS=x go build", [["GOFLAGS=x", "go", "build"]]),
        ("sudo -u app GOFLAGS=x go build", [["go", "build"]]),
        ("nice -n 5", []),
        ("! grep x f", [["grep", "x", "f"]]),
        ("A=1", []),
        ("echo go build", [["echo", "go", "build"]]),
    ],
)
def test_commands(script: str, expected: list[list[str]]) -> None:
    assert commands(script) == expected


@pytest.mark.parametrize(
    ("word", "program"), [("go", "go"), ("/usr/local/go/bin/go", "go"), ("./run", "run")]
)
def test_program_name(word: str, program: str) -> None:
    assert shell.program_name(word) == program


_SCRIPT_ALPHABET = "GOMEMLIT=_ab1\\\n\"' \t;&|$(){}#-"


@given(st.text(alphabet=_SCRIPT_ALPHABET, max_size=60))
def test_an_assigned_name_is_written_plainly(script: str) -> None:
    """What settings.py relies on to skip scripts without a tuning variable's name: every
    assignment's name, and the ``=`` after it, appear as they are in the script."""
    for found in shell.assignments(script):
        assert found.name + "=" in script
        assert script[found.word.start : found.word.start + len(found.name)] == found.name


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        # (element, name, value, value span, word span, how, nested, command follows)
        (["env", "GOMEMLIMIT=409MiB", "/app"],
         [(1, "GOMEMLIMIT", "409MiB", (11, 17), (0, 17), "env", False, True)]),
        (["/usr/bin/env", "-u", "GOGC", "-i", "GOGC=50", "/app"],
         [(4, "GOGC", "50", (5, 7), (0, 7), "env", False, True)]),
        (["sh", "-c", "GOMEMLIMIT=300MiB exec /app"],
         [(2, "GOMEMLIMIT", "300MiB", (11, 17), (0, 17), "prefix", True, True)]),
        (["/bin/bash", "-ec", "export GOMEMLIMIT='1 GiB'; exec /app"],
         [(2, "GOMEMLIMIT", "1 GiB", (19, 24), (7, 25), "export", True, False)]),
        (["sh", "-c", "GOMEMLIMIT=1GiB"],
         [(2, "GOMEMLIMIT", "1GiB", (11, 15), (0, 15), "prefix", True, False)]),
        (["env", "A=1", "sh", "-c", "GOGC=off exec /app"],
         [(1, "A", "1", (2, 3), (0, 3), "env", False, True),
          (4, "GOGC", "off", (5, 8), (0, 8), "prefix", True, True)]),
        (["nice", "-n", "5", "env", "GOGC=50", "/app"],
         [(4, "GOGC", "50", (5, 7), (0, 7), "env", False, True)]),
        (["GOMEMLIMIT=1GiB", "/app"], []),  # exec form: the first element is the program
        (["nice", "GOMEMLIMIT=1GiB", "app"], []),  # so is nice's first operand
        (["nice", "-n", "5", "GOMEMLIMIT=1GiB", "app"], []),
        (["/usr/bin/nohup", "GOMEMLIMIT=1GiB", "app"], []),
        (["time", "GOMEMLIMIT=1GiB", "app"], []),  # no shell: /usr/bin/time
        (["sudo", "-u", "app", "GOMEMLIMIT=1GiB", "/app"],
         [(3, "GOMEMLIMIT", "1GiB", (11, 15), (0, 15), "env", False, True)]),
        (["nice", "sh", "-c", "GOGC=off exec /app"],
         [(3, "GOGC", "off", (5, 8), (0, 8), "prefix", True, True)]),
        (["/app", "GOMEMLIMIT=1GiB"], []),  # an argument of the program
        (["sh", "GOMEMLIMIT=1GiB"], []),  # a script file, not -c
        (["!"], []),
        ([], []),
    ],
)
def test_argv_assignments(argv: list[str], expected: list[tuple[object, ...]]) -> None:
    found = [
        (a.element, a.name, a.value, (a.value_start, a.value_end), (a.word_start, a.word_end),
         a.how, a.nested, a.command_follows)
        for a in shell.argv_assignments(argv)
    ]
    assert found == expected
    for item in shell.argv_assignments(argv):
        if "'" not in argv[item.element]:  # unquoted: the span is the value's text
            assert argv[item.element][item.value_start : item.value_end] == item.value


# --------------------------------------------------------------------------- real shells
# What dash (Debian's /bin/sh) and busybox sh (Alpine's) do with the same words: the program
# sees GOMEMLIMIT exactly when shell.assignments says its command line sets it. sudo is not run
# (it needs a sudoers policy); its reading comes from its source (shell._SETTER_OPTIONS...).
REAL_SHELLS = {"dash": ["dash", "-c"], "busybox": ["busybox", "sh", "-c"]}
WRAPPED = [
    "GOMEMLIMIT=1GiB PROBE",
    "env GOMEMLIMIT=1GiB PROBE",
    "env -u X -- GOMEMLIMIT=1GiB PROBE",
    "nice GOMEMLIMIT=1GiB PROBE",
    "nice -n 5 GOMEMLIMIT=1GiB PROBE",
    "nohup GOMEMLIMIT=1GiB PROBE",
    "exec GOMEMLIMIT=1GiB PROBE",
    "command GOMEMLIMIT=1GiB PROBE",
    "time GOMEMLIMIT=1GiB PROBE",
    "nice env GOMEMLIMIT=1GiB PROBE",
    "nice -n 5 nohup env -i GOMEMLIMIT=1GiB PROBE",
    "GOMEMLIMIT=1GiB exec nice PROBE",
    "! GOMEMLIMIT=1GiB PROBE",
    "sh -c 'nice GOMEMLIMIT=1GiB PROBE'",
    "sh -c 'exec env GOMEMLIMIT=1GiB PROBE'",
]


@pytest.mark.parametrize("name", list(REAL_SHELLS))
@pytest.mark.parametrize("script", WRAPPED)
def test_assignments_agree_with_real_shells(
    name: str, script: str, tmp_path: pathlib.Path
) -> None:
    argv = REAL_SHELLS[name]
    if shutil.which(argv[0]) is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{argv[0]} is not installed (.ci/run installs it)", pytrace=False)
        pytest.skip(f"{argv[0]} is not installed")
    if script.startswith("time") and shutil.which("time") is None:
        pytest.skip("no time program")  # dash runs /usr/bin/time: it is not a shell word there
    probe = tmp_path / "probe"
    probe.write_text("#!/bin/sh\necho \"[$GOMEMLIMIT]\"\n", encoding="utf-8")
    probe.chmod(0o755)
    script = script.replace("PROBE", str(probe))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    done = subprocess.run(
        [*argv, script], env=env, capture_output=True, text=True, timeout=30, check=False
    )
    seen = "[1GiB]" in done.stdout
    read = any(
        found.name == "GOMEMLIMIT" and str(probe) in [w.text for w in found.command]
        for found in shell.assignments(script)
    )
    assert read == seen, (done.stdout, done.stderr)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # Exec form: the first element is the program, even one that looks like NAME=VALUE.
        (b'RUN ["GOFLAGS=-x", "go", "build"]', [("GOFLAGS=-x", "go", "build")]),
        (b'RUN ["nice", "GOFLAGS=-x", "go", "build"]', [("GOFLAGS=-x", "go", "build")]),
        (b'RUN ["env", "GOFLAGS=-x", "go", "build"]', [("go", "build")]),
        (b'RUN ["nice"]', []),
        (b"RUN []", []),
        (b"RUN GOFLAGS=-x go build && nice GOOS=linux go build", [
            ("go", "build"), ("GOOS=linux", "go", "build"),
        ]),
    ],
)
def test_run_commands_start_at_the_program(source: bytes, expected: list[tuple[str, ...]]) -> None:
    from dfmemlint.dockerfile import reader
    from dfmemlint.dockerfile.gobuild import run_commands

    (ins,) = reader.read(b"FROM x\n" + source + b"\n").instructions[1:]
    assert list(run_commands(ins)) == expected
