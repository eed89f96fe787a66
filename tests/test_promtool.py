"""The generated rules, checked by Prometheus's own promtool.

``promtool check rules`` reads every generated file (rule files, the PrometheusRule's groups, the
output of ``budget --format prometheus``), and ``promtool test rules`` evaluates each alert on
synthetic cAdvisor series named the way Kubernetes names pods (tests/k8s_pod_names.py): one byte
above the threshold the alert is pending until the ``for:`` duration has passed, then fires with
the container's labels and the annotations rendered; one byte below it stays silent, and so
does a neighbouring workload's pod, another container of the same pod, and the pod-level cgroup
(``container=""``), however high they go.

promtool: ``DFMEMLINT_PROMTOOL``, else ``promtool`` on PATH (Debian's ``prometheus`` package;
``.ci/install-promtool``). Without it the tests skip, except under ``CI=true``, where that fails.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml
from helpers import tools
from k8s_pod_names import cronjob_job, deployment_pod, job_pod, replicaset_pod, statefulset_pod

from dfmemlint.alert_defaults import METRICS
from dfmemlint.alerts.pod_names import pod_name_pattern
from dfmemlint.alerts.promql import parse_duration
from dfmemlint.alerts.rules import (
    DOCKER_LABELS,
    KUBERNETES_LABELS,
    AlertOptions,
    AlertTarget,
    build_rule,
    compose_labels,
    compose_matchers,
    kubernetes_labels,
    kubernetes_matchers,
    render,
)
from dfmemlint.cli import main
from dfmemlint.golang.budget import plan_budget
from dfmemlint.golang.units import MIB

TIMEOUT = 120


@pytest.fixture(scope="module")
def promtool() -> str:
    return tools.promtool()


def run(promtool: str, *args: str | Path) -> str:
    proc = subprocess.run(
        [promtool, *map(str, args)], capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    assert proc.returncode == 0, f"promtool {args}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout + proc.stderr


class Case(NamedTuple):
    """The pod a container to alert on runs in, and pods its rule must not catch.

    ``target``: the container (None when the rule comes from ``dfmemlint alerts``).
    """

    target: AlertTarget | None
    namespace: str
    pod: str
    neighbour_pods: tuple[str, ...]


def _case(
    kind: str,
    name: str,
    namespace: str | None,
    pod: str,
    neighbours: tuple[str, ...],
    limit: int,
    gomemlimit: int | None,
    **pattern: Any,
) -> Case:
    container = "app"
    target = AlertTarget(
        title=f"{kind} {namespace or ''}/{name}, container {container}",
        matchers=kubernetes_matchers(container, namespace, pod_name_pattern(kind, name, **pattern)),
        by=KUBERNETES_LABELS,
        labels=kubernetes_labels(container, namespace, f"{kind}/{name}"),
        limit_bytes=limit,
        limit_text=str(limit),
        gomemlimit_bytes=gomemlimit,
        gomemlimit_text="unset" if gomemlimit is None else str(gomemlimit),
        gomemlimit_origin="set in the test",
    )
    return Case(target, namespace or "default", pod, neighbours)


def target(case: Case) -> AlertTarget:
    assert case.target is not None
    return case.target


def cases() -> list[Case]:
    rng = random.Random(15)
    long_name = "payments-reconciliation-worker-with-a-very-long-name"  # 52 characters
    budget = plan_budget(512 * MIB)
    return [
        _case(
            "Deployment",
            "api",
            "shop",
            deployment_pod(rng, "api"),
            (deployment_pod(rng, "api-admin"), statefulset_pod(rng, "api")),
            budget.limit_bytes,
            budget.gomemlimit_bytes,
        ),
        # An effective GOMEMLIMIT above the budget's: limit * 0.9 bounds the threshold.
        _case(
            "StatefulSet",
            "db",
            "data",
            statefulset_pod(rng, "db"),
            (deployment_pod(rng, "db"), statefulset_pod(rng, "db-replica")),
            1 << 30,
            1000 * MIB,
        ),
        # No GOMEMLIMIT, a name long enough for Kubernetes to cut its pods' names.
        _case(
            "CronJob",
            long_name,
            "batch",
            job_pod(rng, cronjob_job(rng, long_name), indexed=False),
            (job_pod(rng, cronjob_job(rng, long_name[:-1]), indexed=False),),
            256 * MIB,
            None,
        ),
        _case(
            "Job",
            "migrate",
            "batch",
            job_pod(rng, "migrate", indexed=True),
            (job_pod(rng, "migrate-schema", indexed=True),),
            64 * MIB,
            40 * MIB,
            indexed=True,
        ),
        # No namespace in the manifest: the rule selects the container in any namespace.
        _case(
            "DaemonSet",
            "node-agent",
            None,
            replicaset_pod(rng, "node-agent"),
            (replicaset_pod(rng, "node-agent-extra"),),
            100_000_000,
            80_000_000,
        ),
    ]


def _series(metric: str, namespace: str, pod: str, container: str) -> str:
    labels = f'namespace="{namespace}", pod="{pod}", container="{container}"'
    return f'{metric}{{{labels}, id="/kubepods/x", image="example/app:1", name="k8s_x"}}'


def _rendered(annotations: dict[str, str], labels: dict[str, str], value: int) -> dict[str, str]:
    """The annotations as Prometheus renders them for a series with ``labels`` and ``value``."""
    out = {}
    for key, text in annotations.items():
        for label, label_value in labels.items():
            text = text.replace(f"{{{{ $labels.{label} }}}}", label_value)
        text = text.replace('{{ $value | printf "%.0f" }}', str(value))
        assert "{{" not in text
        out[key] = text
    return out


SERIES = {metric.alert: metric.series for metric in METRICS.values()}


def unit_tests(rules: list[dict[str, Any]], all_cases: list[Case]) -> list[dict[str, Any]]:
    """One test group above and one below the threshold for each rule's container.

    ``rules`` as written in the rule file; the threshold is read from its annotation.
    """
    tests: list[dict[str, Any]] = []
    for rule, case in zip(rules, all_cases, strict=True):
        minutes = parse_duration(rule["for"]) // 60_000
        name = rule["alert"]
        series = SERIES[name]
        (threshold,) = (
            int(v) for k, v in rule["annotations"].items() if k.endswith("_threshold_bytes")
        )
        container = rule["labels"]["container"]
        above, below = threshold + 1, threshold - 1
        steps = minutes + 15

        def values(start: int) -> str:
            return f"{start}+0x{steps}"  # the same value every minute  # noqa: B023

        decoys = [
            {"series": _series(series, case.namespace, pod, container), "values": values(above * 4)}
            for pod in case.neighbour_pods
        ]
        decoys += [
            # Another container of the same pod, and the pod-level cgroup.
            {
                "series": _series(series, case.namespace, case.pod, f"{container}-sidecar"),
                "values": values(above),
            },
            {"series": _series(series, case.namespace, case.pod, ""), "values": values(above * 2)},
        ]
        labels = {"namespace": case.namespace, "pod": case.pod, "container": container}
        fired = {
            "exp_labels": {**labels, **rule["labels"]},
            "exp_annotations": _rendered(rule["annotations"], labels, above),
        }
        own = _series(series, case.namespace, case.pod, container)
        tests.append(
            {
                "interval": "1m",
                "input_series": [{"series": own, "values": values(above)}, *decoys],
                "alert_rule_test": [
                    {"eval_time": f"{minutes - 1}m", "alertname": name, "exp_alerts": []},
                    {"eval_time": f"{minutes}m", "alertname": name, "exp_alerts": [fired]},
                    {"eval_time": f"{minutes + 10}m", "alertname": name, "exp_alerts": [fired]},
                ],
            }
        )
        tests.append(
            {
                "interval": "1m",
                "input_series": [{"series": own, "values": values(below)}, *decoys],
                "alert_rule_test": [
                    {"eval_time": f"{minutes}m", "alertname": name, "exp_alerts": []},
                    {"eval_time": f"{minutes + 10}m", "alertname": name, "exp_alerts": []},
                ],
            }
        )
    return tests


def check_and_test(promtool: str, tmp_path: Path, text: str, all_cases: list[Case]) -> None:
    """``promtool check rules`` on the rule file ``text``, then its unit tests for ``all_cases``."""
    rules_path = tmp_path / "rules.yaml"
    rules_path.write_text(text, encoding="utf-8")
    rules = yaml.safe_load(text)["groups"][0]["rules"]
    assert f"SUCCESS: {len(rules)} rules found" in run(promtool, "check", "rules", rules_path)
    test_path = tmp_path / "test.yaml"
    document = {
        "rule_files": [rules_path.name],
        "evaluation_interval": "1m",
        "tests": unit_tests(rules, all_cases),
    }
    test_path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    run(promtool, "test", "rules", test_path)


@pytest.mark.parametrize(("metric", "for_duration"), [("rss", "5m"), ("working-set", "15m")])
def test_each_alert_fires_one_byte_above_and_not_one_below(
    promtool: str, tmp_path: Path, metric: str, for_duration: str
) -> None:
    all_cases = cases()
    options = AlertOptions(metric, for_duration, "warning")
    rules = [build_rule(target(case), options) for case in all_cases]
    check_and_test(promtool, tmp_path, render(rules, "prometheus", ["a comment"]), all_cases)


def test_a_broken_expectation_fails(promtool: str, tmp_path: Path) -> None:
    """The unit tests can fail: expecting the alert one byte below the threshold is an error."""
    all_cases = cases()[:1]
    rules = [build_rule(target(all_cases[0]))]
    (tmp_path / "rules.yaml").write_text(render(rules, "prometheus"), encoding="utf-8")
    tests = unit_tests([rule.as_yaml() for rule in rules], all_cases)
    below = tests[1]["alert_rule_test"]
    below[0]["exp_alerts"] = tests[0]["alert_rule_test"][1]["exp_alerts"]
    document = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": tests}
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    proc = subprocess.run(
        [promtool, "test", "rules", str(tmp_path / "test.yaml")],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert proc.returncode != 0


def test_prometheus_operator_groups_check(promtool: str, tmp_path: Path) -> None:
    rules = [build_rule(target(case)) for case in cases()]
    resource = yaml.safe_load(render(rules, "prometheus-operator"))
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(resource["spec"]), encoding="utf-8")
    assert f"SUCCESS: {len(rules)} rules found" in run(promtool, "check", "rules", path)


@pytest.mark.parametrize(
    "args",
    [
        ["512MiB"],
        ["1Gi", "--metric", "working-set", "--for", "1h30m", "--severity", "page"],
        ["100m", "--namespace", "shop", "--workload", "cronjob/nightly", "--container", "job"],
    ],
)
def test_budget_rule_checks(
    promtool: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    assert main(["budget", *args, "--format", "prometheus"]) == 0
    path = tmp_path / "budget.yaml"
    path.write_text(capsys.readouterr().out, encoding="utf-8")
    assert "SUCCESS: 1 rules found" in run(promtool, "check", "rules", path)


@pytest.mark.parametrize(
    ("duration", "accepted"),
    [
        ("5m", True),
        ("1h30m", True),
        ("0", True),
        ("1y2w3d4h5m6s7ms", True),
        ("1.5h", False),
        ("30m1h", False),
        ("5M", False),
    ],
)
def test_durations_as_prometheus_reads_them(
    promtool: str, tmp_path: Path, duration: str, accepted: bool
) -> None:
    rule = build_rule(target(cases()[0]))
    text = render([rule], "prometheus").replace("for: 5m", f"for: {duration}")
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [promtool, "check", "rules", str(path)], capture_output=True, timeout=TIMEOUT, check=False
    )
    assert (proc.returncode == 0) == accepted
    try:
        parse_duration(duration)
    except ValueError:
        assert not accepted
    else:
        assert accepted


def test_compose_service_rule_fires(promtool: str, tmp_path: Path) -> None:
    """A Compose service's rule selects the containers by Compose's labels, as a standalone
    cAdvisor exports them, and keeps the container's name."""
    target = AlertTarget(
        title="Compose service api",
        matchers=compose_matchers("api", "shop"),
        by=DOCKER_LABELS,
        labels=compose_labels("api", "shop"),
        limit_bytes=512 * MIB,
        limit_text="512m",
        gomemlimit_bytes=400 * MIB,
        gomemlimit_text="400MiB",
        gomemlimit_origin="environment",
    )
    rule = build_rule(target)
    (tmp_path / "rules.yaml").write_text(render([rule], "prometheus"), encoding="utf-8")

    def series(name: str, service: str, project: str) -> str:
        return (
            f'container_memory_rss{{id="/docker/{name}", name="{name}", image="example/api:1", '
            f'container_label_com_docker_compose_service="{service}", '
            f'container_label_com_docker_compose_project="{project}"}}'
        )

    above, below = rule.threshold_bytes + 1, rule.threshold_bytes - 1
    decoys = [
        {"series": series("shop-worker-1", "worker", "shop"), "values": f"{above}+0x20"},
        {"series": series("other-api-1", "api", "other"), "values": f"{above}+0x20"},
    ]
    fired = {
        "exp_labels": {"name": "shop-api-1", **rule.labels},
        "exp_annotations": _rendered(rule.annotations, {"name": "shop-api-1"}, above),
    }
    name = rule.metric.alert
    tests = [
        {
            "interval": "1m",
            "input_series": [
                {"series": series("shop-api-1", "api", "shop"), "values": f"{above}+0x20"},
                *decoys,
            ],
            "alert_rule_test": [
                {"eval_time": "4m", "alertname": name, "exp_alerts": []},
                {"eval_time": "5m", "alertname": name, "exp_alerts": [fired]},
            ],
        },
        {
            "interval": "1m",
            "input_series": [
                {"series": series("shop-api-1", "api", "shop"), "values": f"{below}+0x20"},
                *decoys,
            ],
            "alert_rule_test": [{"eval_time": "10m", "alertname": name, "exp_alerts": []}],
        },
    ]
    document = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": tests}
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    assert "SUCCESS: 1 rules found" in run(promtool, "check", "rules", tmp_path / "rules.yaml")
    run(promtool, "test", "rules", tmp_path / "test.yaml")


def _docker_series(name: str, service: str, project: str) -> str:
    return (
        f'container_memory_rss{{id="/docker/{name}", name="{name}", image="example/app:1", '
        f'container_label_com_docker_compose_service="{service}", '
        f'container_label_com_docker_compose_project="{project}"}}'
    )


def test_alerts_command_rules_fire(
    promtool: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``dfmemlint alerts`` on a Compose file: each rule fires one byte above its threshold for
    the ``for:`` duration, on the service's containers only, and not one byte below."""
    from test_alerts_command import COMPOSE

    (tmp_path / "compose.yaml").write_text(COMPOSE, encoding="utf-8")
    assert main(["alerts", str(tmp_path / "compose.yaml")]) == 0
    text = capsys.readouterr().out
    rules_path = tmp_path / "rules.yaml"
    rules_path.write_text(text, encoding="utf-8")
    rules = yaml.safe_load(text)["groups"][0]["rules"]
    assert f"SUCCESS: {len(rules)} rules found" in run(promtool, "check", "rules", rules_path)
    tests: list[dict[str, Any]] = []
    for rule in rules:
        service = rule["labels"]["compose_service"]
        minutes = parse_duration(rule["for"]) // 60_000
        (threshold,) = (
            int(v) for k, v in rule["annotations"].items() if k.endswith("_threshold_bytes")
        )
        name = f"shop-{service}-1"
        fired = {
            "exp_labels": {"name": name, **rule["labels"]},
            "exp_annotations": _rendered(rule["annotations"], {"name": name}, threshold + 1),
        }
        decoy = {
            "series": _docker_series("shop-other-1", f"{service}-other", "shop"),
            "values": f"{threshold * 2}+0x30",
        }
        for value, expected in ((threshold + 1, [fired]), (threshold - 1, [])):
            tests.append(
                {
                    "interval": "1m",
                    "input_series": [
                        {
                            "series": _docker_series(name, service, "shop"),
                            "values": f"{value}+0x30",
                        },
                        decoy,
                    ],
                    "alert_rule_test": [
                        {
                            "eval_time": f"{minutes - 1}m",
                            "alertname": rule["alert"],
                            "exp_alerts": [],
                        },
                        {
                            "eval_time": f"{minutes}m",
                            "alertname": rule["alert"],
                            "exp_alerts": expected,
                        },
                    ],
                }
            )
    document = {"rule_files": [rules_path.name], "evaluation_interval": "1m", "tests": tests}
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    run(promtool, "test", "rules", tmp_path / "test.yaml")


def test_alerts_command_kubernetes_rules_fire(
    promtool: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``dfmemlint alerts`` on a manifest: each of its rules fires above and not below."""
    from test_alerts_kubernetes import MANIFEST

    manifest = tmp_path / "app.yaml"
    manifest.write_text(MANIFEST, encoding="utf-8")
    assert main(["alerts", str(manifest)]) == 0
    text = capsys.readouterr().out
    rng = random.Random(12)
    all_cases = [
        Case(
            None,
            "shop",
            deployment_pod(rng, "api"),
            (deployment_pod(rng, "api-v2"),),
        ),
        Case(
            None,
            "data",
            statefulset_pod(rng, "db"),
            (statefulset_pod(rng, "db-backup"),),
        ),
        Case(
            None,
            "default",
            job_pod(rng, cronjob_job(rng, "nightly"), indexed=False),
            (job_pod(rng, "nightly", indexed=False),),
        ),
        Case(None, "shop", deployment_pod(rng, "web"), ()),
    ]
    check_and_test(promtool, tmp_path, text, all_cases)
