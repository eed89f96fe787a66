"""Alert rules: the budget's threshold for the container's effective GOMEMLIMIT, written as YAML."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from dfmemlint.alert_defaults import METRICS
from dfmemlint.alerts.promql import DurationError, Matcher, parse_duration, selector
from dfmemlint.alerts.rules import (
    KUBERNETES_LABELS,
    AlertOptions,
    AlertTarget,
    build_rule,
    compose_labels,
    compose_matchers,
    kubernetes_labels,
    kubernetes_matchers,
    prometheus_rule,
    render,
    rules_file,
)
from dfmemlint.alerts.yaml_text import Value, dump, scalar
from dfmemlint.cli import main
from dfmemlint.golang.budget import plan_budget
from dfmemlint.golang.units import MIB

MiB = MIB


def target(limit: int, gomemlimit: int | None, **changes: Any) -> AlertTarget:
    base = AlertTarget(
        title="Deployment shop/api, container api",
        matchers=kubernetes_matchers("api", "shop", "api-[0-9]+"),
        by=KUBERNETES_LABELS,
        labels=kubernetes_labels("api", "shop", "Deployment/api"),
        limit_bytes=limit,
        limit_text=f"{limit}",
        gomemlimit_bytes=gomemlimit,
        gomemlimit_text="unset" if gomemlimit is None else f"{gomemlimit}B",
        gomemlimit_origin="from the test",
    )
    return base._replace(**changes)


@pytest.mark.parametrize(
    ("limit", "gomemlimit", "threshold", "basis"),
    [
        # 512 MiB with the budget's 409 MiB: GOMEMLIMIT * 1.1 = 471,754,342.4 is the lower bound.
        (512 * MiB, 409 * MiB, 409 * MiB * 11 // 10, "gomemlimit"),
        # An effective GOMEMLIMIT of 460 MiB: 506 MiB * 1.1 > 460.8 MiB = limit * 0.9.
        (512 * MiB, 460 * MiB, 512 * MiB * 9 // 10, "limit"),
        # Above the limit itself (a mistake the linter reports): the limit still bounds it.
        (128 * MiB, 150 * MiB, 128 * MiB * 9 // 10, "limit"),
        # No soft limit at all: only limit * 0.9.
        (1000, None, 900, "limit"),
        # A small GOMEMLIMIT pulls the threshold down with it.
        (1024 * MiB, 100 * MiB, 110 * MiB, "gomemlimit"),
    ],
)
def test_threshold_uses_the_effective_gomemlimit(
    limit: int, gomemlimit: int | None, threshold: int, basis: str
) -> None:
    rule = build_rule(target(limit, gomemlimit))
    assert (rule.threshold_bytes, rule.basis) == (threshold, basis)
    assert rule.expr.endswith(f") > {threshold}")
    assert rule.annotations["rss_threshold_bytes"] == str(threshold)


@given(st.integers(2 * MiB, 1 << 45), st.sampled_from([0.5, 0.8, 0.9, 0.95]))
def test_threshold_is_the_budgets(limit: int, ratio: float) -> None:
    budget = plan_budget(limit, ratio)
    rule = build_rule(target(limit, budget.gomemlimit_bytes))
    assert rule.threshold_bytes == budget.alert_threshold_bytes
    assert rule.basis == budget.alert_threshold_basis


def test_rule_shape_and_metric_choice() -> None:
    for key, metric in METRICS.items():
        rule = build_rule(target(512 * MiB, 409 * MiB), AlertOptions(key, "10m", "critical"))
        data = yaml.safe_load(render([rule], "prometheus"))
        (group,) = data["groups"]
        (written,) = group["rules"]
        assert written["alert"] == metric.alert
        assert written["for"] == "10m"
        assert written["labels"] == {
            "severity": "critical",
            "workload": "Deployment/api",
            "namespace": "shop",
            "container": "api",
        }
        assert written["expr"] == (
            f'max by (namespace, pod, container) ({metric.series}{{namespace="shop", '
            f'container="api", pod=~"api-[0-9]+"}}) > {rule.threshold_bytes}'
        )
        assert set(written["annotations"]) == {
            "summary",
            "description",
            metric.threshold_annotation,
        }
        assert metric.words in written["annotations"]["summary"]
    assert "RSS" in METRICS["rss"].alert
    assert "WorkingSet" in METRICS["working-set"].alert
    assert "working_set" in METRICS["working-set"].threshold_annotation


def test_description_shows_the_numbers() -> None:
    rule = build_rule(target(512 * MiB, 409 * MiB))
    text = rule.annotations["description"]
    for fragment in [
        "536,870,912 * 0.9 = 483,183,820.8 -> 483,183,820 bytes (460.8 MiB)",
        "428,867,584 * 1.1 = 471,754,342.4 -> 471,754,342 bytes (449.9 MiB)",
        "threshold        = 471,754,342 bytes (449.9 MiB), from GOMEMLIMIT * 1.1",
        "GOMEMLIMIT: 428867584B = 428,867,584 bytes (409 MiB), from the test",
        '{{ $value | printf "%.0f" }} bytes',
    ]:
        assert fragment in text, fragment
    unset = build_rule(target(1000, None)).annotations["description"]
    assert "no soft limit" in unset
    assert "from limit * 0.9" in unset


def test_without_namespace_or_pod_pattern() -> None:
    assert kubernetes_labels("app", None, None) == {"container": "app"}
    matchers = kubernetes_matchers("app", None, None)
    assert matchers == (Matcher("container", "app"),)
    assert selector("m", matchers) == 'm{container="app"}'
    # Keeping only the container's label: no instance in the summary.
    rule = build_rule(target(1000, None, by=("container",)))
    assert rule.expr.startswith("max by (container) (")
    assert rule.annotations["summary"].startswith("Deployment shop/api, container api: RSS")
    # Compose: the service (and project) labels cAdvisor exports.
    assert compose_matchers("api", None) == (
        Matcher("container_label_com_docker_compose_service", "api"),
    )
    assert compose_labels("api", None) == {"compose_service": "api"}
    # Quotes and backslashes are escaped as PromQL (Go) strings want them.
    assert str(Matcher("pod", r'a\.b"c', regex=True)) == r'pod=~"a\\.b\"c"'


def test_build_rule_refuses_bad_options() -> None:
    with pytest.raises(DurationError):
        build_rule(target(1000, None), AlertOptions(for_duration="5 m"))
    with pytest.raises(ValueError, match="severity"):
        build_rule(target(1000, None), AlertOptions(severity=""))
    with pytest.raises(ValueError, match="positive"):
        build_rule(target(0, None))
    with pytest.raises(KeyError):
        build_rule(target(1000, None), AlertOptions(metric="usage"))


def test_prometheus_operator_wraps_the_same_groups() -> None:
    rules = [build_rule(target(512 * MiB, 409 * MiB)), build_rule(target(1000, None))]
    plain = yaml.safe_load(render(rules, "prometheus"))
    wrapped = yaml.safe_load(render(rules, "prometheus-operator", ["a comment"]))
    assert wrapped["apiVersion"] == "monitoring.coreos.com/v1"
    assert wrapped["kind"] == "PrometheusRule"
    assert wrapped["metadata"] == {"name": "dfmemlint-go-memory"}
    assert wrapped["spec"]["groups"] == plain["groups"]
    assert prometheus_rule(rules)["spec"] == rules_file(rules)


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("0", 0),
        ("5m", 300_000),
        ("1h30m", 5_400_000),
        ("1y2w3d4h5m6s7ms", ((((365 + 14 + 3) * 24 + 4) * 60 + 5) * 60 + 6) * 1000 + 7),
        ("90s", 90_000),
        ("0s", 0),
    ],
)
def test_parse_duration(text: str, ms: int) -> None:
    assert parse_duration(text) == ms


@pytest.mark.parametrize("text", ["", "5", "1.5h", "30m1h", "5 m", "5M", "-5m", "1h1h", "300000y"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)


@given(st.text())
def test_any_string_reads_back(text: str) -> None:
    assert yaml.safe_load(f"key: {scalar(text)}\n") == {"key": text}
    document: dict[str, Value] = {"a": {"b": [text, {"c": text, "d": 1}], "e": []}, "f": {}}
    assert yaml.safe_load(dump(document)) == document


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("warning", "warning"),
        ("5m", "5m"),
        ("1h30m", "1h30m"),
        ("monitoring.coreos.com/v1", "monitoring.coreos.com/v1"),
        ("on", '"on"'),
        ("0", '"0"'),
        ("0x1f", '"0x1f"'),
        ('a="b"', "'a=\"b\"'"),
        ("it's", '"it\'s"'),
        ("a\u2028b", '"a\\u2028b"'),
        (7, "7"),
    ],
)
def test_scalar_styles(value: str | int, written: str) -> None:
    assert scalar(value) == written


def test_scalar_refuses_other_types() -> None:
    with pytest.raises(TypeError):
        scalar(True)
    with pytest.raises(TypeError):
        dump({"a": 1.5})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="a map or a list"):
        dump("text")  # type: ignore[arg-type]
    assert dump({"a": [["x"], [], {}]}) == "a:\n  -\n    - x\n  - []\n  - {}\n"


def test_multiline_strings_are_literal_blocks() -> None:
    text = dump({"d": "one\n  two\nthree"})
    assert text == "d: |-\n  one\n    two\n  three\n"
    # Not when the block would not read back the same: trailing spaces, a leading space.
    assert "|-" not in dump({"d": "one \ntwo"})
    assert "|-" not in dump({"d": " one\ntwo"})


def test_budget_prometheus_is_the_budget_threshold(capsys: pytest.CaptureFixture[str]) -> None:
    for size in ["512MiB", "1Gi", "100m", "1e9"]:
        assert main(["budget", size, "--format", "json"]) == 0
        budget = json.loads(capsys.readouterr().out)
        assert main(["budget", size, "--format", "prometheus"]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"# dfmemlint budget {size}:")
        (rule,) = yaml.safe_load(out)["groups"][0]["rules"]
        threshold = budget["alert_threshold_bytes"]
        assert rule["expr"] == (
            f'max by (namespace, pod, container) (container_memory_rss{{container="app"}}) '
            f"> {threshold}"
        )
        assert rule["annotations"]["rss_threshold_bytes"] == str(threshold)
        assert f"GOMEMLIMIT: {budget['gomemlimit']} = " in rule["annotations"]["description"]


def test_budget_prometheus_options(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["budget", "512MiB", "--format", "prometheus-operator", "--container", "api"]
    args += ["--namespace", "shop", "--workload", "statefulset/db", "--metric", "working-set"]
    args += ["--for", "15m", "--severity", "critical"]
    assert main(args) == 0
    data = yaml.safe_load(capsys.readouterr().out)
    (rule,) = data["spec"]["groups"][0]["rules"]
    assert rule["alert"] == "GoContainerWorkingSetAboveBudget"
    assert 'namespace="shop", container="api", pod=~"db-[0-9]+"' in rule["expr"]
    assert (rule["for"], rule["labels"]["severity"]) == ("15m", "critical")
    assert rule["annotations"]["summary"].startswith("StatefulSet shop/db, container api (pod ")
    assert main(["budget", "512MiB", "--format", "prometheus", "--namespace", "shop"]) == 0
    summary = yaml.safe_load(capsys.readouterr().out)["groups"][0]["rules"][0]["annotations"]
    assert summary["summary"].startswith("container app in namespace shop (pod ")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--workload", "Rollout/api"], "is not KIND/NAME"),
        (["--workload", "api"], "is not KIND/NAME"),
        (["--for", "1.5h"], "not a Prometheus duration"),
        (["--severity", ""], "cannot be empty"),
        (["--metric", "usage"], "usage"),
    ],
)
def test_budget_prometheus_bad_options(
    capsys: pytest.CaptureFixture[str], args: list[str], fragment: str
) -> None:
    code = main(["budget", "512MiB", "--format", "prometheus", *args])
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    assert fragment in err
    assert "Traceback" not in err
