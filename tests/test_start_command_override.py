"""DFM016 on Kubernetes containers: the message names both settings, also when the env value
comes from a ConfigMap in another linted file (the fixtures in
tests/fixtures/gomemlimit-overrides-deployment/k8s-*.yaml hold the positions)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers.manifests import workload

from dfmemlint.cli import main

# The container's start command sets GOMEMLIMIT; {env} sets it again (env or envFrom).
DEPLOYMENT = workload(
    "          command: [env, GOMEMLIMIT=300MiB, /app]\n{env}\n", image="example.com/api:1.0"
)
ENV_FROM = "          envFrom:\n            - configMapRef:\n                name: tuning"
ENV = "          env:\n            - name: GOMEMLIMIT\n              value: 400MiB"
CONFIG_MAP = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tuning\ndata:\n  GOMEMLIMIT: 400MiB\n"
)


def _findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["--no-color", "--format", "json", "."]) == 1
    finally:
        os.chdir(old)
    found: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return found


def test_names_the_env_value_and_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "dep.yaml").write_text(DEPLOYMENT.format(env=ENV))
    [finding] = _findings(tmp_path, capsys)
    assert (finding["code"], finding["line"], finding["column"]) == ("DFM016", 11, 37)
    assert "The command of container 'api' of Deployment/api sets GOMEMLIMIT=300MiB" in str(
        finding["message"]
    )
    assert "(env value GOMEMLIMIT=400MiB, line 14)" in str(finding["message"])


def test_names_the_file_of_a_configmap_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "dep.yaml").write_text(DEPLOYMENT.format(env=ENV_FROM))
    (tmp_path / "cm.yaml").write_text(CONFIG_MAP)
    [finding] = _findings(tmp_path, capsys)
    assert (finding["path"], finding["code"], finding["line"], finding["column"]) == (
        "dep.yaml", "DFM016", 11, 37
    )
    assert "(ConfigMap tuning key GOMEMLIMIT (envFrom) GOMEMLIMIT=400MiB, in cm.yaml)" in str(
        finding["message"]
    )
