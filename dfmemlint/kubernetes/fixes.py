"""Edits to manifests that replace more than one scalar.

Every other fix of a manifest replaces a scalar's bytes (inside its quotes) and nothing else;
these replace a ``valueFrom:`` entry with a literal ``value:``, from the key's first byte to the
last byte written for its value, so the line's indentation, the rest of the entry and what
follows (comments included) stay as they were.
"""

from __future__ import annotations

from dfmemlint.golang.units import format_size
from dfmemlint.kubernetes.environment import ManifestContext, Resolved, block_end
from dfmemlint.kubernetes.model import EnvEntry
from dfmemlint.rules.values import recommended
from dfmemlint.types import Applicability, Edit, Fix
from dfmemlint.yamlsource.reader import MappingNode, ScalarNode


def literal_fix(ctx: ManifestContext, resolved: Resolved, entry: EnvEntry) -> Fix | None:
    """Unsafe: ``valueFrom: {resourceFieldRef: …}`` becomes ``value: "409MiB"`` (the ratio of
    the container's memory limit), when the limit is known."""
    limit = resolved.settings.limit
    target = recommended(None if limit is None else limit.bytes, ctx.ratio)
    if target is None or not isinstance(entry.node, MappingNode):
        return None
    for key, node in entry.node.value:
        if isinstance(key, ScalarNode) and key.value == "valueFrom":
            start = ctx.manifest.stream.span(key)[0]
            end = block_end(ctx.manifest, node)
            break
    else:  # pragma: no cover - a resourceFieldRef setting comes from a valueFrom entry
        return None
    if any(isinstance(k, ScalarNode) and k.value == "value" for k, _ in entry.node.value):
        return None  # an empty ``value:`` beside it: two edits would be needed
    new = format_size(target)
    return Fix(
        f"Replace the downward API with GOMEMLIMIT={new} ({ctx.ratio:g} of the memory limit)",
        (Edit(start, end, f'value: "{new}"'.encode()),),
        Applicability.UNSAFE,
    )
