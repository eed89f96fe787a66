"""``dfmemlint alerts``: one rule per Go container with a known limit and GOMEMLIMIT, the rest
listed with why."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from helpers.alerts import budget_threshold, operator_rules, rules_of
from helpers.alerts import run_alerts as run

from dfmemlint.golang.units import MIB

COMPOSE = """\
services:
  api:
    image: example/api
    mem_limit: 512m
    environment:
      GOMEMLIMIT: 409MiB
  worker:
    image: example/worker
    deploy:
      resources:
        limits:
          memory: 1g
    environment:
      - GOGC=50
  batch:
    image: example/batch
    mem_limit: 256m
    environment:
      GOMEMLIMIT: ${BATCH_LIMIT:-200MiB}
  proxy:
    image: nginx
    mem_limit: 64m
  from-shell:
    image: example/x
    mem_limit: 512m
    environment:
      - GOMEMLIMIT
  malformed:
    image: example/x
    mem_limit: 512m
    environment:
      GOMEMLIMIT: 400MB
  tiny:
    image: example/x
    mem_limit: 512m
    environment:
      GOMEMLIMIT: "0"
  off:
    image: example/x
    mem_limit: 100m
    environment:
      GOMEMLIMIT: "off"
  no-limit:
    image: example/x
    environment:
      GOMEMLIMIT: 400MiB
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    return tmp_path


def test_one_rule_per_go_service(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    code, out, err = run(capsys, str(project / "compose.yaml"))
    assert code == 0
    rules = {r["labels"]["compose_service"]: r for r in rules_of(out)}
    assert list(rules) == ["api", "worker", "batch", "off"]
    api = rules["api"]
    # Compose's 512m is 512 MiB and the budget's GOMEMLIMIT for it is 409MiB: budget's threshold.
    assert api["expr"] == (
        "max by (name) (container_memory_rss"
        '{container_label_com_docker_compose_service="api"}) '
        f"> {budget_threshold(capsys, '512MiB')}"
    )
    description = api["annotations"]["description"]
    assert "409MiB = 428,867,584 bytes (409 MiB), environment at " in description
    assert f"{project / 'compose.yaml'}:6" in description  # the line of the value
    assert "mem_limit at " in description
    assert "(container {{ $labels.name }})" in api["annotations"]["summary"]
    # GOGC only: no soft limit, so limit * 0.9.
    assert rules["worker"]["annotations"]["rss_threshold_bytes"] == str((1 << 30) * 9 // 10)
    # A default the shell may override: used, and said so.
    batch = rules["batch"]
    assert batch["annotations"]["rss_threshold_bytes"] == str(200 * MIB * 11 // 10)
    assert "may change GOMEMLIMIT through ${BATCH_LIMIT}" in batch["annotations"]["description"]
    assert rules["off"]["annotations"]["rss_threshold_bytes"] == str(100 * MIB * 9 // 10)
    reasons = {
        line.split("Compose service ")[1].split(" ")[0]: line.split("): ", 1)[1]
        for line in err.splitlines()
        if line.startswith("Warning: skipped ")
    }
    assert reasons["proxy"] == "neither GOMEMLIMIT nor GOGC is set: not known to run Go"
    assert reasons["from-shell"].startswith("GOMEMLIMIT comes from the shell that runs docker")
    assert reasons["malformed"].startswith("GOMEMLIMIT='400MB' has no threshold: ")
    assert reasons["tiny"] == (
        "GOMEMLIMIT=0 is 0 bytes, under 1 MiB: the GC runs nonstop and an alert would fire "
        "from the start (DFM007)"
    )
    assert reasons["no-limit"] == "no memory limit (mem_limit or deploy.resources.limits.memory)"
    assert set(reasons) == {"proxy", "from-shell", "malformed", "tiny", "no-limit"}
    assert out.startswith("# dfmemlint alerts: 4 rules; alert when RSS passes")
    assert "# skipped Compose service proxy (" in out


def test_all_containers(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    code, out, _ = run(capsys, str(project), "--all-containers")
    assert code == 0
    rules = {r["labels"]["compose_service"]: r for r in rules_of(out)}
    assert rules["proxy"]["annotations"]["rss_threshold_bytes"] == str(64 * MIB * 9 // 10)


def test_directories_projects_and_duplicates(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    # The override file is read with its base file, as docker compose does.
    (tmp_path / "a" / "compose.override.yaml").write_text(
        "services:\n  api:\n    environment:\n      GOMEMLIMIT: 300MiB\n", encoding="utf-8"
    )
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "stack.yml").write_text(COMPOSE, encoding="utf-8")
    (tmp_path / "b" / "values.yaml").write_text("replicas: 2\n", encoding="utf-8")
    code, out, err = run(capsys, str(tmp_path))
    assert code == 0
    api = [r for r in rules_of(out) if r["labels"]["compose_service"] == "api"]
    assert len(api) == 1
    assert api[0]["annotations"]["rss_threshold_bytes"] == str(300 * MIB * 11 // 10)
    assert "the same container already has a rule, from " in err
    threshold_here = 409 * MIB * 11 // 10
    assert f"threshold {300 * MIB * 11 // 10:,} bytes there, {threshold_here:,} here" in err
    # Naming the override file reads the project too.
    code, out, _ = run(capsys, str(tmp_path / "a" / "compose.override.yaml"))
    assert code == 0
    assert "compose.yaml + " in out


def test_prometheus_operator_and_options(capsys: pytest.CaptureFixture[str], project: Path) -> None:
    args = ["--format", "prometheus-operator", "--metric", "working-set", "--for", "2m"]
    code, out, _ = run(capsys, str(project), *args)
    assert code == 0
    rules = operator_rules(out)
    assert {r["alert"] for r in rules} == {"GoContainerWorkingSetAboveBudget"}
    assert {r["for"] for r in rules} == {"2m"}


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("compose.yaml", "services: [\n", "compose.yaml"),
        ("values.yaml", "replicas: 2\n", "neither a Compose file"),
    ],
)
def test_unreadable_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, content: str, fragment: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, str(path))
    # Exit 2, and still a whole rule file (no rules), whose comments name what was not read.
    assert code == 2
    assert rules_of(out) == []
    assert f"# could not read {path}" in out
    assert fragment in err
    assert err.startswith("Error: ")


def test_missing_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    code, out, err = run(capsys, str(missing))
    assert code == 2
    assert rules_of(out) == []
    assert f"# could not read {missing}: no such file or directory" in out.splitlines()
    assert "no such file or directory" in err


def test_one_unreadable_path_does_not_stop_the_others(
    capsys: pytest.CaptureFixture[str], project: Path, tmp_path: Path
) -> None:
    code, alone, _ = run(capsys, str(project))
    assert code == 0
    for output_format in ("prometheus", "prometheus-operator"):
        code, out, err = run(
            capsys, "--format", output_format, str(tmp_path / "gone\nx"), str(project)
        )
        assert code == 2
        assert err.count("Error: ") == 1
        # A control character of the path cannot break the YAML: the comment stays one line.
        assert "# could not read " in out
        assert "gone\nx" not in out
        parsed = yaml.safe_load(out)
        assert parsed
    code, out, _ = run(capsys, str(tmp_path / "gone"), str(project))
    assert rules_of(out) == rules_of(alone)


def test_an_empty_directory_gives_an_empty_rule_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, str(tmp_path))
    assert code == 0
    assert rules_of(out) == []
    assert out.startswith("# dfmemlint alerts: 0 rules;")


def test_notes_links_and_the_same_file_twice(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  api:\n    mem_limit: 512m\n    env_file: missing.env\n"
        "    environment:\n      GOGC: '50'\n",
        encoding="utf-8",
    )
    (tmp_path / "broken.yml").symlink_to(tmp_path / "nowhere")
    code, out, err = run(capsys, str(tmp_path), str(tmp_path / "compose.yaml"))
    assert code == 0
    assert len(rules_of(out)) == 1  # the project is read once
    assert "env_file missing.env not found" in err


# A manifest that also has a top-level services: key, and a GitLab CI file whose services: is a
# list of images: formats.detect (every other command's choice) reads the first as a manifest
# and the second as neither format.
POD_WITH_SERVICES = """\
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop}
spec:
  containers:
    - name: api
      image: example/api
      env: [{name: GOMEMLIMIT, value: 409MiB}]
      resources: {limits: {memory: 512Mi}}
services:
  api: {image: example/api}
"""
GITLAB_CI = "image: golang:1.22\nservices:\n  - docker:dind\ntest:\n  script: [go test]\n"


@pytest.mark.parametrize("found", [False, True], ids=["named", "found"])
def test_formats_are_decided_as_every_command_decides_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, found: bool
) -> None:
    from dfmemlint.formats import Format, detect

    pod = tmp_path / "stack.yaml"
    pod.write_text(POD_WITH_SERVICES, encoding="utf-8")
    ci = tmp_path / "ci.yml"
    ci.write_text(GITLAB_CI, encoding="utf-8")
    assert detect(str(pod), pod.read_bytes()) is Format.KUBERNETES
    assert detect(str(ci), ci.read_bytes()) is None
    code, out, err = run(capsys, str(tmp_path) if found else str(pod))
    assert code == 0, err
    (rule,) = rules_of(out)
    assert rule["labels"]["workload"] == "Pod/api"
    assert "Compose" not in out + err
    if not found:
        code, out, err = run(capsys, str(ci))
        assert code == 2
        assert rules_of(out) == []
        assert "neither a Compose file" in err
