"""Each cause a Compose project gives a warning for is said once per run, whatever reads the
project: the lint of each of its files, the Dockerfiles it builds, the env files it reads, a fix
or a diff, in every output format. A file that cannot be read is said once too, and not at all
when its own lint reports it as a DFM015 finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.cli import run_cli

DOCKERFILE = 'FROM golang:1.22\nRUN go build -o /app .\nCMD ["/app"]\n'
REFUSED = (
    "services:\n  api:\n    build: .\n    mem_limit: 512Mi\n"
    "  web:\n    build: .\n    mem_limit: 512m\n    deploy:\n      resources:\n"
    "        limits:\n          memory: 256m\n"
)
OUTPUTS = (
    ("--format", "text"), ("--format", "json"), ("--format", "sarif"), ("--format", "github"),
    ("--diff",), ("--fix",),
)


def _write(project: Path, compose: str) -> None:
    (project / "compose.yaml").write_text(compose)
    (project / "Dockerfile").write_text(DOCKERFILE)
    (project / ".env").write_text("GOGC=100\n")


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize(
    "paths",
    [
        ("compose.yaml",),
        ("compose.yaml", "Dockerfile"),
        ("Dockerfile", "compose.yaml", ".env"),
        (".env", "compose.yaml"),
        (".",),
    ],
)
@pytest.mark.parametrize(
    "words",
    [
        "mem_limit '512Mi' is refused by Compose",
        "service web sets mem_limit and deploy.resources.limits.memory to different values",
    ],
)
def test_a_refused_limit_is_said_once(
    project: Path, capsys: pytest.CaptureFixture[str], output: tuple[str, ...],
    paths: tuple[str, ...], words: str,
) -> None:
    _write(project, REFUSED)
    _, _, err = run_cli(capsys, "--no-color", *output, *paths)
    assert err.count(words) == 1, err


@pytest.mark.parametrize("output", OUTPUTS)
@pytest.mark.parametrize(
    ("compose", "cause"),
    [
        ("services:\n  api:\n    build: .\n    environment: [\n", "not valid YAML"),
        (
            "services:\n  api:\n    build: .\n    mem_limit: 1g\n    mem_limit: 2g\n",
            "already defined at line 4",  # the key is quoted differently in JSON
        ),
    ],
)
def test_an_unreadable_file_is_said_once(
    project: Path, capsys: pytest.CaptureFixture[str], output: tuple[str, ...], compose: str,
    cause: str,
) -> None:
    _write(project, compose)
    # Linted itself: the DFM015 finding says it; the Dockerfile's and the env file's passes
    # over the project say nothing more.
    _, out, err = run_cli(capsys, "--no-color", *output, "Dockerfile", ".env", "compose.yaml")
    assert cause not in err
    if output in (("--format", "text"), ("--format", "json")):
        assert out.count(cause) == 1
    # Not linted itself: one warning, with what each pass could not do.
    _, _, err = run_cli(capsys, "--no-color", *output, "Dockerfile", ".env")
    assert err.count(cause) == 1, err
    assert "its services are not linked to Dockerfiles" in err
    assert "whether it reads .env is unknown" in err


@pytest.mark.parametrize("output", OUTPUTS)
def test_several_services_are_said_once(
    project: Path, capsys: pytest.CaptureFixture[str], output: tuple[str, ...]
) -> None:
    _write(project, "services:\n  a:\n    build: .\n    mem_limit: 512m\n"
                    "  b:\n    build: .\n    mem_limit: 1g\n")
    (project / "stack.yml").write_text("services:\n  c:\n    build: .\n    mem_limit: 2g\n")
    for paths in (("Dockerfile", "compose.yaml"), (".", "Dockerfile"),
                  ("Dockerfile", "stack.yml", "compose.yaml")):
        _, _, err = run_cli(capsys, "--no-color", *output, *paths)
        assert err.count("Compose services build this Dockerfile") == 1, (paths, err)
        (project / "Dockerfile").write_text(DOCKERFILE)  # as it was before a --fix
