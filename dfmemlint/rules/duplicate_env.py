"""DFM012 duplicate-env-entry: a container's ``env`` list names GOMEMLIMIT or GOGC twice.

The kubelet keeps the last entry (``makeEnvironmentVariables`` in kubernetes/kubernetes
``pkg/kubelet/kubelet_pods.go`` fills a map in list order); ``env`` is a list keyed by ``name`` for
server-side apply, so GitOps tools and ``kubectl apply --server-side`` reject or drop the
duplicate, and the value that wins depends on the tool.
"""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.kubernetes.environment import ManifestContext, place
from dfmemlint.rules.values import ValueProblem

CODE = "DFM012"


def check(ctx: ManifestContext) -> Iterator[ValueProblem]:
    lines = ctx.manifest.stream.data
    for resolved in ctx.resolved:
        for name, entries in resolved.entries.items():
            if len(entries) < 2:
                continue
            first = entries[0]
            first_line = lines.count(b"\n", 0, ctx.manifest.stream.span(first.name_node)[0]) + 1
            for entry in entries[1:]:
                yield ValueProblem(
                    CODE,
                    place(ctx.manifest, entry.name_node),
                    f"{name} is set again for {resolved.settings.container.describe()} (first "
                    f"on line {first_line}): the kubelet uses the last entry, while server-side "
                    "apply and GitOps tools reject or merge away the duplicate. Keep one entry.",
                )
