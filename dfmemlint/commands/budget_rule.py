"""``dfmemlint budget SIZE --format prometheus``: the alerting rule for one container limit."""

from __future__ import annotations

from dfmemlint.alerts.pod_names import KINDS, pod_name_pattern
from dfmemlint.alerts.rules import (
    KUBERNETES_LABELS,
    AlertOptions,
    AlertTarget,
    build_rule,
    kubernetes_labels,
    kubernetes_matchers,
    render,
)
from dfmemlint.config import invalid_value
from dfmemlint.golang.budget import Budget


def _workload(workload: str) -> tuple[str, str]:
    """``KIND/NAME`` as (kind as Kubernetes spells it, name); raises ValueError."""
    kind, sep, name = workload.partition("/")
    known = {k.lower(): k for k in KINDS}
    if not sep or not name or kind.lower() not in known:
        raise ValueError(
            f"{invalid_value('--workload')}: {workload!r} is not KIND/NAME with KIND one of "
            f"{', '.join(KINDS)}"
        )
    return known[kind.lower()], name


def budget_rule(
    size: str,
    budget: Budget,
    container: str,
    namespace: str | None,
    workload: str | None,
    metric: str,
    for_duration: str,
    severity: str,
    output_format: str,
) -> str:
    """The rule file (or PrometheusRule) with the one rule for ``budget``; raises ValueError."""
    pattern = owner = None
    title = f"container {container}" + (f" in namespace {namespace}" if namespace else "")
    if workload is not None:
        kind, name = _workload(workload)
        pattern = pod_name_pattern(kind, name)
        owner = f"{kind}/{name}"
        title = f"{kind} {f'{namespace}/' if namespace else ''}{name}, container {container}"
    target = AlertTarget(
        title=title,
        matchers=kubernetes_matchers(container, namespace, pattern),
        by=KUBERNETES_LABELS,
        labels=kubernetes_labels(container, namespace, owner),
        limit_bytes=budget.limit_bytes,
        limit_text=size.strip(),
        gomemlimit_bytes=budget.gomemlimit_bytes,
        gomemlimit_text=budget.gomemlimit,
        gomemlimit_origin=f"the budget's floor(limit * {budget.ratio}) in whole MiB",
    )
    rule = build_rule(target, AlertOptions(metric, for_duration, severity))
    comments = [
        f"dfmemlint budget {size.strip()}: alert when {rule.metric.words} passes "
        f"min(limit * 0.9, GOMEMLIMIT * 1.1) = {rule.threshold_bytes} bytes",
    ]
    return render([rule], output_format, comments)
