"""kustomize's two kinds of patch, applied to YAML node trees: JSON 6902 operations and
strategic-merge patches. The result keeps every scalar node of the base and of the patch as it
was read, so each value of the patched object still knows the file and position it is written
at; mappings and sequences that a patch inserts are copies (``copy``), so that patching an
object never changes the patch's own tree.

JSON 6902 (``patchjson6902.Filter`` in ``api/filters/patchjson6902/patchjson6902.go`` applies
``gopkg.in/evanphx/json-patch.v4``): ``add`` sets a mapping key or inserts into a sequence at an
index up to its length (``-`` appends); ``replace`` and ``remove`` need the location to exist;
``move`` and ``copy`` read ``from``; ``test`` is taken to pass. A location whose parent does not
exist (``…/env/-`` on a container without ``env``) is an error there, and kustomize build fails:
:class:`PatchError`.

Strategic merge (``patchstrategicmerge.Filter``, ``merge2.Merge`` in
``kyaml/yaml/merge2/merge2.go``): mappings merge key by key, a scalar of the patch replaces the
base's, a ``null`` removes the key, ``$patch: delete`` removes a mapping or list element and
``$patch: replace`` replaces it. Lists with a merge key merge element by element; the only ones
that matter for Go settings are ``containers``, ``initContainers`` and ``env``, each merged by
``name`` (``x-kubernetes-patch-merge-key: name`` in kustomize's bundled OpenAPI schema,
``kyaml/openapi/kubernetesapi/data/kubernetes-openapi-union-v1.21.2.bundle-v1.json.gz``, for
``io.k8s.api.core.v1.PodSpec`` and ``io.k8s.api.core.v1.Container``); any other list (``envFrom``,
``command``) is replaced whole. A new element is added beside the base's (kustomize prepends it;
the order of differently named entries changes nothing the rules judge).
"""

from __future__ import annotations

from collections.abc import Callable

from dfmemlint.yamlsource.reader import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    get,
    scalar_type,
    text,
)

_STR_TAG = "tag:yaml.org,2002:str"
MERGED_BY_NAME = ("containers", "initContainers", "env")
Copy = Callable[[Node], Node]


class PatchError(Exception):
    """An operation kustomize build fails on (a missing location, a bad pointer)."""


def pointer_tokens(pointer: str) -> list[str]:
    """A JSON pointer's reference tokens (RFC 6901: ``~1`` is ``/``, ``~0`` is ``~``)."""
    if not pointer.startswith("/"):
        raise PatchError(f"not a JSON pointer: {pointer!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]


def _key(token: str) -> ScalarNode:
    return ScalarNode(_STR_TAG, token)


def _index(token: str, size: int, *, insert: bool) -> int:
    if token == "-" and insert:
        return size
    if not token.isdigit() or (len(token) > 1 and token[0] == "0"):
        raise PatchError(f"not an array index: {token!r}")
    at = int(token)
    if at > size or (at == size and not insert):
        raise PatchError(f"index {at} out of range")
    return at


def _child(node: Node, token: str) -> Node:
    if isinstance(node, MappingNode):
        found = get(node, token)
        if found is None:
            raise PatchError(f"missing key {token!r}")
        return found
    if isinstance(node, SequenceNode):
        return node.value[_index(token, len(node.value), insert=False)]
    raise PatchError(f"cannot descend into a scalar at {token!r}")


def _parent(root: Node, tokens: list[str]) -> Node:
    node = root
    for token in tokens[:-1]:
        node = _child(node, token)
    return node


def _get(root: Node, tokens: list[str]) -> Node:
    node = root
    for token in tokens:
        node = _child(node, token)
    return node


def _remove(root: Node, tokens: list[str]) -> Node:
    parent, last = _parent(root, tokens), tokens[-1]
    if isinstance(parent, MappingNode):
        for number, (key, value) in enumerate(parent.value):
            if isinstance(key, ScalarNode) and key.value == last:
                del parent.value[number]
                return value
        raise PatchError(f"missing key {last!r}")
    if isinstance(parent, SequenceNode):
        return parent.value.pop(_index(last, len(parent.value), insert=False))
    raise PatchError("cannot remove from a scalar")


def _add(root: Node, tokens: list[str], value: Node, *, replace: bool) -> None:
    parent, last = _parent(root, tokens), tokens[-1]
    if isinstance(parent, MappingNode):
        for number, (key, _old) in enumerate(parent.value):
            if isinstance(key, ScalarNode) and key.value == last:
                parent.value[number] = (key, value)
                return
        if replace:
            raise PatchError(f"missing key {last!r}")
        parent.value.append((_key(last), value))
    elif isinstance(parent, SequenceNode):
        at = _index(last, len(parent.value), insert=not replace)
        if replace:
            parent.value[at] = value
        else:
            parent.value.insert(at, value)
    else:
        raise PatchError("cannot add to a scalar")


def apply_operations(root: Node, operations: tuple[Node, ...], copy: Copy) -> None:
    """Apply JSON 6902 ``operations`` to ``root`` in place; :class:`PatchError` when
    kustomize build would fail on one (``root`` may then be partly changed)."""
    for operation in operations:
        op = text(get(operation, "op"))
        tokens = pointer_tokens(text(get(operation, "path")) or "")
        value = get(operation, "value")
        if op in ("add", "replace"):
            if value is None:
                raise PatchError(f"{op} without a value")
            _add(root, tokens, copy(value), replace=op == "replace")
        elif op == "remove":
            _remove(root, tokens)
        elif op in ("move", "copy"):
            source = pointer_tokens(text(get(operation, "from")) or "")
            moved = _remove(root, source) if op == "move" else copy(_get(root, source))
            _add(root, tokens, moved, replace=False)
        elif op != "test":
            raise PatchError(f"unknown operation {op!r}")


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and scalar_type(node) == "null"


def _directive(node: Node) -> str | None:
    return text(get(node, "$patch"))


def _without_directives(node: Node, copy: Copy) -> Node:
    made = copy(node)
    if isinstance(made, MappingNode):
        made.value = [
            (key, value) for key, value in made.value
            if not (isinstance(key, ScalarNode) and str(key.value).startswith("$"))
        ]
    return made


def _list_directive(patch: SequenceNode) -> tuple[str | None, list[Node]]:
    """A list's own directive (an element that is only ``$patch: …``, as
    ``determineSequenceNodePatchStrategy`` reads it) and the other elements."""
    directive = None
    rest: list[Node] = []
    for item in patch.value:
        if isinstance(item, MappingNode) and len(item.value) == 1 and _directive(item):
            directive = _directive(item)
        else:
            rest.append(item)
    return directive, rest


def _merge_list(base: SequenceNode, patch: SequenceNode, copy: Copy) -> Node | None:
    directive, elements = _list_directive(patch)
    if directive == "delete":
        return None
    if directive == "replace":
        return copy(SequenceNode(patch.tag, elements, patch.start_mark, patch.end_mark))
    for item in elements:
        name = text(get(item, "name"))
        if name is None:
            continue
        found = next(
            (n for n, old in enumerate(base.value) if text(get(old, "name")) == name), None
        )
        if found is None:
            if _directive(item) != "delete":
                base.value.append(_without_directives(item, copy))
            continue
        merged = merge(base.value[found], item, copy)
        if merged is None:
            del base.value[found]
        else:
            base.value[found] = merged
    return base


def merge(base: Node, patch: Node, copy: Copy) -> Node | None:
    """``patch`` merged onto ``base`` as a strategic-merge patch; the base's mappings and lists
    are changed in place. None: the patch deletes it."""
    if isinstance(patch, MappingNode):
        directive = _directive(patch)
        if directive == "delete":
            return None
        if directive == "replace" or not isinstance(base, MappingNode):
            return _without_directives(patch, copy)
        for key, value in patch.value:
            if not isinstance(key, ScalarNode) or str(key.value).startswith("$"):
                continue
            name = str(key.value)
            at = next(
                (n for n, (k, _v) in enumerate(base.value)
                 if isinstance(k, ScalarNode) and k.value == name),
                None,
            )
            if _is_null(value):
                if at is not None:
                    del base.value[at]
                continue
            if at is None:
                base.value.append((key, _without_directives(value, copy)))
                continue
            old = base.value[at][1]
            if (
                name in MERGED_BY_NAME
                and isinstance(old, SequenceNode)
                and isinstance(value, SequenceNode)
            ):
                merged = _merge_list(old, value, copy)
            else:
                merged = merge(old, value, copy)
            if merged is None:
                del base.value[at]
            else:
                base.value[at] = (base.value[at][0], merged)
        return base
    if isinstance(patch, SequenceNode):
        return copy(patch)
    return patch
