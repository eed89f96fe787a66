"""One Prometheus alerting rule per Go container, at the threshold ``dfmemlint budget`` computes.

The threshold is :func:`dfmemlint.golang.budget.alert_threshold`, the very function behind
``budget``: ``min(floor(limit * 0.9), floor(GOMEMLIMIT * 1.1))`` bytes. The GOMEMLIMIT in it is
the one the container actually runs with (its effective value, wherever it came from), not the
one ``budget`` would recommend: the alert's job is to say "this process is past the point where
its own garbage collector should have held it, or close to the kernel's limit", and the GC
works against the soft limit it was given. A GOMEMLIMIT above the budget's lets the threshold
rise only to ``limit * 0.9``; a container with no soft limit (unset or ``off``) is bounded by
``limit * 0.9`` alone.

The series: cAdvisor's ``container_memory_rss`` (``Size of RSS in bytes.``: the cgroup's
``anon`` memory on cgroup v2, ``total_rss`` on v1; google/cadvisor ``lib/metrics/prometheus.go``
and ``lib/container/libcontainer/handler.go`` ``setMemoryStats``), which is what the Go heap and
its soft limit are made of. ``container_memory_working_set_bytes`` (usage minus inactive file
cache, what the kubelet evicts by) is the alternative. In Kubernetes the kubelet's cAdvisor
endpoint labels each series with ``namespace``, ``pod`` and ``container``
(kubernetes/kubernetes ``pkg/kubelet/server/server.go`` ``containerPrometheusLabelsFunc``);
the pod-level cgroup's series has ``container=""``, so selecting the container by name leaves it
out. The expression keeps the highest series per pod and container (``max by``), so the alert
carries those labels and not cAdvisor's ``id``/``image``/``name``.
"""

from __future__ import annotations

from collections.abc import Sequence

from dfmemlint.alert_defaults import DEFAULT_FOR, DEFAULT_METRIC, DEFAULT_SEVERITY, METRICS, Metric
from dfmemlint.alerts.promql import Matcher, parse_duration, selector
from dfmemlint.alerts.yaml_text import Value, dump
from dfmemlint.golang.budget import AlertBasis, alert_threshold, mib_text, threshold_lines
from dfmemlint.golang.units import describe_bytes
from dfmemlint.records import Record

#: The rule group's name, and the PrometheusRule's.
GROUP = "dfmemlint-go-memory"
#: The labels the alert keeps in Kubernetes (the kubelet's cAdvisor labels).
KUBERNETES_LABELS = ("namespace", "pod", "container")
#: The label the alert keeps for a Docker container: cAdvisor's ``name`` (its first alias, the
#: container's name; google/cadvisor ``lib/metrics/prometheus.go`` ``DefaultContainerLabels``).
DOCKER_LABELS = ("name",)
#: Compose's labels on the containers it creates (docker/compose ``pkg/api/labels.go``:
#: ``com.docker.compose.service``, ``com.docker.compose.project``) as a standalone cAdvisor
#: exports them: ``container_label_`` plus the label with every character outside
#: ``[a-zA-Z0-9_]`` made ``_`` (``DefaultContainerLabels``, ``sanitizeLabelName``; on by default,
#: ``--store_container_labels`` in ``cmd/cadvisor.go``).
COMPOSE_SERVICE_LABEL = "container_label_com_docker_compose_service"
COMPOSE_PROJECT_LABEL = "container_label_com_docker_compose_project"


class AlertTarget(Record):
    """One container to alert on, whatever format it was read from.

    ``matchers`` select its cAdvisor series; ``by`` are the labels the alert keeps (each alert
    is one value of them). ``limit_bytes`` is its memory limit in bytes, ``limit_text`` as
    written (``512Mi``). ``gomemlimit_bytes`` is the soft limit its Go runtime gets, None for
    none (unset or ``off``); ``gomemlimit_text`` as written (``409MiB``), ``gomemlimit_origin``
    where it was set (``env of container api, deploy.yaml:23``). ``title`` names the container
    for people (``Deployment shop/api, container api``); ``labels`` are the rule's own labels that
    tell it from the other rules (``workload``, and the exactly matched ``namespace`` and
    ``container``, which then equal the series' own).
    """

    title: str
    matchers: tuple[Matcher, ...]
    by: tuple[str, ...]
    labels: dict[str, str]
    limit_bytes: int
    limit_text: str
    gomemlimit_bytes: int | None
    gomemlimit_text: str
    gomemlimit_origin: str
    #: Where the limit was set (``resources.limits.memory at deploy.yaml:30``), if anywhere.
    limit_origin: str = ""
    #: More lines for the description (how the pods are selected, when that needs saying).
    notes: tuple[str, ...] = ()


class AlertOptions(Record):
    """How the rules are written: ``metric`` (a key of METRICS), ``for:`` and ``severity``."""

    metric: str = DEFAULT_METRIC
    for_duration: str = DEFAULT_FOR
    severity: str = DEFAULT_SEVERITY


class AlertRule(Record):
    """One alerting rule and the numbers behind it."""

    target: AlertTarget
    metric: Metric
    threshold_bytes: int
    basis: AlertBasis
    expr: str
    for_duration: str
    labels: dict[str, str]
    annotations: dict[str, str]

    def as_yaml(self) -> dict[str, Value]:
        """The rule as Prometheus's rule files spell it."""
        return {
            "alert": self.metric.alert,
            "expr": self.expr,
            "for": self.for_duration,
            "labels": dict(self.labels),
            "annotations": dict(self.annotations),
        }


def kubernetes_labels(
    container: str, namespace: str | None, workload: str | None
) -> dict[str, str]:
    """A Kubernetes rule's own labels: ``workload`` (``Deployment/api``), namespace, container.

    promtool (``check rules``) reports rules with the same alert name and labels as duplicates;
    these labels keep one rule per container apart, and an Alertmanager route can use them.
    """
    labels = {} if workload is None else {"workload": workload}
    if namespace is not None:
        labels["namespace"] = namespace
    labels["container"] = container
    return labels


def kubernetes_matchers(
    container: str, namespace: str | None, pod_pattern: str | None
) -> tuple[Matcher, ...]:
    """The kubelet's cAdvisor labels of one container: namespace, container and pod name."""
    matchers = [] if namespace is None else [Matcher("namespace", namespace)]
    matchers.append(Matcher("container", container))
    if pod_pattern is not None:
        matchers.append(Matcher("pod", pod_pattern, regex=True))
    return tuple(matchers)


def compose_matchers(service: str, project: str | None) -> tuple[Matcher, ...]:
    """A Compose service's containers, by the labels Compose puts on them (the project's name
    only when the file gives it: by default it is the directory's name, or ``-p``)."""
    matchers = [] if project is None else [Matcher(COMPOSE_PROJECT_LABEL, project)]
    matchers.append(Matcher(COMPOSE_SERVICE_LABEL, service))
    return tuple(matchers)


def compose_labels(service: str, project: str | None) -> dict[str, str]:
    """A Compose rule's own labels: ``compose_service`` and, when known, ``compose_project``."""
    labels = {} if project is None else {"compose_project": project}
    labels["compose_service"] = service
    return labels


def _value_template() -> str:
    return '{{ $value | printf "%.0f" }}'


def _description(target: AlertTarget, metric: Metric, threshold: int, for_duration: str) -> str:
    if target.gomemlimit_bytes is None:
        gomemlimit = (
            f"GOMEMLIMIT: {target.gomemlimit_text} (no soft limit), {target.gomemlimit_origin}"
        )
    else:
        gomemlimit = (
            f"GOMEMLIMIT: {target.gomemlimit_text} = {describe_bytes(target.gomemlimit_bytes)}, "
            f"{target.gomemlimit_origin}"
        )
    return "\n".join(
        [
            f"{target.title}: {metric.words} is {_value_template()} bytes, above "
            f"{describe_bytes(threshold)} for {for_duration}.",
            "Threshold = min(limit * 0.9, GOMEMLIMIT * 1.1):",
            *threshold_lines(target.limit_bytes, target.gomemlimit_bytes),
            f"Memory limit: {target.limit_text} = {describe_bytes(target.limit_bytes)}"
            + (f", {target.limit_origin}" if target.limit_origin else "")
            + "; the kernel kills the container there.",
            gomemlimit,
            *target.notes,
        ]
    )


def build_rule(target: AlertTarget, options: AlertOptions | None = None) -> AlertRule:
    """The alerting rule for ``target``.

    Raises KeyError for an unknown metric, DurationError for a ``for:`` Prometheus refuses, and
    ValueError for an empty severity or a limit that is not positive.
    """
    options = AlertOptions() if options is None else options
    metric = METRICS[options.metric]
    parse_duration(options.for_duration)
    if not options.severity:
        raise ValueError("the severity label cannot be empty")
    if target.limit_bytes <= 0:
        raise ValueError(f"{target.title}: the memory limit must be positive")
    threshold, basis = alert_threshold(target.limit_bytes, target.gomemlimit_bytes)
    series = selector(metric.series, target.matchers)
    expr = f"max by ({', '.join(target.by)}) ({series}) > {threshold}"
    if "pod" in target.by:
        instance = " (pod {{ $labels.pod }})"
    elif "name" in target.by:
        instance = " (container {{ $labels.name }})"
    else:
        instance = ""
    summary = (
        f"{target.title}{instance}: {metric.words} above the Go memory budget of "
        f"{mib_text(threshold)}"
    )
    return AlertRule(
        target=target,
        metric=metric,
        threshold_bytes=threshold,
        basis=basis,
        expr=expr,
        for_duration=options.for_duration,
        labels={"severity": options.severity, **target.labels},
        annotations={
            "summary": summary,
            "description": _description(target, metric, threshold, options.for_duration),
            metric.threshold_annotation: str(threshold),
        },
    )


def rule_groups(rules: Sequence[AlertRule]) -> list[Value]:
    """The ``groups:`` list of a rule file: one group holding every rule."""
    return [{"name": GROUP, "rules": [rule.as_yaml() for rule in rules]}]


def rules_file(rules: Sequence[AlertRule]) -> dict[str, Value]:
    """A Prometheus rule file (``rule_files:``; what ``promtool check rules`` reads)."""
    return {"groups": rule_groups(rules)}


def prometheus_rule(rules: Sequence[AlertRule], name: str = GROUP) -> dict[str, Value]:
    """The same groups in a prometheus-operator ``PrometheusRule`` (monitoring.coreos.com/v1).

    ``spec.groups`` has the rule file's shape (prometheus-operator
    ``pkg/apis/monitoring/v1/prometheusrule_types.go``: ``PrometheusRuleSpec.Groups``,
    ``RuleGroup``, ``Rule``). No namespace: the resource goes where it is applied, and a
    Prometheus picks it by its own ``ruleSelector``/``ruleNamespaceSelector``.
    """
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": name},
        "spec": {"groups": rule_groups(rules)},
    }


#: ``--format`` choices that write rules.
FORMATS = ("prometheus", "prometheus-operator")


def render(rules: Sequence[AlertRule], output_format: str, comments: Sequence[str] = ()) -> str:
    """The rule file (``prometheus``) or PrometheusRule (``prometheus-operator``) as YAML text,
    after ``comments`` as ``#`` lines."""
    document = rules_file(rules) if output_format == "prometheus" else prometheus_rule(rules)
    head = "".join(f"# {line}".rstrip() + "\n" for line in comments)
    return head + dump(document)
