"""DFM014 env-value-not-string: an unquoted GOMEMLIMIT or GOGC value that YAML reads as a
boolean or a number (``value: off``, ``value: 100``; a ConfigMap's ``GOGC: 50``).

Kubernetes reads YAML 1.1 through sigs.k8s.io/yaml and its go-yaml v2 fork (``resolve`` in
``resolve.go``: ``off``, ``no``, ``y`` are booleans). ``kubectl`` and Helm turn each document into
JSON without a typed target (apimachinery ``pkg/util/yaml/decoder.go`` ``ToJSON`` →
``YAMLToJSON``), so ``off`` is sent as ``false``; the API server decodes ``EnvVar.value`` and
ConfigMap ``data`` as strings and rejects the object (``cannot unmarshal bool into Go struct field
… of type string``). A tool that decodes into typed objects instead (``sigs.k8s.io/yaml``
``convertToJSONableObject``) coerces it to ``"false"``: not ``off`` either.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from dfmemlint.containers import Place
from dfmemlint.kubernetes.environment import TRACKED, ManifestContext, place
from dfmemlint.rules.values import ValueProblem
from dfmemlint.types import Applicability, Edit, Fix
from dfmemlint.yamlsource.reader import Node, ScalarNode, plain_scalar_type, scalar_style

CODE = "DFM014"
_ARTICLE = {"bool": "a boolean", "int": "an integer", "float": "a number",
            "timestamp": "a timestamp"}


def _problem(ctx: ManifestContext, name: str, node: Node | None, where: str) -> ValueProblem | None:
    return unquoted(name, node, where, lambda found: place(ctx.manifest, found))


def unquoted(
    name: str, node: Node | None, where: str, place_of: Callable[[Node], Place]
) -> ValueProblem | None:
    """DFM014 for one value node (``place_of`` says where a node is written); None when it is
    quoted, a string or empty."""
    if not isinstance(node, ScalarNode) or scalar_style(node) != "":
        return None
    kind = plain_scalar_type(str(node.value))
    if kind in ("str", "null"):
        return None
    at = place_of(node)
    quoted = f'"{node.value}"'
    fix = None
    if at.editable:
        fix = Fix(f"Quote the value: {quoted}", (Edit(at.start, at.end, quoted.encode()),),
                  Applicability.SAFE)
    return ValueProblem(
        CODE,
        at,
        f"{name}: {node.value} {where} is not quoted, so Kubernetes' YAML 1.1 reading makes it "
        f"{_ARTICLE[kind]}, not a string: the API server rejects the object. Write {quoted}.",
        None,
        fix,
    )


def check(ctx: ManifestContext) -> Iterator[ValueProblem]:
    seen: set[int] = set()
    for resolved in ctx.resolved:
        for name, entries in resolved.entries.items():
            for entry in entries:
                if id(entry.node) in seen:
                    continue
                seen.add(id(entry.node))
                problem = _problem(ctx, name, entry.value, "(env value)")
                if problem is not None:
                    yield problem
    for config_map in ctx.manifest.config_maps:
        for key in TRACKED:
            if key in config_map.data:
                problem = _problem(ctx, key, config_map.data[key][1],
                                   f"(ConfigMap {config_map.name})")
                if problem is not None:
                    yield problem
