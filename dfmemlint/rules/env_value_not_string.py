"""DFM014 env-value-not-string: a GOMEMLIMIT or GOGC value that YAML reads as a boolean or a
number (``value: off``, ``value: 100``, ``value: !!int "100"``; a ConfigMap's ``GOGC: 50``).

Kubernetes reads YAML 1.1 through sigs.k8s.io/yaml and its go-yaml v2 fork (``resolve`` in
``resolve.go``: ``off``, ``no``, ``y`` are booleans). ``kubectl`` and Helm turn each document into
JSON without a typed target (apimachinery ``pkg/util/yaml/decoder.go`` ``ToJSON`` →
``YAMLToJSON``), so ``off`` is sent as ``false``; the API server decodes ``EnvVar.value`` and
ConfigMap ``data`` as strings and rejects the object (``cannot unmarshal bool into Go struct field
… of type string``). A tool that decodes into typed objects instead (``sigs.k8s.io/yaml``
``convertToJSONableObject``) coerces it to ``"false"``: not ``off`` either. The type is the one
:func:`dfmemlint.yamlsource.reader.scalar_type` resolves, explicit tags included (``!!str 50`` is
a string, ``!!int "50"`` a number); a timestamp-like ``2024-01-02`` reaches the API server as
text, so it is not reported here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from dfmemlint.containers import Place
from dfmemlint.kubernetes.environment import TRACKED, ManifestContext, place
from dfmemlint.rules.values import ValueProblem
from dfmemlint.types import Applicability, Edit, Fix
from dfmemlint.yamlsource.reader import PLAIN_TAG, Node, ScalarNode, scalar_type

CODE = "DFM014"
_ARTICLE = {"bool": "a boolean", "int": "an integer", "float": "a number"}
_TAG_PREFIX = "tag:yaml.org,2002:"


def _problem(ctx: ManifestContext, name: str, node: Node | None, where: str) -> ValueProblem | None:
    return unquoted(name, node, where, lambda found: place(ctx.manifest, found))


def unquoted(
    name: str, node: Node | None, where: str, place_of: Callable[[Node], Place]
) -> ValueProblem | None:
    """DFM014 for one value node (``place_of`` says where a node is written); None when it is
    a string (quoted, or tagged ``!!str``) or empty."""
    if not isinstance(node, ScalarNode):
        return None
    kind = scalar_type(node)
    if kind in ("str", "null"):
        return None
    at = place_of(node)
    quoted = f'"{node.value}"'
    if node.tag == PLAIN_TAG:
        fix = None
        if at.editable:
            fix = Fix(f"Quote the value: {quoted}", (Edit(at.start, at.end, quoted.encode()),),
                      Applicability.SAFE)
        return ValueProblem(
            CODE, at,
            f"{name}: {node.value} {where} is not quoted, so Kubernetes' YAML 1.1 reading makes "
            f"it {_ARTICLE[kind]}, not a string: the API server rejects the object. "
            f"Write {quoted}.",
            None, fix,
        )
    tag = "!!" + node.tag.removeprefix(_TAG_PREFIX)
    if kind == "invalid":
        why = f"the tag {tag} does not fit its text, so kubectl cannot read the document"
    else:
        why = (f"the tag {tag} makes it {_ARTICLE[kind]}, not a string: the API server rejects "
               "the object")
    return ValueProblem(
        CODE, at, f"{name}: {node.value} {where} is tagged {tag}: {why}. Write {quoted}.",
        None, None,
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
