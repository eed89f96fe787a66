"""Findings on Compose files: the value rules on each service's environment, with positions in
the file that writes the value, byte-exact fixes that keep the file valid Compose."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from helpers.compose_samples import ISSUE_API, ISSUE_WORKER

from dfmemlint.cli import main
from dfmemlint.compose.lint import lint_compose
from dfmemlint.engine import LintOptions
from dfmemlint.fix.fixer import fix_file

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT.parent / "shared" / "schemas" / "compose-spec.json"



def _codes(path: Path, options: LintOptions | None = None) -> list[tuple[str, int, int, str]]:
    result = lint_compose(path.name, path.read_bytes(), options or LintOptions())
    return [(f.code, f.line, f.column, f.severity.label) for f in result.findings]


def _valid_compose(data: bytes) -> None:
    if not SCHEMA.is_file():
        pytest.skip("../shared/schemas is not present")
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator(schema).validate(yaml.safe_load(data))


def test_issue_example_api(project: Path) -> None:
    (project / "compose.yaml").write_text(ISSUE_API)
    # 512MB is malformed (DFM004); its respelling 512MiB would be 100 % of the 512M limit, so
    # the fix writes the recommended 409MiB instead.
    assert _codes(project / "compose.yaml") == [("DFM004", 5, 19, "error")]
    outcome = fix_file("compose.yaml", ISSUE_API.encode(), LintOptions(), unsafe=False)
    assert outcome.error is None
    assert outcome.data == ISSUE_API.replace("512MB", "409MiB").encode()
    _valid_compose(outcome.data)


def test_issue_example_worker_is_fine(project: Path) -> None:
    (project / "compose.yaml").write_text(ISSUE_WORKER)
    assert _codes(project / "compose.yaml") == []


def test_default_at_the_limit_is_reported_at_the_default(project: Path) -> None:
    text = ISSUE_WORKER.replace("16MiB", "20MiB")
    (project / "compose.yaml").write_text(text)
    assert _codes(project / "compose.yaml") == [("DFM007", 6, 41, "error")]
    outcome = fix_file("compose.yaml", text.encode(), LintOptions(), unsafe=True)
    assert outcome.data == text.replace(":-20MiB}", ":-16MiB}").encode()
    _valid_compose(outcome.data)


def test_value_from_dotenv_is_reported_where_compose_brings_it_in(project: Path) -> None:
    (project / "compose.yaml").write_text(
        "services:\n  bus:\n    mem_limit: ${LIMIT:?}\n"
        "    environment:\n      GOMEMLIMIT: ${GOMEMLIMIT:?}\n"
    )
    (project / ".env").write_text("LIMIT=768m\nGOMEMLIMIT=1536MiB\n")
    result = lint_compose("compose.yaml", (project / "compose.yaml").read_bytes(), LintOptions())
    [finding] = result.findings
    assert (finding.code, finding.line, finding.column) == ("DFM007", 5, 19)
    assert ".env:2" in finding.message
    assert finding.fix is None


def test_gogc_off_without_gomemlimit(project: Path) -> None:
    text = "services:\n  s:\n    environment:\n      - GOGC=off\n      - GOMEMLIMIT\n"
    (project / "compose.yaml").write_text(text)
    assert _codes(project / "compose.yaml") == []  # the shell may give GOMEMLIMIT
    (project / "compose.yaml").write_text(text.replace("      - GOMEMLIMIT\n", ""))
    assert _codes(project / "compose.yaml") == [("DFM008", 4, 14, "error")]


def test_override_file_values_are_reported_in_the_override(project: Path) -> None:
    (project / "compose.yaml").write_text("services:\n  s:\n    mem_limit: 512m\n")
    (project / "compose.override.yaml").write_text(
        "services:\n  s:\n    environment: {GOMEMLIMIT: 600MiB}\n"
    )
    assert _codes(project / "compose.yaml") == []
    assert _codes(project / "compose.override.yaml") == [("DFM007", 3, 31, "error")]


def test_directory_walk_lints_compose_and_dockerfile(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "compose.yaml").write_text(ISSUE_API)
    (project / "Dockerfile").write_text(
        "FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM alpine\n"
        "COPY --from=build /app /app\nCMD [\"/app\"]\n"
    )
    code = main(["--no-color", "--format", "json", "."])
    found = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(f["path"], f["code"]) for f in found] == [("compose.yaml", "DFM004")]


def test_unreadable_compose_file(project: Path) -> None:
    (project / "compose.yaml").write_text("services: [\n")
    assert [c[0] for c in _codes(project / "compose.yaml")] == ["DFM015"]


def test_inspect_shows_each_service(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "compose.yaml").write_text(ISSUE_WORKER + "  api:\n    build: .\n")
    assert main(["inspect", "compose.yaml"]) == 0
    out = capsys.readouterr().out
    assert "service worker: memory limit 20m = 20,971,520 bytes (20 MiB) (mem_limit, " in out
    assert (
        "GOMEMLIMIT=16MiB  (environment, compose.yaml:6; the shell may set WORKER_GOMEMLIMIT)"
        in out
    )
    assert "service api: no memory limit" in out
    assert f"builds {project / 'Dockerfile'}" in out
    assert main(["inspect", "--format", "json", "compose.yaml"]) == 0
    [info] = json.loads(capsys.readouterr().out)
    assert info["services"][0]["settings"]["GOMEMLIMIT"] == {
        "value": "16MiB",
        "via": "environment",
        "at": {"path": "compose.yaml", "line": 6, "column": 41},
        "shell_may_override": ["WORKER_GOMEMLIMIT"],
    }
    (project / "compose.yaml").write_text("services: [\n")
    assert main(["inspect", "compose.yaml"]) == 0
    assert "error: compose.yaml:2: not valid YAML" in capsys.readouterr().out


GO_DOCKERFILE = (
    "FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM alpine\n"
    "COPY --from=build /app /app\n{env}CMD [\"/app\"]\n"
)


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ("ENV GOMEMLIMIT=400MiB\n", []),  # the image bounds the heap
        ("ENV GOMEMLIMIT=off\n", [("DFM008", 5, 14, "error")]),  # off bounds nothing
        ("", [("DFM008", 5, 14, "error")]),
    ],
)
def test_gogc_off_is_bounded_by_the_gomemlimit_of_the_image_the_service_builds(
    project: Path, env: str, expected: list[tuple[str, int, int, str]]
) -> None:
    (project / "compose.yaml").write_text(
        "services:\n  api:\n    build: .\n    environment:\n      - GOGC=off\n"
    )
    (project / "Dockerfile").write_text(GO_DOCKERFILE.format(env=env))
    assert _codes(project / "compose.yaml") == expected


def test_gogc_off_with_a_missing_dockerfile(project: Path) -> None:
    (project / "compose.yaml").write_text(
        "services:\n  api:\n    build: {context: ., dockerfile: gone.Dockerfile}\n"
        "    environment:\n      - GOGC=off\n"
    )
    assert _codes(project / "compose.yaml") == [("DFM008", 5, 14, "error")]


def test_directory_walk_reports_each_finding_once(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The base file, its override, the .env file and the Dockerfile all belong to one project;
    each value is reported once, in the file that writes it (or brings it in)."""
    (project / "compose.yaml").write_text(
        "services:\n  api:\n    build: .\n    mem_limit: 512m\n"
        "    environment:\n      GOMEMLIMIT: 512MB\n      GOGC: ${GOGC:?}\n"
    )
    (project / "compose.override.yaml").write_text(
        "services:\n  api:\n    environment:\n      GOMEMLIMIT: 600MiB\n"
    )
    (project / ".env").write_text("GOGC=off\n")
    (project / "Dockerfile").write_text(GO_DOCKERFILE.format(env="ENV GOMEMLIMIT=512MiB\n"))
    assert main(["--no-color", "--format", "json", "."]) == 1
    found = [(f["path"], f["code"], f["line"], f["column"])
             for f in json.loads(capsys.readouterr().out)]
    assert sorted(found) == [
        # the image's ENV is not judged: the service's environment replaces it
        # the override's value is what the container gets; the base file's 512MB is replaced
        ("compose.override.yaml", "DFM007", 4, 19),
    ]


def test_value_from_env_file_is_reported_at_the_env_file_entry(project: Path) -> None:
    (project / "compose.yaml").write_text(
        "services:\n  api:\n    mem_limit: 512m\n    env_file:\n      - app.env\n"
    )
    (project / "app.env").write_text("# tuning\nGOMEMLIMIT=512MB\n")
    result = lint_compose("compose.yaml", (project / "compose.yaml").read_bytes(), LintOptions())
    [finding] = result.findings
    assert (finding.code, finding.line, finding.column) == ("DFM004", 5, 9)
    assert "env_file app.env:2" in finding.message
    assert finding.fix is None  # only the linted file's bytes are edited


def test_dotenv_value_brought_in_by_the_override_is_reported_there_only(project: Path) -> None:
    (project / "compose.yaml").write_text("services:\n  s:\n    mem_limit: 512m\n")
    (project / "compose.override.yaml").write_text(
        "services:\n  s:\n    environment:\n      - GOMEMLIMIT\n"
    )
    (project / ".env").write_text("GOMEMLIMIT=2GiB\n")
    assert _codes(project / "compose.yaml") == []
    assert _codes(project / "compose.override.yaml") == [("DFM007", 4, 9, "error")]


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("      # dfmemlint: ignore=DFM004\n", []),
        # DFM007 is not what the value has: an unused suppression (DFM017).
        ("      # dfmemlint: ignore=DFM007\n",
         [("DFM017", 5, 27, "warning"), ("DFM004", 6, 19, "error")]),
        ("# dfmemlint: global ignore=DFM004\n", []),
        ("", [("DFM004", 5, 19, "error")]),
    ],
)
def test_ignore_comments(
    project: Path, comment: str, expected: list[tuple[str, int, int, str]]
) -> None:
    text = ISSUE_API.replace("      GOMEMLIMIT", comment + "      GOMEMLIMIT")
    (project / "compose.yaml").write_text(text)
    assert _codes(project / "compose.yaml") == expected


def test_select_and_ignore(project: Path) -> None:
    (project / "compose.yaml").write_text(ISSUE_API)
    assert _codes(project / "compose.yaml", LintOptions(select=frozenset({"DFM007"}))) == []
    assert _codes(project / "compose.yaml", LintOptions(ignore=frozenset({"DFM004"}))) == []
    (project / "compose.yaml").write_text("services: [\n")
    assert _codes(project / "compose.yaml", LintOptions(ignore=frozenset({"DFM015"}))) == []


def test_a_file_that_is_not_a_compose_mapping_is_reported_on_line_1(project: Path) -> None:
    (project / "compose.yaml").write_text("- just\n- a list\n")
    result = lint_compose("compose.yaml", (project / "compose.yaml").read_bytes(), LintOptions())
    assert [(f.code, f.line, f.column) for f in result.findings] == [("DFM015", 1, 1)]
    assert result.syntax_error is not None
