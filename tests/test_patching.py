"""kustomize's patches on YAML node trees (dfmemlint.kubernetes.patching): JSON 6902 as
evanphx/json-patch v4 applies it, strategic merge as kyaml's merge2 does, each case an input,
a patch and the expected object (or the operation kustomize build fails on)."""

from __future__ import annotations

from typing import Any

import pytest

from dfmemlint.kubernetes.patching import PatchError, apply_operations, merge, pointer_tokens
from dfmemlint.yamlsource.reader import MappingNode, Node, ScalarNode, read_stream


def _node(text: str) -> Node:
    return read_stream(text.encode()).documents[0].root


def _plain(node: Node | None) -> Any:
    if node is None:
        return None
    if isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, MappingNode):
        return {_plain(key): _plain(value) for key, value in node.value}
    return [_plain(item) for item in node.value]


def _same(node: Node) -> Node:
    return node


BASE = "{spec: {env: [{name: A, value: '1'}, {name: B, value: '2'}], args: [x]}}"


@pytest.mark.parametrize(("operations", "expected"), [
    ("[{op: add, path: /spec/env/-, value: {name: C}}]",
     {"spec": {"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}, {"name": "C"}],
               "args": ["x"]}}),
    ("[{op: add, path: /spec/env/0, value: {name: C}}]",
     {"spec": {"env": [{"name": "C"}, {"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
               "args": ["x"]}}),
    ("[{op: replace, path: /spec/env/1/value, value: '3'}, {op: remove, path: /spec/args}]",
     {"spec": {"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "3"}]}}),
    ("[{op: add, path: /spec/args, value: [y]}, {op: test, path: /spec/args, value: [y]}]",
     {"spec": {"env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}],
               "args": ["y"]}}),
    ("[{op: move, from: /spec/env/0, path: /spec/env/1}]",
     {"spec": {"env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}],
               "args": ["x"]}}),
    ("[{op: copy, from: /spec/args, path: /spec/a~1b~0}, {op: remove, path: /spec/env/0}]",
     {"spec": {"env": [{"name": "B", "value": "2"}], "args": ["x"], "a/b~": ["x"]}}),
])
def test_json6902(operations: str, expected: Any) -> None:
    root = _node(BASE)
    apply_operations(root, tuple(_node(operations).value), _same)
    assert _plain(root) == expected


@pytest.mark.parametrize(("operations", "error"), [
    ("[{op: add, path: /spec/missing/-, value: 1}]", "missing key 'missing'"),
    ("[{op: replace, path: /spec/nope, value: 1}]", "missing key 'nope'"),
    ("[{op: remove, path: /spec/nope}]", "missing key 'nope'"),
    ("[{op: add, path: /spec/env/3, value: 1}]", "index 3 out of range"),
    ("[{op: replace, path: /spec/env/2, value: 1}]", "index 2 out of range"),
    ("[{op: add, path: /spec/env/01, value: 1}]", "not an array index: '01'"),
    ("[{op: add, path: /spec/env/0/name/x, value: 1}]", "cannot add to a scalar"),
    ("[{op: add, path: /spec/env/0/name/x/y, value: 1}]",
     "cannot descend into a scalar at 'x'"),
    ("[{op: remove, path: /spec/env/0/name/x}]", "cannot remove from a scalar"),
    ("[{op: add, path: '', value: 1}]", "not a JSON pointer: ''"),
    ("[{op: add, path: /, value: 1}]", None),
    ("[{op: remove, path: /spec/env/-}]", "not an array index: '-'"),
    ("[{op: add, path: /spec/env/-}]", "add without a value"),
    ("[{op: frobnicate, path: /spec}]", "unknown operation 'frobnicate'"),
])
def test_json6902_failures(operations: str, error: str | None) -> None:
    root = _node(BASE)
    if error is None:
        apply_operations(root, tuple(_node(operations).value), _same)
        assert _plain(root)[""] == "1"
        return
    with pytest.raises(PatchError) as raised:
        apply_operations(root, tuple(_node(operations).value), _same)
    assert str(raised.value) == error


def test_pointer_tokens() -> None:
    assert pointer_tokens("/a~01/b") == ["a~1", "b"]
    assert pointer_tokens("/") == [""]


@pytest.mark.parametrize(("base", "patch", "expected"), [
    # Containers and env merge by name; a new entry is added, a scalar replaced.
    ("{containers: [{name: a, env: [{name: X, value: '1'}], args: [p]}, {name: b}]}",
     "{containers: [{name: a, env: [{name: Y, value: '2'}, {name: X, value: '3'}], args: [q]}]}",
     {"containers": [{"name": "a", "env": [{"name": "X", "value": "3"},
                                           {"name": "Y", "value": "2"}], "args": ["q"]},
                     {"name": "b"}]}),
    # null removes a key; $patch: delete removes an element; an unnamed element is skipped.
    ("{containers: [{name: a, resources: {limits: {memory: 1Gi}}}, {name: b}]}",
     "{containers: [{name: a, resources: {limits: null}}, {name: b, $patch: delete},"
     " {image: x}, {name: c, $patch: delete}]}",
     {"containers": [{"name": "a", "resources": {}}]}),
    # $patch: replace on a map and in a list; a null for a missing key.
    ("{spec: {a: 1, b: 2}, env: [{name: X}], other: ~}",
     "{spec: {$patch: replace, c: 3}, env: [{$patch: replace}, {name: Y}], gone: null}",
     {"spec": {"c": "3"}, "env": [{"name": "Y"}], "other": "~"}),
    # A mapping onto a scalar replaces it; a list without a merge key is replaced whole.
    ("{a: 1, envFrom: [{configMapRef: {name: x}}]}",
     "{a: {b: 2}, envFrom: [{secretRef: {name: y}}], n: [z]}",
     {"a": {"b": "2"}, "envFrom": [{"secretRef": {"name": "y"}}], "n": ["z"]}),
    # An element whose merge deletes it.
    ("{env: [{name: X, value: '1'}]}", "{env: [{name: X, $patch: delete}]}", {"env": []}),
    ("{containers: [{name: a, x: {y: 1}}]}", "{containers: [{name: a, x: {$patch: delete}}]}",
     {"containers": [{"name": "a"}]}),
    ("{containers: [{name: a, image: x}]}", "{containers: [{name: a, $patch: replace}]}",
     {"containers": [{"name": "a"}]}),
    ("{a: 1, env: [{name: X}]}", "{env: [{$patch: delete}]}", {"a": "1"}),
])
def test_strategic_merge(base: str, patch: str, expected: Any) -> None:
    assert _plain(merge(_node(base), _node(patch), _same)) == expected


def test_strategic_merge_deletes_the_object() -> None:
    assert merge(_node("{a: 1}"), _node("{$patch: delete}"), _same) is None
    assert _plain(merge(_node("{a: 1}"), _node("[1]"), _same)) == ["1"]
    assert _plain(merge(_node("{a: 1}"), _node("x"), _same)) == "x"
