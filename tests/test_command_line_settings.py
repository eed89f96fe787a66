"""GOMEMLIMIT/GOGC set on a container's command line (Kubernetes ``command``/``args``): the value
the program starts with is the one linted, inspected and alerted on, placed where it is written
(the rule fixtures ``tests/fixtures/*/k8s-command-line.yaml`` hold the positions of each kind)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.alerts import rules_of
from helpers.alerts import run_alerts as run_alerts_cli
from helpers.cli import run_cli
from helpers.manifests import workload

from dfmemlint.containers import Place
from dfmemlint.golang.units import MIB
from dfmemlint.start_command import Element, exact_chars, read

LIMIT = "          resources:\n            limits:\n              memory: 512Mi\n"
ENV = "          env:\n            - name: GOMEMLIMIT\n              value: 100MiB\n"


def _element(text: str, start: int = 0, exact: bool = True) -> Element:
    end = start + len(text.encode())
    chars = exact_chars(text, start) if exact else None
    return Element(text, "command", Place("f.yaml", start, end, exact), chars)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["env", "GOMEMLIMIT=300MB", "/app"], [("GOMEMLIMIT", "300MB", 1, 11, 16)]),
        (["sh", "-c", "GOGC=off exec /app"], [("GOGC", "off", 2, 5, 8)]),
        # a later assignment of the same variable is read too (the last one wins)
        (
            ["env", "GOMEMLIMIT=1", "GOMEMLIMIT=2", "/app"],
            [("GOMEMLIMIT", "1", 1, 11, 12), ("GOMEMLIMIT", "2", 2, 11, 12)],
        ),
        (["nice", "GOMEMLIMIT=300MB", "/app"], []),  # nice's first operand is its program
        (["/app", "GOMEMLIMIT=300MB"], []),  # an argument of the program
        (["GOMEMLIMIT=300MB", "/app"], []),  # the first element is the program
    ],
)
def test_reads_what_the_dockerfile_reader_reads(
    argv: list[str], expected: list[tuple[str, str, int, int, int]]
) -> None:
    elements, start = [], 0
    for text in argv:
        elements.append(_element(text, start))
        start += len(text.encode()) + 10
    got = []
    for found in read(elements):
        [index] = [
            i for i, e in enumerate(elements) if e.place.start <= found.place.start < e.place.end
        ]
        origin = elements[index].place.start
        got.append(
            (found.name, found.value, index, found.place.start - origin, found.place.end - origin)
        )
    assert got == expected


def test_a_value_after_other_characters_is_placed_in_bytes() -> None:
    [found] = read([_element("sh"), _element("-c"), _element("echo é; GOMEMLIMIT=1Gi exec /a", 7)])
    # "echo é; GOMEMLIMIT=" is 19 characters and 20 bytes
    assert (found.value, found.place.start, found.place.end, found.place.editable) == (
        "1Gi", 7 + 20, 7 + 23, True
    )


def test_a_value_written_with_quotes_inside_is_placed_but_not_edited() -> None:
    # a shell word written with quotes inside: 30"0"MB is 300MB, but not one run of bytes
    text = 'GOMEMLIMIT=30"0"MB exec /app'
    [found] = read([_element("sh"), _element("-c"), _element(text, 40)])
    assert found.value == "300MB"
    # reported where it is written, quotes included, and never edited
    assert (found.place.start, found.place.end, found.place.editable) == (51, 58, False)
    [unmapped] = read([_element("env"), _element("GOMEMLIMIT=1Gi", 9, exact=False), _element("/a")])
    assert (unmapped.place.start, unmapped.place.end, unmapped.place.editable) == (9, 23, False)


@pytest.mark.parametrize(
    ("script", "value", "defers"),
    [
        ("GOMEMLIMIT=${GOMEMLIMIT:-409MiB} exec /app", "409MiB", True),
        ("GOMEMLIMIT=${GOMEMLIMIT-409MiB} exec /app", "409MiB", True),
        ("GOMEMLIMIT=$GOMEMLIMIT exec /app", None, True),
        ("GOMEMLIMIT=${LIMIT}MiB exec /app", None, False),  # another variable: unknown
    ],
)
def test_references(script: str, value: str | None, defers: bool) -> None:
    [found] = read([_element("sh"), _element("-c"), _element(script, 10)])
    assert (found.value, found.defers) == (value, defers)
    if value is not None:
        assert found.place.editable
        assert script[found.place.start - 10 : found.place.end - 10] == value


@pytest.mark.parametrize(
    ("operand", "defers"),
    [
        ("GOMEMLIMIT=$(GOMEMLIMIT)", True),  # the kubelet expands it from the environment
        ("GOMEMLIMIT=$$(GOMEMLIMIT)", False),  # stays literal: not a reference to itself
    ],
)
def test_kubelet_references(operand: str, defers: bool) -> None:
    [found] = read([_element("env"), _element(operand, 4), _element("/app", 40)])
    assert (found.value, found.defers) == (None, defers)


def _inspect(capsys: pytest.CaptureFixture[str], path: Path) -> dict[str, object]:
    code, out, _ = run_cli(capsys, "inspect", "--format", "json", str(path))
    assert code == 0
    [info] = json.loads(out)
    settings: dict[str, object] = info["containers"][0]["settings"]
    return settings


def test_inspect_shows_the_command_value_over_env(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "dep.yaml"
    path.write_text(workload("          command: [env, GOMEMLIMIT=300MiB, GOGC=50, /app]\n" + ENV))
    settings = _inspect(capsys, path)
    assert settings["GOMEMLIMIT"] == {
        "value": "300MiB", "origin": "command", "at": {"path": str(path), "line": 11,
                                                        "column": 37},
        "bytes": 300 * MIB, "divisor": None,
    }
    assert settings["GOGC"]["value"] == "50"  # type: ignore[index]


def test_inspect_keeps_the_env_value_a_command_defers_to(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "dep.yaml"
    path.write_text(workload(
        "          args: [sh, -c, 'GOMEMLIMIT=${GOMEMLIMIT:-300MiB} exec /app']\n" + ENV
    ))
    assert _inspect(capsys, path)["GOMEMLIMIT"]["value"] == "100MiB"  # type: ignore[index]
    path.write_text(workload(
        "          args: [sh, -c, 'GOMEMLIMIT=${GOMEMLIMIT:-300MiB} exec /app']\n"
    ))
    assert _inspect(capsys, path)["GOMEMLIMIT"] == {  # without env: the default
        "value": "300MiB", "origin": "args (sh -c script)",
        "at": {"path": str(path), "line": 11, "column": 52}, "bytes": 300 * MIB, "divisor": None,
    }


def test_alerts_use_the_command_value(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "dep.yaml"
    path.write_text(workload(
        "          command: [\"sh\", \"-c\", \"GOMEMLIMIT=300MiB exec /app\"]\n" + ENV + LIMIT
    ))
    code, out, _ = run_alerts_cli(capsys, str(path))
    assert code == 0
    [rule] = rules_of(out)
    # min(512 MiB * 0.9, 300 MiB * 1.1): the command's 300MiB, not the env's 100MiB
    assert rule["annotations"]["rss_threshold_bytes"] == str(300 * MIB * 11 // 10)
    assert f"command (sh -c script) at {path}:11" in rule["annotations"]["description"]


def test_a_command_only_setting_gets_an_alert(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "dep.yaml"
    path.write_text(workload("          command: [env, GOMEMLIMIT=400MiB, /app]\n" + LIMIT))
    code, out, _ = run_alerts_cli(capsys, str(path))
    assert code == 0
    [rule] = rules_of(out)
    assert rule["annotations"]["rss_threshold_bytes"] == str(400 * MIB * 11 // 10)


@pytest.mark.parametrize(
    "container",
    [
        "          command: [\"env\", \"GOMEMLIMIT=300MB\", \"/app\"]\n",
        "          command:\n            - sh\n            - -c\n"
        "            - 'GOMEMLIMIT=1Gi exec /app'\n",
        "          args: [sh, -c, \"export GOMEMLIMIT=600MiB; exec /app\"]\n" + LIMIT,
        "          command: [env, GOMEMLIMIT=512MiB, /app]\n" + LIMIT,
    ],
)
def test_the_advertised_fix_is_what_fix_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, container: str
) -> None:
    path = tmp_path / "dep.yaml"
    original = workload(container).encode()
    path.write_bytes(original)
    code, out, _ = run_cli(capsys, "--format", "json", str(path))
    assert code == 1
    [finding] = json.loads(out)
    fix = finding["fix"]
    assert fix is not None
    [edit] = fix["edits"]
    advertised = (
        original[: edit["start"]] + edit["replacement"].encode() + original[edit["end"] :]
    )
    flag = ["--unsafe-fixes"] if fix["applicability"] == "unsafe" else []
    run_cli(capsys, "--fix", *flag, str(path))
    assert path.read_bytes() == advertised
    code, out, _ = run_cli(capsys, "--format", "json", str(path))
    assert code == 0, out  # nothing left to find


def test_an_empty_value_and_other_variables() -> None:
    found = read([_element("env"), _element("GOMEMLIMIT=", 4), _element("HOME=/", 16),
                  _element("GOGC=50", 30), _element("/app", 40)])
    assert [(s.name, s.value, s.place.start, s.place.end) for s in found] == [
        ("GOMEMLIMIT", "", 15, 15), ("GOGC", "50", 35, 37),
    ]


def test_a_reference_to_itself_without_env_sets_nothing_known(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "dep.yaml"
    path.write_text(workload("          command: [env, GOMEMLIMIT=$(GOMEMLIMIT), /app]\n"))
    code, out, _ = run_cli(capsys, "inspect", "--format", "json", str(path))
    assert (code, json.loads(out)[0]["containers"][0]["settings"]) == (0, {})


def test_dfm016_shows_a_reference_as_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "dep.yaml"
    path.write_text(workload("          command: [env, GOMEMLIMIT=$(MEMORY), /app]\n" + ENV))
    code, out, _ = run_cli(capsys, "--format", "json", str(path))
    [finding] = json.loads(out)
    assert (code, finding["code"], finding["line"], finding["column"]) == (1, "DFM016", 11, 37)
    assert "sets GOMEMLIMIT=$(MEMORY) over the GOMEMLIMIT" in finding["message"]


@pytest.mark.parametrize(
    ("script", "shown"),
    [
        # the kubelet fills in $(GOMEMLIMIT) from env before the shell runs: env's value
        ("GOMEMLIMIT=$(GOMEMLIMIT) exec /app", "100MiB"),
        # another variable: a value the files do not show, over env's
        ("GOMEMLIMIT=$(MEMORY)MiB exec /app", None),
    ],
)
def test_kubelet_references_in_a_shell_script(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, script: str, shown: str | None
) -> None:
    path = tmp_path / "dep.yaml"
    path.write_text(workload(f"          command: [sh, -c, '{script}']\n" + ENV))
    assert _inspect(capsys, path)["GOMEMLIMIT"]["value"] == shown  # type: ignore[index]
    code, out, _ = run_cli(capsys, "--format", "json", str(path))
    assert [f["code"] for f in json.loads(out)] == ([] if shown else ["DFM016"])
    assert code == (0 if shown else 1)
