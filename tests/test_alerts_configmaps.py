"""``dfmemlint alerts PATH...`` reads a container's GOMEMLIMIT from the ConfigMaps of every
manifest among its PATHs, as a lint of the same paths does, and ``--namespace`` is the
namespace of ConfigMaps that name none as well as of workloads."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.alerts import rules_of
from helpers.alerts import run_alerts as run

from dfmemlint.golang.units import MIB

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api%s}
spec:
  template:
    spec:
      containers:
        - name: api
          envFrom:
            - configMapRef: {name: tuning}
          resources: {limits: {memory: 1Gi}}
"""
CONFIG_MAP = """\
# The tuning of the api.
apiVersion: v1
kind: ConfigMap
metadata: {name: tuning%s}
data:
  GOMEMLIMIT: "%s"
"""


def _files(tmp_path: Path, deployment_ns: str = "", config_ns: str = "") -> tuple[str, str]:
    deployment = tmp_path / "deployment.yaml"
    deployment.write_text(DEPLOYMENT % deployment_ns, encoding="utf-8")
    config_map = tmp_path / "configmap.yaml"
    config_map.write_text(CONFIG_MAP % (config_ns, "600MiB"), encoding="utf-8")
    return str(deployment), str(config_map)


@pytest.mark.parametrize("directory", [False, True], ids=["named", "directory"])
def test_a_configmap_in_another_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, directory: bool
) -> None:
    deployment, config_map = _files(tmp_path)
    paths = [str(tmp_path)] if directory else [deployment, config_map]
    code, out, err = run(capsys, *paths)
    assert code == 0, err
    [rule] = rules_of(out)
    assert rule["annotations"]["rss_threshold_bytes"] == str(600 * MIB * 11 // 10)
    description = rule["annotations"]["description"]
    # Where the value is: the ConfigMap's file and the line of its value.
    assert f"ConfigMap tuning key GOMEMLIMIT (envFrom) at {config_map}:6" in description


def test_the_deployment_alone_has_no_known_gomemlimit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    deployment, _config_map = _files(tmp_path)
    code, out, err = run(capsys, deployment)
    assert code == 0
    assert rules_of(out) == []
    assert "container api (" in err
    assert "not known to run Go" in err


@pytest.mark.parametrize(
    ("deployment_ns", "config_ns", "namespace", "alerted"),
    [
        # helm install -n shop: the Deployment names the namespace, the ConfigMap does not.
        (", namespace: shop", "", None, True),
        (", namespace: shop", "", "shop", True),
        # --namespace names the request's namespace: an unset ConfigMap is in it, not in shop.
        (", namespace: shop", "", "other", False),
        ("", ", namespace: shop", "shop", True),
        ("", ", namespace: shop", "other", False),
        (", namespace: shop", ", namespace: other", None, False),
    ],
)
def test_namespaces(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, deployment_ns: str, config_ns: str,
    namespace: str | None, alerted: bool,
) -> None:
    paths = _files(tmp_path, deployment_ns, config_ns)
    options = [] if namespace is None else ["--namespace", namespace]
    code, out, _err = run(capsys, *paths, *options)
    assert code == 0
    assert len(rules_of(out)) == (1 if alerted else 0)
