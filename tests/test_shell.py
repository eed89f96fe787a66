"""The shell reader: simple commands, words with their positions, assignments, commands run."""

from __future__ import annotations

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
        ("sudo -u app GOMEMLIMIT=1 x", [("GOMEMLIMIT", "1", "prefix", "1", ["x"])]),
        ("nice -n 10 GOGC=off go build", [("GOGC", "off", "prefix", "off", ["go", "build"])]),
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
