"""``dfmemlint alerts`` on Kubernetes manifests: one rule per Go container with a known limit and
GOMEMLIMIT, the rest listed with why."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.alerts import budget_threshold, operator_rules, rules_of
from helpers.alerts import run_alerts as run

from dfmemlint.golang.units import MIB

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: api
          env:
            - {name: GOMEMLIMIT, value: "409MiB"}
          resources: {limits: {memory: 512Mi}}
        - name: sidecar
          resources: {limits: {memory: 64Mi}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: data}
spec:
  template:
    spec:
      containers:
        - name: db
          env:
            - {name: GOGC, value: "50"}
          resources: {limits: {memory: 1Gi}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              env:
                - name: GOMEMLIMIT
                  valueFrom: {configMapKeyRef: {name: tuning, key: limit}}
              resources: {limits: {memory: 256Mi}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: tuning}
data: {limit: "200MiB"}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: web
          env:
            - {name: GOMEMLIMIT, value: "off"}
          resources: {limits: {memory: 100Mi}}
"""

SKIPPED = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: secret, namespace: shop}
spec:
  template:
    spec:
      containers:
        - name: from-secret
          env:
            - name: GOMEMLIMIT
              valueFrom: {secretKeyRef: {name: tuning, key: limit}}
          resources: {limits: {memory: 512Mi}}
        - name: env-from-secret
          envFrom:
            - secretRef: {name: settings}
          env:
            - {name: GOGC, value: "100"}
          resources: {limits: {memory: 512Mi}}
        - name: malformed
          env:
            - {name: GOMEMLIMIT, value: "400MB"}
          resources: {limits: {memory: 512Mi}}
        - name: count-of-mib
          env:
            - name: GOMEMLIMIT
              valueFrom: {resourceFieldRef: {resource: limits.memory, divisor: 1Mi}}
          resources: {limits: {memory: 512Mi}}
        - name: no-limit
          env:
            - {name: GOMEMLIMIT, value: "400MiB"}
        - name: version-dependent
          env:
            - {name: GOMEMLIMIT, value: "+400MiB"}
          resources: {limits: {memory: 512Mi}}
        - name: reference
          env:
            - {name: GOMEMLIMIT, value: "$(LIMIT)"}
          resources: {limits: {memory: 512Mi}}
        - name: secret-reference
          env:
            - name: LIMIT
              valueFrom: {secretKeyRef: {name: tuning, key: limit}}
            - {name: GOMEMLIMIT, value: "$(LIMIT)"}
          resources: {limits: {memory: 512Mi}}
"""


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    path = tmp_path / "app.yaml"
    path.write_text(MANIFEST, encoding="utf-8")
    return path


def test_one_rule_per_go_container(capsys: pytest.CaptureFixture[str], manifest: Path) -> None:
    code, out, err = run(capsys, str(manifest))
    assert code == 0
    rules = rules_of(out)
    assert [r["labels"]["workload"] for r in rules] == [
        "Deployment/api",
        "StatefulSet/db",
        "CronJob/nightly",
        "Rollout/web",
    ]
    api, db, nightly, web = rules
    # The budget's GOMEMLIMIT for 512Mi is 409MiB: the same threshold as `budget`.
    assert api["expr"].endswith(f"> {budget_threshold(capsys, '512Mi')}")
    assert 'namespace="shop", container="api", pod=~"api-[456789bcdf]{1,10}-' in api["expr"]
    assert (
        "409MiB = 428,867,584 bytes (409 MiB), env value at " in api["annotations"]["description"]
    )
    assert f"{manifest}:10" in api["annotations"]["description"]  # the line of the value
    assert "resources.limits.memory at" in api["annotations"]["description"]
    # GOGC only: no soft limit, so limit * 0.9.
    assert db["annotations"]["rss_threshold_bytes"] == str((1 << 30) * 9 // 10)
    assert 'pod=~"db-[0-9]+"' in db["expr"]
    # A ConfigMap's value from the same file; no namespace in the manifest: none in the rule.
    assert nightly["annotations"]["rss_threshold_bytes"] == str(200 * MIB * 11 // 10)
    assert "namespace=" not in nightly["expr"]
    assert "ConfigMap tuning key limit" in nightly["annotations"]["description"]
    # GOMEMLIMIT=off; a kind whose pod names dfmemlint does not know: no pod matcher, and said so.
    assert web["annotations"]["rss_threshold_bytes"] == str(100 * MIB * 9 // 10)
    assert "pod=~" not in web["expr"]
    assert "does not know how a Rollout names its pods" in web["annotations"]["description"]
    # The sidecar sets no Go variable: listed, not alerted on.
    assert "skipped Deployment shop/api, container sidecar" in err
    assert "# skipped Deployment shop/api, container sidecar" in out
    assert out.startswith("# dfmemlint alerts: 4 rules; alert when RSS passes")


def test_all_containers_and_namespace(capsys: pytest.CaptureFixture[str], manifest: Path) -> None:
    code, out, _ = run(capsys, str(manifest), "--all-containers", "--namespace", "jobs")
    assert code == 0
    rules = rules_of(out)
    sidecar = next(r for r in rules if r["labels"]["container"] == "sidecar")
    assert sidecar["annotations"]["rss_threshold_bytes"] == str(64 * MIB * 9 // 10)
    nightly = next(r for r in rules if r["labels"]["workload"] == "CronJob/nightly")
    assert 'namespace="jobs"' in nightly["expr"]
    # A namespace written in the manifest wins over --namespace.
    api = next(r for r in rules if r["labels"]["workload"] == "Deployment/api")
    assert api["labels"]["namespace"] == "shop"


def test_skipped_with_why(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "skipped.yaml"
    path.write_text(SKIPPED, encoding="utf-8")
    code, out, err = run(capsys, str(path))
    assert code == 0
    assert rules_of(out) == []
    reasons = {
        line.split(", container ")[1].split(" ")[0]: line.split("): ", 1)[1]
        for line in err.splitlines()
        if line.startswith("Warning: skipped ")
    }
    assert reasons == {
        "from-secret": "GOMEMLIMIT comes from Secret tuning, which the files do not show",
        "env-from-secret": (
            "GOMEMLIMIT may come from Secret settings (envFrom), which the files do not show"
        ),
        "malformed": reasons["malformed"],
        "count-of-mib": (
            "GOMEMLIMIT=512 is 512 bytes, under 1 MiB: the GC runs nonstop and an alert "
            "would fire from the start (DFM007)"
        ),
        "no-limit": "no memory limit (resources.limits.memory)",
        "version-dependent": reasons["version-dependent"],
        # No earlier entry sets LIMIT: the kubelet keeps $(LIMIT), which Go refuses.
        "reference": reasons["reference"],
        "secret-reference": (
            "GOMEMLIMIT comes from env value with $(VAR) references, which the files do not show"
        ),
    }
    assert reasons["reference"].startswith("GOMEMLIMIT='$(LIMIT)' has no threshold: ")
    assert reasons["malformed"].startswith("GOMEMLIMIT='400MB' has no threshold: ")
    assert reasons["version-dependent"].startswith("GOMEMLIMIT='+400MiB' has no threshold: ")


def test_gogc_from_a_secret_is_still_go(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: one}\nspec:\n  containers:\n"
        "    - name: app\n      env:\n        - name: GOGC\n"
        "          valueFrom: {secretKeyRef: {name: s, key: gogc}}\n"
        "      resources: {limits: {memory: 100Mi}}\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, str(path))
    assert code == 0
    (rule,) = rules_of(out)
    assert 'pod=~"one"' in rule["expr"]
    assert rule["annotations"]["rss_threshold_bytes"] == str(100 * MIB * 9 // 10)
    assert "GOMEMLIMIT: not set (no soft limit)" in rule["annotations"]["description"]


def test_a_container_defined_twice_gets_one_rule(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "app.yaml").write_text(MANIFEST, encoding="utf-8")
    (tmp_path / "overlay").mkdir()
    overlay = MANIFEST.replace('value: "409MiB"', 'value: "300MiB"')
    (tmp_path / "overlay" / "app.yaml").write_text(overlay, encoding="utf-8")
    code, out, err = run(capsys, str(tmp_path))
    assert code == 0
    workloads = [r["labels"]["workload"] for r in rules_of(out)]
    assert workloads.count("Deployment/api") == 1
    assert "the same container already has a rule, from " in err
    assert f"threshold {409 * MIB * 11 // 10:,} bytes there, {300 * MIB * 11 // 10:,} here" in err


def test_prometheus_operator_and_options(
    capsys: pytest.CaptureFixture[str], manifest: Path
) -> None:
    args = ["--format", "prometheus-operator", "--metric", "working-set", "--for", "2m"]
    code, out, _ = run(capsys, str(manifest), *args)
    assert code == 0
    rules = operator_rules(out)
    assert {r["alert"] for r in rules} == {"GoContainerWorkingSetAboveBudget"}
    assert {r["for"] for r in rules} == {"2m"}


def test_chart_templates_and_other_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "deployment.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n",
        encoding="utf-8",
    )
    (tmp_path / "Dockerfile").write_text("FROM golang:1.22\n", encoding="utf-8")
    code, out, err = run(capsys, str(tmp_path))
    assert code == 0
    assert rules_of(out) == []
    assert "lint the output of `helm template` instead" in err
    assert out.startswith("# dfmemlint alerts: 0 rules;")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("apiVersion: v1\nkind: Pod\nmetadata: {name: [\n", "not YAML"),
    ],
)
def test_unreadable_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, fragment: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, str(path))
    assert code == 2
    assert rules_of(out) == []  # still a whole rule file
    assert fragment in err
