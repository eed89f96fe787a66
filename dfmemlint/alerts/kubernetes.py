"""The alert target of a Kubernetes container (:class:`dfmemlint.containers.ContainerSettings`),
or why it gets none.

The rule selects the container's series by the kubelet's cAdvisor labels: its namespace (the
manifest's, else ``--namespace``; with neither, any), its name, and the names Kubernetes gives
the pods of its workload (:mod:`dfmemlint.alerts.pod_names`). The GOMEMLIMIT is unknown when it
comes from a Secret or a ConfigMap not among the files, or when such a source (``envFrom``)
may set it (:mod:`dfmemlint.alerts.targets` says what else gives no alert).
"""

from __future__ import annotations

from collections.abc import Callable

from dfmemlint.alerts.pod_names import pod_name_pattern
from dfmemlint.alerts.rules import (
    KUBERNETES_LABELS,
    AlertTarget,
    kubernetes_labels,
    kubernetes_matchers,
)
from dfmemlint.alerts.targets import NOT_GO, NOT_SET, Skipped, SoftLimit, soft_limit
from dfmemlint.containers import ContainerSettings, Place

Locate = Callable[[Place], str]


def _title(settings: ContainerSettings, namespace: str | None) -> str:
    container = settings.container
    workload = container.workload
    where = f"{namespace}/" if namespace else ""
    role = "init container" if container.role == "initContainer" else container.role
    return f"{workload.kind} {where}{workload.name or '(no name)'}, {role} {container.name}"


def _soft_limit(settings: ContainerSettings, locate: Locate) -> SoftLimit | str:
    setting = settings.get("GOMEMLIMIT")
    if setting is None:
        suffix = " for GOMEMLIMIT"
        for source in settings.opaque:
            if source.endswith(suffix):  # an env entry whose value the files do not show
                where = source[: -len(suffix)]
                return f"GOMEMLIMIT comes from {where}, which the files do not show"
        for source in settings.opaque:
            if "(envFrom" in source:
                return f"GOMEMLIMIT may come from {source}, which the files do not show"
        return NOT_SET
    if setting.value is None:
        return f"GOMEMLIMIT comes from {setting.origin}, which the files do not show"
    return soft_limit(setting.value, f"{setting.origin} at {locate(setting.place)}")


def kubernetes_target(
    settings: ContainerSettings,
    locate: Locate,
    *,
    namespace: str | None = None,
    include_all: bool = False,
) -> AlertTarget | Skipped:
    """The alert target of one Kubernetes container, or why it gets none.

    ``locate`` renders a place as ``path:line``. ``namespace`` stands in for a workload whose
    manifest names none (as ``kubectl apply -n`` would). ``include_all``: also containers that
    set neither GOMEMLIMIT nor GOGC (not known to run Go).
    """
    workload = settings.container.workload
    namespace = workload.namespace or namespace
    title = _title(settings, namespace)
    limit = settings.limit
    if limit is None:
        return Skipped(title, "no memory limit (resources.limits.memory)")
    if (
        not include_all
        and not settings.settings
        and not any("GOMEMLIMIT" in source or "GOGC" in source for source in settings.opaque)
    ):
        return Skipped(title, NOT_GO)
    soft = _soft_limit(settings, locate)
    if isinstance(soft, str):
        return Skipped(title, soft)
    pattern = pod_name_pattern(workload.kind, workload.name) if workload.name else None
    notes: tuple[str, ...] = ()
    if pattern is None:
        notes = (
            f"Pods: any with this container name: dfmemlint does not know how a {workload.kind} "
            "names its pods.",
        )
    container = settings.container.name
    return AlertTarget(
        title=title,
        matchers=kubernetes_matchers(container, namespace, pattern),
        by=KUBERNETES_LABELS,
        labels=kubernetes_labels(container, namespace, f"{workload.kind}/{workload.name}"),
        limit_bytes=limit.bytes,
        limit_text=limit.text,
        gomemlimit_bytes=soft.bytes,
        gomemlimit_text=soft.text,
        gomemlimit_origin=soft.origin,
        limit_origin=limit.field + (f" at {locate(limit.place)}" if limit.place else ""),
        notes=notes,
    )
