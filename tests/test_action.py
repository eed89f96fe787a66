"""The composite GitHub Action (action.yml), run the way the runner runs it.

Each step's ``run:`` script is executed with ``bash --noprofile --norc -eo pipefail`` (the
runner's ``shell: bash``) in a temporary workspace, with the environment the runner gives a
composite step: ``GITHUB_ACTION_PATH`` (the action's checkout, here the repository root),
``GITHUB_WORKSPACE``, ``RUNNER_TEMP``, a fresh ``GITHUB_OUTPUT`` file, and the step's ``env:``
mapping with its ``${{ inputs.* }}``, ``${{ github.* }}`` and ``${{ steps.*.outputs.* }}``
expressions evaluated. The install step really creates a virtual environment and pip-installs the
project into it once per module (this needs the package index for the build backend); the
version-spec cases use a stand-in ``python3`` that records what it was asked to do.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from helpers.samples import MALFORMED_DOCKERFILE as BAD

ROOT = Path(__file__).resolve().parent.parent
ACTION_FILE = ROOT / "action.yml"

GOOD = BAD.replace("GOMEMLIMIT=512MB", "GOMEMLIMIT=400MiB")
# A Go image with no GOMEMLIMIT: one warning (DFM006), no error.
WARNING_ONLY = BAD.replace("ENV GOMEMLIMIT=512MB\n", "")

EXPECTED_INPUTS = {
    "paths": ".",
    "memory-limit": "",
    "fail-on": "",
    "sarif-file": "",
    "version": "",
}
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _action() -> dict[str, Any]:
    loaded = yaml.safe_load(ACTION_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def _steps() -> list[dict[str, Any]]:
    steps = _action()["runs"]["steps"]
    assert isinstance(steps, list)
    return steps


def _step(step_id: str) -> dict[str, Any]:
    for step in _steps():
        if step.get("id") == step_id:
            return step
    raise AssertionError(f"action.yml has no step with id {step_id!r}")


# --------------------------------------------------------------------------- the file itself


def test_metadata_and_inputs() -> None:
    action = _action()
    assert action["name"] == "dfmemlint"
    assert action["description"]
    assert action["runs"]["using"] == "composite"
    inputs = action["inputs"]
    assert set(inputs) == set(EXPECTED_INPUTS)
    for name, default in EXPECTED_INPUTS.items():
        assert str(inputs[name].get("default", "")) == default, name
        assert inputs[name]["description"], name
        assert inputs[name].get("required", False) is False, name


def test_description_names_every_input_format() -> None:
    """The action lints what `dfmemlint PATH` lints: its description and the paths input say
    so for each format (Compose files included)."""
    action = _action()
    for words in ("Dockerfiles", "Kubernetes manifests", "Compose files"):
        assert words in action["description"], words
        assert words.split()[0] in action["inputs"]["paths"]["description"], words


def test_steps_are_bash_and_take_inputs_only_through_env() -> None:
    steps = _steps()
    assert [step.get("id") for step in steps] == ["install", "lint"]
    for step in steps:
        assert step["shell"] == "bash"
        # No expression inside a script: an input holding `"; rm -rf ~` must stay data.
        assert "${{" not in step["run"], step["name"]
    for name in EXPECTED_INPUTS:
        referenced = [
            step["id"] for step in steps
            if any(f"inputs.{name}" in str(value) for value in step.get("env", {}).values())
        ]
        assert len(referenced) == 1, name


def test_install_step_installs_the_checkout_by_default() -> None:
    script = _step("install")["run"]
    assert "spec=$GITHUB_ACTION_PATH" in script
    assert "pip install" in script


def test_lint_step_runs_github_format_and_a_second_sarif_run() -> None:
    script = _step("lint")["run"]
    assert '"$DFMEMLINT" --format github' in script
    assert '--format sarif --output "$INPUT_SARIF_FILE" --exit-zero' in script
    # `none` goes to dfmemlint as it is: the command line and configuration accept it too.
    assert 'options+=(--fail-on "$INPUT_FAIL_ON")' in script
    assert "--exit-zero) ;;" not in script


def _readme_yaml_block(marker: str) -> str:
    """The ```yaml block of README.md that contains ``marker``."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```yaml\n(.*?)^```$", readme, re.M | re.S)
    [block] = [str(b) for b in blocks if marker in b]
    return block


# The workflow README shows: it must use only inputs the action has.
EXAMPLE_WORKFLOW = _readme_yaml_block("uses: dfmemlint/dfmemlint@")


def test_readme_pre_commit_snippet_names_our_hooks() -> None:
    config = yaml.safe_load(_readme_yaml_block("repos:"))
    [repo] = config["repos"]
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for h in repo["hooks"]} <= {h["id"] for h in hooks}
    assert repo["rev"] == "COMMIT_SHA"  # no release tag exists yet: README says to pin a commit


def test_example_workflow_matches_the_action() -> None:
    workflow = yaml.safe_load(EXAMPLE_WORKFLOW)
    job = workflow["jobs"]["dfmemlint"]
    assert job["permissions"]["security-events"] == "write"
    steps = job["steps"]
    [ours] = [s for s in steps if s["uses"].startswith("dfmemlint/dfmemlint@")]
    assert set(ours["with"]) <= set(_action()["inputs"])
    [upload] = [s for s in steps if "upload-sarif" in s["uses"]]
    assert upload["if"] == "always()"
    assert upload["with"]["sarif_file"] == ours["with"]["sarif-file"]
    assert steps.index(upload) > steps.index(ours)


# --------------------------------------------------------------------------- the runner


@dataclass
class StepRun:
    step_id: str
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str] = field(default_factory=dict)


def _evaluate(value: str, context: Mapping[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression not in context:
            raise AssertionError(f"the test runner cannot evaluate ${{{{ {expression} }}}}")
        return context[expression]

    return EXPRESSION.sub(replace, value)


def _read_outputs(path: Path) -> dict[str, str]:
    outputs: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        name, sep, value = line.partition("=")
        assert sep, f"unexpected GITHUB_OUTPUT line {line!r}"
        outputs[name] = value
    return outputs


def run_step(
    step: Mapping[str, Any],
    workspace: Path,
    runner_temp: Path,
    inputs: Mapping[str, str],
    step_outputs: Mapping[str, Mapping[str, str]],
    path_prefix: Path | None = None,
) -> StepRun:
    values = {**EXPECTED_INPUTS, **inputs}
    context = {f"inputs.{name}": value for name, value in values.items()}
    context["github.action_path"] = str(ROOT)
    context["github.workspace"] = str(workspace)
    context["runner.temp"] = str(runner_temp)
    for step_id, outputs in step_outputs.items():
        for name, value in outputs.items():
            context[f"steps.{step_id}.outputs.{name}"] = value
    output_file = runner_temp / f"output-{step['id']}-{len(list(runner_temp.iterdir()))}"
    output_file.write_text("", encoding="utf-8")
    script = runner_temp / f"{step['id']}.sh"
    script.write_text(step["run"], encoding="utf-8")
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("GITHUB_", "RUNNER_", "INPUT_", "DFMEMLINT"))
    }
    env.update(
        GITHUB_ACTIONS="true",
        GITHUB_ACTION_PATH=str(ROOT),
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_OUTPUT=str(output_file),
        RUNNER_TEMP=str(runner_temp),
        NO_COLOR="1",
    )
    if path_prefix is not None:
        env["PATH"] = f"{path_prefix}{os.pathsep}{env.get('PATH', '')}"
    for name, value in step.get("env", {}).items():
        env[name] = _evaluate(str(value), context)
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=workspace, env=env, capture_output=True, text=True, timeout=600, check=False,
    )
    return StepRun(
        step["id"], result.returncode, result.stdout, result.stderr, _read_outputs(output_file)
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The install step, run once for real: its outputs (the path of the dfmemlint it installed)."""
    if shutil.which("bash") is None:  # pragma: no cover - bash is everywhere the tests run
        pytest.skip("bash is not installed")
    runner_temp = tmp_path_factory.mktemp("runner-temp")
    workspace = tmp_path_factory.mktemp("workspace")
    result = run_step(_step("install"), workspace, runner_temp, {}, {})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("dfmemlint, version ")
    executable = result.outputs["dfmemlint"]
    assert Path(executable).is_file()
    assert Path(executable).is_relative_to(runner_temp)
    return result.outputs


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "workspace"
    (root / "bad").mkdir(parents=True)
    (root / "good").mkdir()
    (root / "bad" / "Dockerfile").write_text(BAD, encoding="utf-8")
    (root / "good" / "Dockerfile").write_text(GOOD, encoding="utf-8")
    return root


def lint(
    workspace: Path, installed: Mapping[str, str], **inputs: str
) -> StepRun:
    runner_temp = workspace.parent / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    return run_step(
        _step("lint"), workspace, runner_temp,
        {name.replace("_", "-"): value for name, value in inputs.items()},
        {"install": installed},
    )


def _annotations(stdout: str) -> list[tuple[str, dict[str, str], str]]:
    """(command, properties, message) of each ::error/::warning/::notice line."""
    found = []
    for line in stdout.splitlines():
        match = re.fullmatch(r"::(error|warning|notice) ([^:]*)::(.*)", line)
        if match:
            properties = dict(item.split("=", 1) for item in match.group(2).split(","))
            found.append((match.group(1), properties, match.group(3)))
    return found


def _files(stdout: str) -> set[str]:
    return {props["file"] for _, props, _ in _annotations(stdout)}


MANIFEST = """\
apiVersion: v1
kind: Pod
metadata:
  name: api
spec:
  containers:
    - name: api
      image: example/api
      env:
        - name: GOMEMLIMIT
          value: "1024Mi"
      resources: {limits: {memory: 2Gi}}
"""


def test_manifests_are_found_and_annotated(workspace: Path, installed: dict[str, str]) -> None:
    (workspace / "k8s").mkdir()
    (workspace / "k8s" / "api.yaml").write_text(MANIFEST, encoding="utf-8")
    (workspace / "k8s" / "values.yaml").write_text("memory: [\n", encoding="utf-8")  # not read
    result = lint(workspace, installed, paths="k8s")
    assert result.returncode == 1, result.stderr
    [(command, properties, message)] = _annotations(result.stdout)
    assert command == "error"
    where = (properties["file"], properties["line"], properties["col"])
    assert where == ("k8s/api.yaml", "11", "19")
    assert properties["title"] == "DFM004 gomemlimit-malformed"
    assert message.startswith("GOMEMLIMIT=1024Mi is not a value the Go runtime accepts")


def test_bad_dockerfile_is_annotated_and_fails(
    workspace: Path, installed: dict[str, str]
) -> None:
    result = lint(workspace, installed)
    assert result.returncode == 1, result.stderr
    [(command, properties, message)] = _annotations(result.stdout)
    assert command == "error"
    assert properties["file"] == "bad/Dockerfile"
    assert properties["title"] == "DFM004 gomemlimit-malformed"
    assert (properties["line"], properties["col"], properties["endColumn"]) == ("8", "16", "20")
    assert message.startswith("GOMEMLIMIT=512MB is not a value the Go runtime accepts")
    assert result.outputs == {"sarif-file": ""}
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "paths",
    [
        ".",
        "./bad",
        "bad/Dockerfile",
        "./bad/Dockerfile",
        "bad/../bad/Dockerfile",
    ],
)
def test_annotation_paths_are_repository_relative(
    workspace: Path, installed: dict[str, str], paths: str
) -> None:
    # The runner passes a relative `file` through unchanged and GitHub matches it against the
    # repository's paths exactly: `./bad/Dockerfile` would not attach to the file.
    result = lint(workspace, installed, paths=paths)
    assert {p["file"] for _, p, _ in _annotations(result.stdout)} == {"bad/Dockerfile"}


def test_clean_paths_pass(workspace: Path, installed: dict[str, str]) -> None:
    result = lint(workspace, installed, paths="good")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _annotations(result.stdout) == []


def test_sarif_file_is_written(workspace: Path, installed: dict[str, str]) -> None:
    result = lint(workspace, installed, sarif_file="reports/dfmemlint.sarif")
    assert result.returncode == 1, result.stderr  # the SARIF run does not hide the findings
    assert _files(result.stdout) == {"bad/Dockerfile"}
    assert result.outputs == {"sarif-file": "reports/dfmemlint.sarif"}
    sarif = json.loads((workspace / "reports" / "dfmemlint.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    [run] = sarif["runs"]
    assert run["tool"]["driver"]["name"] == "dfmemlint"
    [finding] = run["results"]
    assert finding["ruleId"] == "DFM004"
    assert finding["level"] == "error"
    location = finding["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "bad/Dockerfile"
    assert (location["region"]["startLine"], location["region"]["startColumn"]) == (8, 16)


def test_sarif_file_of_a_clean_run(workspace: Path, installed: dict[str, str]) -> None:
    result = lint(workspace, installed, paths="good", sarif_file="out.sarif")
    assert result.returncode == 0, result.stdout + result.stderr
    sarif = json.loads((workspace / "out.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["results"] == []


def test_fail_on(workspace: Path, installed: dict[str, str]) -> None:
    (workspace / "warn").mkdir()
    (workspace / "warn" / "Dockerfile").write_text(WARNING_ONLY, encoding="utf-8")
    warned = lint(workspace, installed, paths="warn")
    assert warned.returncode == 1
    assert {a[0] for a in _annotations(warned.stdout)} == {"warning"}
    assert {a[1]["title"] for a in _annotations(warned.stdout)} == {"DFM006 gomemlimit-missing"}
    assert lint(workspace, installed, paths="warn", fail_on="error").returncode == 0
    # `none` reports but never fails on findings.
    quiet = lint(workspace, installed, paths="bad warn", fail_on="none")
    assert quiet.returncode == 0, quiet.stderr
    assert _files(quiet.stdout) == {"bad/Dockerfile", "warn/Dockerfile"}
    # Unset, the project's configuration decides, as on the command line.
    (workspace / "pyproject.toml").write_text('[tool.dfmemlint]\nfail-on = "error"\n')
    configured = lint(workspace, installed, paths="warn")
    assert configured.returncode == 0, configured.stderr
    assert {a[0] for a in _annotations(configured.stdout)} == {"warning"}
    assert lint(workspace, installed, paths="warn", fail_on="warning").returncode == 1
    wrong = lint(workspace, installed, paths="good", fail_on="sometimes")
    assert wrong.returncode == 2
    assert "sometimes" in wrong.stderr


def test_memory_limit_is_passed_through(workspace: Path, installed: dict[str, str]) -> None:
    # GOMEMLIMIT=400MiB is fine alone, but at or above a 256MiB container limit.
    assert lint(workspace, installed, paths="good").returncode == 0
    limited = lint(workspace, installed, paths="good", memory_limit="256MiB")
    assert limited.returncode == 1
    [(command, properties, _)] = _annotations(limited.stdout)
    assert (command, properties["title"]) == ("error", "DFM007 gomemlimit-out-of-range")
    invalid = lint(workspace, installed, paths="good", memory_limit="lots")
    assert invalid.returncode == 2
    assert "lots" in invalid.stderr


def test_several_paths_one_per_line(workspace: Path, installed: dict[str, str]) -> None:
    spaced = workspace / "my service"
    spaced.mkdir()
    (spaced / "Dockerfile.prod").write_text(BAD, encoding="utf-8")
    result = lint(workspace, installed, paths="  my service/Dockerfile.prod\n\ngood\n")
    assert result.returncode == 1, result.stderr
    assert _files(result.stdout) == {"my service/Dockerfile.prod"}
    # Whitespace-separated on one line.
    both = lint(workspace, installed, paths="bad/Dockerfile good")
    assert _files(both.stdout) == {"bad/Dockerfile"}


def test_sarif_file_must_be_one_path(workspace: Path, installed: dict[str, str]) -> None:
    result = lint(workspace, installed, sarif_file="a.sarif\nexit-code=0")
    assert result.returncode == 2
    assert "sarif-file input must be a single path" in result.stdout
    assert "sarif-file" not in result.outputs


def test_missing_path_is_a_usage_error(workspace: Path, installed: dict[str, str]) -> None:
    result = lint(workspace, installed, paths="nowhere", sarif_file="x.sarif")
    assert result.returncode == 2
    assert "nowhere: no such file or directory" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "name", ["paths", "memory-limit", "fail-on", "sarif-file"]
)
def test_inputs_cannot_inject_shell(
    workspace: Path, installed: dict[str, str], name: str
) -> None:
    hostile = '$(touch pwned-1)`touch pwned-2`"; touch pwned-3; echo "'
    result = lint(workspace, installed, **{name.replace("-", "_"): hostile})
    assert not list(workspace.glob("pwned-*")), result.stdout + result.stderr
    assert not list(workspace.parent.glob("pwned-*"))
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------- the version input

FAKE_PYTHON = """\
#!/bin/bash
# Stands in for python3 and for the virtual environment's python: records its arguments.
echo "$0 $*" >> "$FAKE_LOG"
if [[ $1 == -m && $2 == venv ]]; then
    mkdir -p "$3/bin"
    cp "$0" "$3/bin/python"
    printf '#!/bin/bash\\necho "dfmemlint, version 0.0.0"\\n' > "$3/bin/dfmemlint"
    chmod +x "$3/bin/dfmemlint"
fi
"""


@pytest.mark.parametrize(
    ("version", "spec"),
    [
        ("", str(ROOT)),
        ("0.1.0", "dfmemlint==0.1.0"),
        ("==0.1.0", "dfmemlint==0.1.0"),
        (">=0.1,<0.2", "dfmemlint>=0.1,<0.2"),
        ("~=0.1", "dfmemlint~=0.1"),
    ],
)
def test_version_input_selects_what_pip_installs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: str, spec: str
) -> None:
    fake_bin = tmp_path / "fake-bin"
    fake_bin.mkdir()
    fake = fake_bin / "python3"
    fake.write_text(FAKE_PYTHON, encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    log = tmp_path / "log"
    monkeypatch.setenv("FAKE_LOG", str(log))
    result = run_step(_step("install"), tmp_path, runner_temp, {"version": version}, {}, fake_bin)
    assert result.returncode == 0, result.stdout + result.stderr
    calls = log.read_text(encoding="utf-8").splitlines()
    venv = runner_temp / "dfmemlint-venv"
    assert calls == [
        f"{fake} -m venv {venv}",
        f"{venv}/bin/python -m pip install --quiet --disable-pip-version-check {spec}",
    ]
    assert result.outputs == {"dfmemlint": f"{venv}/bin/dfmemlint"}


@pytest.mark.parametrize("version", ["latest", "dfmemlint==0.1.0", "; touch pwned"])
def test_version_input_rejects_anything_else(tmp_path: Path, version: str) -> None:
    result = run_step(_step("install"), tmp_path, tmp_path, {"version": version}, {})
    assert result.returncode == 2
    assert result.stdout.startswith("::error title=dfmemlint::the version input must be")
    assert not list(tmp_path.glob("pwned"))
