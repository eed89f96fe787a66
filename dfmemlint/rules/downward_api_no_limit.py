"""DFM011 downward-api-without-limit: GOMEMLIMIT from ``resourceFieldRef`` on ``limits.memory``
of a container that has no memory limit.

The kubelet then hands the downward API the node's allocatable memory
(``defaultPodLimitsForDownwardAPI`` in kubernetes/kubernetes ``pkg/kubelet/kubelet_resources.go``;
the pod-level limit first, where PodLevelResources sets one), so the soft limit sits far above
anything the container may use and never makes the collector work harder.
"""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.golang.gomemlimit import gogc_turns_gc_off
from dfmemlint.kubernetes.environment import ManifestContext
from dfmemlint.rules.values import ValueProblem

CODE = "DFM011"


def check(ctx: ManifestContext) -> Iterator[ValueProblem]:
    for resolved in ctx.resolved:
        setting = resolved.settings.get("GOMEMLIMIT")
        if setting is None or not setting.from_limit or setting.value is not None:
            continue
        gogc = resolved.settings.get("GOGC")
        extra = ""
        if gogc is not None and gogc.value is not None and gogc_turns_gc_off(gogc.value):
            extra = (
                f" (with GOGC={gogc.value} beside it, nothing bounds the heap until the node "
                "runs out)"
            )
        yield ValueProblem(
            CODE,
            setting.place,
            f"GOMEMLIMIT comes from the downward API ({setting.origin}), but "
            f"{resolved.settings.container.describe()} has no memory limit, so the kubelet "
            f"hands it the node's allocatable memory and the soft limit never acts{extra}. Set "
            "resources.limits.memory (GOMEMLIMIT then follows it) or a literal GOMEMLIMIT.",
        )
