"""DFM013 memory-millibytes: a memory limit or request written with the milli suffix ``m``.

In a Kubernetes quantity ``m`` is milli (``resource.ParseQuantity``, apimachinery
``pkg/api/resource/suffix.go``): ``memory: 512m`` is 0.512 bytes, and the API server warns that
a fractional byte value is invalid (``warningsForPodSpecAndMeta`` in kubernetes/kubernetes
``pkg/api/pod/warnings.go``). ``512Mi`` was almost surely meant (Docker's ``512m`` is 512 MiB).
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

from dfmemlint.kubernetes.environment import ManifestContext, memory_amount, place
from dfmemlint.kubernetes.quantity import suffix_of
from dfmemlint.rules.values import ValueProblem
from dfmemlint.types import Applicability, Edit, Fix, shown
from dfmemlint.yamlsource.reader import Node, ScalarNode


def _amount(amount: Fraction) -> str:
    if amount.denominator == 1:
        return f"{amount.numerator:,} bytes"
    return f"{float(amount):.3f} bytes".replace(".000 ", " ")

CODE = "DFM013"


def check(ctx: ManifestContext) -> Iterator[ValueProblem]:
    seen: set[int] = set()
    for resolved in ctx.resolved:
        if not resolved.settings.settings and not resolved.entries:
            continue  # no Go setting: not a container this linter judges
        pod, spec = resolved.pod, resolved.spec
        candidates: list[tuple[Node | None, str]] = [
            (spec.limit, "memory limit"),
            (spec.request, "memory request"),
            (pod.pod_limit, "pod-level memory limit"),
        ]
        for node, what in candidates:
            if not isinstance(node, ScalarNode) or id(node) in seen:
                continue
            raw = str(node.value).strip()
            amount = memory_amount(node)
            if amount is None or suffix_of(raw) != "m":
                continue
            seen.add(id(node))
            number = raw[:-1]
            intended = f"{number}Mi"
            at = place(ctx.manifest, node)
            fix = None
            if at.editable and number.isdigit():
                fix = Fix(f"Replace {shown(raw)} with {intended}",
                          (Edit(at.start, at.end, intended.encode()),), Applicability.UNSAFE)
            yield ValueProblem(
                CODE,
                at,
                f"The {what} {shown(raw)} of {resolved.settings.container.describe()} is "
                f"{_amount(amount)}: 'm' is milli in a Kubernetes quantity. {intended} "
                "(mebibytes) was almost surely meant.",
                None,
                fix,
            )
