"""``--memory-limit`` is the limit of the container a Dockerfile's image runs in: Compose files,
manifests and env files are judged against the limits their services and containers declare,
and a run that names the flag for them says once that it did not apply (README, Compose)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers.cli import run_cli

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
NOTE = "--memory-limit applies to Dockerfiles only"
DOCKERFILE = 'FROM golang:1.22\nRUN go build -o /app .\nCMD ["/app"]\n'
COMPOSE = "services:\n  app:\n    image: golang:1.22\n    environment:\n      GOGC: 'off'\n"
MANIFEST = (
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
    "  - name: app\n    image: golang:1.22\n    env:\n    - name: GOGC\n      value: 'off'\n"
)


def _block_after(prompt: str) -> str:
    match = re.search(r"^\$ " + re.escape(prompt) + r"\n(.*?)^```$", README, re.M | re.S)
    assert match is not None, prompt
    return match.group(1)


def test_readme_example_is_what_the_tool_prints(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    prompt = "dfmemlint --memory-limit 512MiB --statistics examples/compose/compose.yaml"
    code, out, err = run_cli(capsys, "--no-color", *prompt.split()[1:])
    assert code == 1
    assert err + out == _block_after(prompt)


def _files(project: Path) -> None:
    (project / "Dockerfile").write_text(DOCKERFILE)
    (project / "compose.yaml").write_text(COMPOSE)
    (project / "pod.yaml").write_text(MANIFEST)
    (project / ".env").write_text("GOGC=100\n")
    (project / "templates").mkdir()
    (project / "templates" / "pod.yaml").write_text("{{ .Values.x }}\n")


@pytest.mark.parametrize(
    ("args", "count"),
    [
        (("--memory-limit", "512MiB", "compose.yaml"), 1),
        (("--memory-limit", "512MiB", "pod.yaml", "compose.yaml", ".env", "Dockerfile"), 3),
        (("--memory-limit", "512MiB", "--format", "json", "pod.yaml"), 1),
        (("--memory-limit", "512MiB", "--diff", "compose.yaml", "pod.yaml"), 2),
        (("--memory-limit", "512MiB", "."), 2),  # the walk finds compose.yaml and pod.yaml
    ],
)
def test_said_once_when_yaml_files_are_linted(
    project: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], count: int
) -> None:
    _files(project)
    _, _, err = run_cli(capsys, "--no-color", *args)
    assert err.count(NOTE) == 1, err
    assert f"{NOTE}: {count} Compose, Kubernetes or env file" in err


@pytest.mark.parametrize(
    "args",
    [
        ("--memory-limit", "512MiB", "Dockerfile"),  # it applies there
        ("compose.yaml", "pod.yaml"),  # not named
        ("--memory-limit", "512MiB", "--quiet", "compose.yaml"),
        ("--memory-limit", "512MiB", "templates/pod.yaml"),  # a chart template, not linted
    ],
)
def test_not_said_otherwise(
    project: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    _files(project)
    _, _, err = run_cli(capsys, "--no-color", *args)
    assert NOTE not in err


def test_the_flag_changes_nothing_in_yaml_files(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _files(project)
    plain = run_cli(capsys, "--no-color", "--format", "json", "compose.yaml", "pod.yaml")
    flagged = run_cli(
        capsys, "--no-color", "--format", "json", "--memory-limit", "512MiB", "compose.yaml",
        "pod.yaml",
    )
    assert flagged[:2] == plain[:2]
    assert '"DFM008"' in plain[1]  # GOGC=off, no GOMEMLIMIT and no declared limit in either


def test_a_memory_limit_comment_in_yaml_does_nothing_and_says_so(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # README: the comment declares a Dockerfile's limit; in a Compose file it is DFM017.
    (project / "compose.yaml").write_text("# dfmemlint: memory-limit=512MiB\n" + COMPOSE)
    _, out, _ = run_cli(capsys, "--no-color", "compose.yaml")
    assert "compose.yaml:1:14: DFM017 [warning]" in out
    assert "compose.yaml:6:14: DFM008" in out  # judged with no limit: it declares none
