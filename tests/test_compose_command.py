"""A Compose service's ``entrypoint``/``command``: the words go-shellwords makes of a string, the
GOMEMLIMIT/GOGC the command line sets (linted, inspected and alerted on as the value the program
starts with), and the image's start instructions it replaces (whose values are then not judged
for that service). The rule fixtures ``tests/fixtures/*/compose.command-line.yaml`` and
``*-replaces-cmd.*`` hold the positions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.alerts import rules_of
from helpers.alerts import run_alerts as run_alerts_cli
from helpers.cli import run_cli

from dfmemlint.compose.command import SplitError, replaced, split
from dfmemlint.golang.units import MIB

# go-shellwords v1.0.12 shellwords_test.go ``testcases``, then what compose-go's call of Parse
# does with operators, a redirection's digits, $( ) and backquotes.
SPLITS = [
    ("", []),
    ('""', [""]),
    ("''", [""]),
    ("var --bar=baz", ["var", "--bar=baz"]),
    ('var --bar="baz"', ["var", "--bar=baz"]),
    ('var "--bar=baz"', ["var", "--bar=baz"]),
    ("var \"--bar='baz'\"", ["var", "--bar='baz'"]),
    ("var --bar=`baz`", ["var", "--bar=`baz`"]),
    ('var "--bar=\\"baz\'"', ["var", "--bar=\"baz'"]),
    ('var "--bar=\\\'baz\\\'"', ["var", "--bar='baz'"]),
    ("var --bar='\\'", ["var", "--bar=\\"]),
    ('var "--bar baz"', ["var", "--bar baz"]),
    ('var --"bar baz"', ["var", "--bar baz"]),
    ('var  --"bar baz"', ["var", "--bar baz"]),
    ('a "b"', ["a", "b"]),
    ('a " b "', ["a", " b "]),
    ('a "   "', ["a", "   "]),
    ("a 'b'", ["a", "b"]),
    ("a ' b '", ["a", " b "]),
    ("a '   '", ["a", "   "]),
    ("foo bar\\  ", ["foo", "bar "]),
    ("foo \"\" bar ''", ["foo", "", "bar", ""]),
    ("foo \\\\", ["foo", "\\"]),
    ("foo \\& bar", ["foo", "&", "bar"]),
    ("env GOMEMLIMIT=1GiB ./app; echo done", ["env", "GOMEMLIMIT=1GiB", "./app"]),
    ("env GOMEMLIMIT=1GiB ./app 2>/dev/null", ["env", "GOMEMLIMIT=1GiB", "./app"]),
    ("env GOMEMLIMIT=1GiB ./app>log", ["env", "GOMEMLIMIT=1GiB", "./app"]),
    ("echo $(date +%s) x", ["echo", "$(date +%s)", "x"]),
    ("echo `date +%s` x", ["echo", "`date +%s`", "x"]),
]


@pytest.mark.parametrize(("line", "words"), SPLITS)
def test_split_as_go_shellwords(line: str, words: list[str]) -> None:
    assert [word.text for word in split(line)] == words


@pytest.mark.parametrize("line", ["foo '", 'foo "', "foo `", "echo (x", "echo $(x", "a \\"])
def test_split_refuses_what_go_shellwords_refuses(line: str) -> None:
    with pytest.raises(SplitError):
        split(line)


def test_split_maps_each_character_to_where_it_is_written() -> None:
    line = "env 'GOMEMLIMIT=1'G\\iB ./app"
    word = split(line)[1]
    assert word.text == "GOMEMLIMIT=1GiB"
    assert "".join(line[i] for i in word.origin) == word.text
    assert word.origin[-3:] == (18, 20, 21)  # G, then i after its backslash, then B


@pytest.mark.parametrize(
    ("entrypoint", "command", "kinds"),
    [
        (None, None, set()),
        (None, [], set()),  # an empty command: the engine uses the image's CMD
        (None, ["/app"], {"cmd"}),
        ([], None, {"entrypoint"}),  # an empty entrypoint: the image's CMD stays
        (["/app"], None, {"entrypoint", "cmd"}),
        (["/app"], ["--serve"], {"entrypoint", "cmd"}),
    ],
)
def test_what_a_service_replaces(
    entrypoint: list[str] | None, command: list[str] | None, kinds: set[str]
) -> None:
    assert replaced(entrypoint, command) == kinds


SERVICE = """\
services:
  api:
    image: example/api
    mem_limit: 512m
    environment:
      GOMEMLIMIT: 100MiB
{start}
"""


def _inspect(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, object]:
    code, out, _ = run_cli(capsys, "inspect", "--format", "json", str(path))
    assert code == 0
    [info] = json.loads(out)
    settings: dict[str, object] = info["services"][0]["settings"]
    return settings


@pytest.mark.parametrize(
    ("start", "value", "via", "line", "column"),
    [
        ("    command: env GOMEMLIMIT=300MiB ./app", "300MiB", "command", 7, 29),
        ('    entrypoint: ["sh", "-c", "GOMEMLIMIT=300MiB exec /app"]', "300MiB",
         "entrypoint (sh -c script)", 7, 42),
        # deferring to the environment: the environment's value
        ("    command: sh -c 'GOMEMLIMIT=$${GOMEMLIMIT:-300MiB} exec /app'", "100MiB",
         "environment", 6, 19),
        # an argument of the program sets nothing
        ("    command: /app GOMEMLIMIT=300MiB", "100MiB", "environment", 6, 19),
    ],
)
def test_inspect_shows_what_the_program_starts_with(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, start: str, value: str, via: str,
    line: int, column: int,
) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(SERVICE.format(start=start))
    shown = _inspect(capsys, path)["GOMEMLIMIT"]
    assert shown == {
        "value": value, "via": via, "at": {"path": str(path), "line": line, "column": column},
        "shell_may_override": [],
    }


def test_a_later_file_replaces_the_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "compose.yaml").write_text(
        SERVICE.format(start="    command: env GOMEMLIMIT=300MiB ./app")
    )
    override = tmp_path / "compose.override.yaml"
    override.write_text("services:\n  api:\n    command: [./app, --serve]\n")
    assert _inspect(capsys, tmp_path / "compose.yaml")["GOMEMLIMIT"]["value"] == (  # type: ignore[index]
        "100MiB"
    )
    override.write_text("services:\n  api:\n    command: !reset null\n")
    assert _inspect(capsys, tmp_path / "compose.yaml")["GOMEMLIMIT"]["value"] == (  # type: ignore[index]
        "100MiB"
    )


def test_alerts_use_the_command_value(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(SERVICE.format(start="    command: [env, GOMEMLIMIT=300MiB, ./app]"))
    code, out, _ = run_alerts_cli(capsys, str(path))
    assert code == 0
    [rule] = rules_of(out)
    assert rule["annotations"]["rss_threshold_bytes"] == str(300 * MIB * 11 // 10)
    assert f"command at {path}:7" in rule["annotations"]["description"]


def test_alerts_skip_a_value_only_the_shell_knows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(
        "services:\n  api:\n    image: x\n    mem_limit: 512m\n"
        "    command: sh -c 'GOMEMLIMIT=$${LIMIT}MiB exec /app'\n"
    )
    code, out, _ = run_alerts_cli(capsys, str(path))
    assert code == 0
    assert "a shell variable of the service's command line" in out


@pytest.mark.parametrize(
    "start",
    [
        "    command: env GOMEMLIMIT=1024Mi ./app",
        "    command: [\"env\", \"GOMEMLIMIT=300MB\", \"./app\"]",
        "    command: env \"GOMEMLIMIT=512MiB\" ./app",
        "    entrypoint:\n      - sh\n      - -c\n      - GOMEMLIMIT=1.5GiB exec /app",
    ],
)
def test_the_advertised_fix_is_what_fix_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, start: str
) -> None:
    path = tmp_path / "compose.yaml"
    original = (
        "services:\n  api:\n    image: example/api\n    mem_limit: 512m\n" + start + "\n"
    ).encode()
    path.write_bytes(original)
    code, out, _ = run_cli(capsys, "--format", "json", str(path))
    assert code == 1
    [finding] = json.loads(out)
    fix = finding["fix"]
    [edit] = fix["edits"]
    advertised = (
        original[: edit["start"]] + edit["replacement"].encode() + original[edit["end"] :]
    )
    flag = ["--unsafe-fixes"] if fix["applicability"] == "unsafe" else []
    run_cli(capsys, "--fix", *flag, str(path))
    assert path.read_bytes() == advertised
    code, out, _ = run_cli(capsys, "--format", "json", str(path))
    assert code == 0, out


DOCKERFILE = """\
FROM golang:1.22 AS build
RUN go build -o /app .
FROM alpine:3.20
COPY --from=build /app /app
CMD ["env", "GOMEMLIMIT=512MiB", "/app"]
"""


@pytest.mark.parametrize(
    ("start", "findings"),
    [
        ("", ["DFM007"]),  # the service runs the image's CMD: judged against its 512m
        ("    command: [/app, --serve]\n", []),  # replaced: never reaches the service
        ("    entrypoint: /app\n", []),  # an entrypoint drops the image's CMD too
        ("    entrypoint: []\n", ["DFM007"]),  # an empty one keeps the CMD
    ],
)
def test_a_replaced_instruction_is_not_judged_for_the_service(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, start: str, findings: list[str]
) -> None:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "compose.yaml").write_text(
        "services:\n  api:\n    build: .\n    mem_limit: 512m\n" + start
    )
    code, out, _ = run_cli(capsys, "--format", "json", str(tmp_path / "Dockerfile"))
    assert [f["code"] for f in json.loads(out)] == findings
    assert code == (1 if findings else 0)
    code, out, _ = run_cli(capsys, "inspect", "--format", "json", str(tmp_path / "Dockerfile"))
    [service] = json.loads(out)[0]["compose_services"]
    assert service["limit_applies"] is bool(findings)


def test_a_service_command_setting_gomemlimit_replaces_the_image_env(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE.replace('CMD ["env", "GOMEMLIMIT=512MiB", '
                                                            '"/app"]', "ENV GOMEMLIMIT=512MiB\n"
                                                            'CMD ["/app"]'))
    (tmp_path / "compose.yaml").write_text(
        "services:\n  api:\n    build: .\n    mem_limit: 512m\n"
        "    command: [env, GOMEMLIMIT=400MiB, /app]\n"
    )
    code, out, _ = run_cli(capsys, "inspect", "--format", "json", str(tmp_path / "Dockerfile"))
    [service] = json.loads(out)[0]["compose_services"]
    assert (service["gomemlimit"], service["sets_gomemlimit"], service["limit_applies"]) == (
        "400MiB", True, False
    )
    code, out, _ = run_cli(capsys, "--format", "json", str(tmp_path / "Dockerfile"))
    # the image's ENV is not judged against the service's limit
    assert (code, json.loads(out)) == (0, [])


@pytest.mark.parametrize(
    ("start", "note"),
    [
        ("    command: ${CMD:?set CMD}", None),  # only the shell knows: nothing read
        ("    command: \"env 'GOMEMLIMIT=1GiB ./app\"", "invalid command line string"),
        ("    command: {env: GOMEMLIMIT}", None),  # not a command Compose reads
        ("    command: [env, [GOMEMLIMIT=1GiB], ./app]", None),
        ("    command: [env, \"GOMEMLIMIT=${X:?set X}\", ./app]", None),
        ("    command: ~", None),
    ],
)
def test_a_command_that_cannot_be_read_sets_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, start: str, note: str | None
) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(SERVICE.format(start=start))
    code, out, _ = run_cli(capsys, "inspect", "--format", "json", str(path))
    [info] = json.loads(out)
    assert info["services"][0]["settings"]["GOMEMLIMIT"]["via"] == "environment"
    code, _, err = run_cli(capsys, str(path))
    assert code == 0
    if note is not None:
        assert note in err


def test_inspect_outline_says_a_shell_reference_is_unknown(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text(
        "services:\n  api:\n    image: x\n"
        "    entrypoint: [sh, -c, 'GOMEMLIMIT=$${LIMIT}MiB exec /app']\n"
    )
    code, out, _ = run_cli(capsys, "inspect", str(path))
    assert code == 0
    assert (
        f"    GOMEMLIMIT=(unknown: a shell reference)  (entrypoint (sh -c script), {path}:4)"
        in out
    )


def test_a_dockerfile_read_from_standard_input_is_linked_without_reading_it(
    tmp_path: Path,
) -> None:
    from dfmemlint.compose.link import LinkedService, _replaces_image_value
    from dfmemlint.compose.model import Project, Service

    service = Service("api", None)  # type: ignore[arg-type]
    service.dockerfile = str(tmp_path / "missing" / "Dockerfile")
    service.replaces = frozenset({"cmd"})
    project = Project([], str(tmp_path), {"api": service}, [], {})
    assert _replaces_image_value(LinkedService(service, project)) is False
