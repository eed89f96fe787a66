"""The pre-commit hooks (.pre-commit-hooks.yaml), run through the real ``pre-commit try-repo``.

``try-repo`` of the project directory itself would take HEAD plus only the *tracked* changes
(pre-commit stages them with ``git add -u``), so a hooks file or module not yet committed would be
missing. The tests therefore copy the working tree's package files into a temporary repository,
commit them, and try that repository: what is tested is exactly what is on disk.

pre-commit installs the hook's environment from the package index (the project and its
dependencies), so these tests need the network to it; they skip when ``pre-commit`` or ``git`` is
missing, except under ``CI=true``, where that is a failure.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.manifests import workload
from helpers.samples import MALFORMED_DOCKERFILE as BAD

from dfmemlint.files import is_dockerfile_name

ROOT = Path(__file__).resolve().parent.parent
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
HOOK_IDS = ("dfmemlint", "dfmemlint-fix")

# The files a pip install of the project reads; everything else in the work tree is left out.
PROJECT_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "MANIFEST.in", "README.md", "LICENSE")

FIXED = BAD.replace("GOMEMLIMIT=512MB", "GOMEMLIMIT=512MiB")
BAD_POSITION = "8:16"  # line and column of 512MB

# (path relative to the repository root, whether the hooks run on it)
NAMES: tuple[tuple[str, bool], ...] = (
    ("Dockerfile", True),
    ("dockerfile", True),
    ("DOCKERFILE", True),
    ("Containerfile", True),
    ("containerfile", True),
    ("Dockerfile.prod", True),
    ("Dockerfile.dev.arm64", True),
    ("Dockerfile-dev", True),
    ("dockerfile-debug", True),
    ("Containerfile.ubi9", True),
    ("Containerfile-dev", True),
    ("build.dockerfile", True),
    ("build.Dockerfile", True),
    ("API.DOCKERFILE", True),
    ("services/api/Dockerfile", True),
    ("deploy/k8s/Dockerfile.prod", True),
    ("deploy/x.dockerfile", True),
    ("build.containerfile", True),
    ("deploy/API.Containerfile", True),
    ("images/Containerfile", True),
    ("Dockerfile.md", False),
    ("docs/Dockerfile.md", False),
    ("DOCKERFILE.MD", False),
    ("build.dockerfile.md", False),
    ("build.containerfile.md", False),
    (".dockerignore", False),
    ("sub/.dockerignore", False),
    ("Dockerfile.dockerignore", False),
    ("build.Dockerfile.dockerignore", False),
    ("Dockerfile.orig", False),
    ("Dockerfile.txt", False),
    ("README.md", False),
    ("MyDockerfile", False),
    ("Dockerfile.d/config.json", False),
    ("Dockerfile_old", False),
)

# YAML files: the hooks run on all of them; dfmemlint lints the Kubernetes manifests among them.
YAML_NAMES: tuple[tuple[str, bool], ...] = (
    ("Dockerfiles/app.yaml", True),
    ("deploy/k8s/api.yml", True),
    ("chart/templates/DEPLOYMENT.YAML", True),
    ("docker-compose.yml", True),
    ("values.yaml.bak", False),
    ("notes.yaml.md", False),
    ("app.yamlx", False),
    ("overlays/prod/Kustomization", True),  # kustomize's one name without .yaml
    ("overlays/prod/kustomization", False),  # not a name kustomize reads
    ("overlays/prod/MyKustomization", False),
)
MANIFEST = workload("""\
          env:
            - name: GOMEMLIMIT
              value: "1024Mi"  # Kubernetes units: Go rejects them
          resources:
            limits:
              memory: 2Gi
""")
MANIFEST_FIXED = MANIFEST.replace('"1024Mi"', '"1024MiB"')
STACK = """\
services:
  api:
    image: example/api
    mem_limit: 1g
    environment:
      GOMEMLIMIT: 400MB
"""
KUSTOMIZATION = ROOT / "tests" / "fixtures" / "kustomize" / "kustomization-name" / "Kustomization"
TUNING = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: tuning
data:
  GOMEMLIMIT: "4Gi"
"""
WORKER = workload(
    "          envFrom:\n            - configMapRef: {name: tuning}\n"
    "          resources: {limits: {memory: 8Gi}}\n",
    name="worker",
    image="example/worker",
)


# --------------------------------------------------------------------------- the manifest


def _manifest() -> list[dict[str, Any]]:
    loaded = yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, list)
    return loaded


def _hook(hook_id: str) -> dict[str, Any]:
    for hook in _manifest():
        if hook["id"] == hook_id:
            return hook
    raise AssertionError(f"no hook {hook_id!r} in {HOOKS_FILE.name}")


def test_hook_descriptions_name_every_input_format() -> None:
    """What the hooks say they lint is what they pass and dfmemlint reads: Dockerfiles,
    Kubernetes manifests (Helm and kustomize output) and Compose files, as the test above runs."""
    header = HOOKS_FILE.read_text(encoding="utf-8").split("\n- id:", 1)[0]
    assert "Compose files" in header
    for hook in _manifest():
        for words in ("Dockerfiles", "Kubernetes manifests", "Helm", "kustomize", "Compose files"):
            assert words in hook["description"], (hook["id"], words)


def test_manifest_declares_both_hooks() -> None:
    assert [hook["id"] for hook in _manifest()] == list(HOOK_IDS)
    lint, fix = _hook("dfmemlint"), _hook("dfmemlint-fix")
    for hook in (lint, fix):
        assert hook["language"] == "python"
        assert hook["types"] == ["text"]  # not [dockerfile]: it misses *.dockerfile, Containerfile
        assert hook["entry"].split()[0] == "dfmemlint"
        assert hook["name"]
    assert lint["entry"] == "dfmemlint --force-exclude"  # pre-commit names every file
    assert fix["entry"] == "dfmemlint --force-exclude --fix"
    assert lint["files"] == fix["files"]
    # One run sees a ConfigMap and the manifests that read it (pre-commit splits files
    # between processes otherwise).
    assert lint["require_serial"] is fix["require_serial"] is True


@pytest.mark.parametrize(("path", "expected"), NAMES)
def test_files_regex(path: str, expected: bool) -> None:
    pattern = _hook("dfmemlint")["files"]
    assert bool(re.search(pattern, path)) is expected
    # The hooks and the directory search (`dfmemlint DIR`) agree on what a Dockerfile is.
    assert is_dockerfile_name(path.rsplit("/", 1)[-1]) is expected


@pytest.mark.parametrize(("path", "expected"), YAML_NAMES)
def test_files_regex_yaml(path: str, expected: bool) -> None:
    assert bool(re.search(_hook("dfmemlint")["files"], path)) is expected


# --------------------------------------------------------------------------- pre-commit itself


def _require(tool: str, found: bool) -> None:
    if found:
        return
    message = f"{tool} is not installed"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI=true requires it")
    pytest.skip(message)


def _pre_commit_command() -> list[str]:
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    executable = shutil.which("pre-commit")
    _require("pre-commit", executable is not None)
    assert executable is not None
    return [executable]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    _require("git", shutil.which("git") is not None)
    home = tmp_path_factory.mktemp("home")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    clean.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
        NO_COLOR="1",
    )
    return clean


def _git(cwd: Path, env: Mapping[str, str], *args: str) -> None:
    subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=cwd, env=env, check=True, capture_output=True,
    )


def _copy_package(source: Path, target: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(source, target, ignore=ignore)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    """A committed copy of the hooks file and the installable package, as on disk now."""
    repo = tmp_path_factory.mktemp("hook-repo")
    shutil.copy2(HOOKS_FILE, repo / HOOKS_FILE.name)
    for name in PROJECT_FILES:
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, repo / name)
    _copy_package(ROOT / "dfmemlint", repo / "dfmemlint")
    _git(repo, env, "init", "-q")
    _git(repo, env, "add", "-A")
    _git(repo, env, "commit", "-q", "-m", "snapshot")
    return repo


@pytest.fixture
def project(tmp_path: Path, env: dict[str, str]) -> Path:
    """An empty git repository for the files the hooks run on."""
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, env, "init", "-q")
    return repo


def _write(repo: Path, env: Mapping[str, str], files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    _git(repo, env, "add", "-A")


def _try_repo(
    hook_repo: Path, project: Path, env: Mapping[str, str], hook_id: str
) -> subprocess.CompletedProcess[str]:
    command = [
        *_pre_commit_command(),
        "try-repo", str(hook_repo), hook_id, "--all-files", "--color=never",
    ]
    return subprocess.run(
        command, cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def _reported_paths(output: str) -> set[str]:
    """The paths of the DFM004 findings in the text output the hook printed."""
    pattern = re.compile(rf"^(.+):{BAD_POSITION}: DFM004 ", re.MULTILINE)
    return set(pattern.findall(output))


def test_lint_hook_fails_on_a_bad_dockerfile(
    hook_repo: Path, project: Path, env: dict[str, str]
) -> None:
    _write(project, env, {"Dockerfile": BAD})
    result = _try_repo(hook_repo, project, env, "dfmemlint")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert re.search(r"^dfmemlint\.+Failed$", output, re.MULTILINE), output
    assert f"Dockerfile:{BAD_POSITION}: DFM004 [error] GOMEMLIMIT=512MB" in output
    assert "Traceback" not in output
    assert (project / "Dockerfile").read_text(encoding="utf-8") == BAD  # lint changes nothing


def test_fix_hook_repairs_the_file(hook_repo: Path, project: Path, env: dict[str, str]) -> None:
    _write(project, env, {"Dockerfile": BAD, "deploy/app.dockerfile": BAD})
    result = _try_repo(hook_repo, project, env, "dfmemlint-fix")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output  # pre-commit fails a hook that modified files
    assert "files were modified by this hook" in output
    assert (project / "Dockerfile").read_text(encoding="utf-8") == FIXED
    assert (project / "deploy/app.dockerfile").read_text(encoding="utf-8") == FIXED
    # Once fixed, both hooks pass and the fix hook changes nothing more.
    _git(project, env, "add", "-A")
    for hook_id in HOOK_IDS:
        again = _try_repo(hook_repo, project, env, hook_id)
        assert again.returncode == 0, again.stdout + again.stderr
    assert (project / "Dockerfile").read_text(encoding="utf-8") == FIXED


def test_hooks_lint_and_fix_manifests(
    hook_repo: Path, project: Path, env: dict[str, str]
) -> None:
    _write(project, env, {
        "deploy/api.yaml": MANIFEST,
        # A ConfigMap read by a Deployment in another file: reported where it holds the value.
        "deploy/tuning.yaml": TUNING,
        "deploy/worker.yaml": WORKER,
        # kustomize's file without .yaml: its inline patch sets GOMEMLIMIT=300Mi.
        "overlays/prod/Kustomization": KUSTOMIZATION.read_text(encoding="utf-8"),
        # A Compose file under a name of its own (a top-level services: mapping).
        "deploy/stack.yml": STACK,
        "chart/values.yaml": "resources: {limits: {memory: 512m}}\n",  # not a manifest
        "chart/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\n"
                                           "{{- include \"x\" . }}\n",
    })
    result = _try_repo(hook_repo, project, env, "dfmemlint")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "deploy/api.yaml:13:23: DFM004 [error] GOMEMLIMIT=1024Mi" in output
    assert "deploy/tuning.yaml:6:16: DFM004 [error] GOMEMLIMIT=4Gi" in output
    assert "of Deployment/worker in deploy/worker.yaml" in output
    assert "overlays/prod/Kustomization:10:18: DFM004 [error] GOMEMLIMIT=300Mi" in output
    assert "deploy/stack.yml:6:19: DFM004 [error] GOMEMLIMIT=400MB" in output
    assert "values.yaml:" not in output
    assert "1 Helm chart template skipped" in output
    fixed = _try_repo(hook_repo, project, env, "dfmemlint-fix")
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr  # it modified a file
    assert (project / "deploy/api.yaml").read_text(encoding="utf-8") == MANIFEST_FIXED
    assert (project / "deploy/tuning.yaml").read_text(encoding="utf-8") == TUNING.replace(
        '"4Gi"', '"4GiB"'
    )
    assert (project / "deploy/stack.yml").read_text(encoding="utf-8") == STACK.replace(
        "400MB", "400MiB"
    )
    assert (project / "overlays/prod/Kustomization").read_bytes() == (
        KUSTOMIZATION.parent / "fixed" / "Kustomization"
    ).read_bytes()
    _git(project, env, "add", "-A")
    again = _try_repo(hook_repo, project, env, "dfmemlint")
    assert again.returncode == 0, again.stdout + again.stderr


def test_clean_dockerfile_passes(hook_repo: Path, project: Path, env: dict[str, str]) -> None:
    _write(project, env, {"Dockerfile": FIXED, "notes.txt": "ENV GOMEMLIMIT=512MB\n"})
    result = _try_repo(hook_repo, project, env, "dfmemlint")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"^dfmemlint\.+Passed$", output, re.MULTILINE), output


def test_hooks_run_on_exactly_the_dockerfile_names(
    hook_repo: Path, project: Path, env: dict[str, str]
) -> None:
    # Every file holds the same bad line; the hook reports it in the files it was given.
    _write(project, env, {path: BAD for path, _ in NAMES})
    result = _try_repo(hook_repo, project, env, "dfmemlint")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert _reported_paths(output) == {path for path, expected in NAMES if expected}


def test_no_dockerfile_skips_the_hook(hook_repo: Path, project: Path, env: dict[str, str]) -> None:
    _write(project, env, {"Dockerfile.md": BAD, "main.go": "package main\n"})
    result = _try_repo(hook_repo, project, env, "dfmemlint")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert re.search(r"^dfmemlint\.+\(no files to check\)Skipped$", output, re.MULTILINE), output


# --------------------------------------------------------------------------- README's snippet


def _readme_snippet() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [block] = [b for b in re.findall(r"^```yaml\n(.*?)^```$", readme, re.M | re.S) if "repos:" in b]
    return str(block)


def test_readme_snippet_pins_a_commit_that_pre_commit_runs(
    hook_repo: Path, project: Path, env: dict[str, str]
) -> None:
    """README's `.pre-commit-config.yaml`, with the commit filled in as it tells people to, run by
    the real `pre-commit run`; and `try-repo` of the same commit."""
    snippet = _readme_snippet()
    assert "rev: COMMIT_SHA" in snippet
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=hook_repo, env=env, capture_output=True, text=True,
        check=True,
    ).stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{40}", head)
    config_text = snippet.replace("https://github.com/dfmemlint/dfmemlint", str(hook_repo))
    _write(project, env, {
        ".pre-commit-config.yaml": config_text.replace("COMMIT_SHA", head),
        "Dockerfile": BAD,
    })
    result = subprocess.run(
        [*_pre_commit_command(), "run", "--all-files", "--color=never"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert re.search(r"^dfmemlint\.+Failed$", output, re.MULTILINE), output
    assert f"Dockerfile:{BAD_POSITION}: DFM004 [error]" in output
    tried = subprocess.run(
        [*_pre_commit_command(), "try-repo", str(hook_repo), "dfmemlint", "--ref", head,
         "--all-files", "--color=never"],
        cwd=project, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    assert tried.returncode == 1, tried.stdout + tried.stderr
    assert f"Dockerfile:{BAD_POSITION}: DFM004 [error]" in tried.stdout + tried.stderr


def test_the_manifest_comment_pins_no_tag_that_does_not_exist() -> None:
    """The usage comment atop .pre-commit-hooks.yaml pins a commit, as README's snippet does,
    until a release is tagged."""
    text = (Path(__file__).resolve().parents[1] / ".pre-commit-hooks.yaml").read_text()
    [rev] = [line for line in text.splitlines() if line.lstrip("# ").startswith("rev:")]
    assert "COMMIT_SHA" in rev
