"""YAML compared leaf by leaf: what the fix tests of manifests and Compose files assert (the
YAML is the same apart from the values the fixes edited)."""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.yamlsource.reader import MappingNode, Node, ScalarNode, SequenceNode, read_stream


def leaves(data: bytes) -> Iterator[tuple[tuple[object, ...], str, int, int]]:
    """(path, text, start, end) of every scalar, its path made of keys and list indexes."""
    stream = read_stream(data)
    assert stream.error is None

    Leaf = tuple[tuple[object, ...], str, int, int]

    def walk(node: Node, path: tuple[object, ...]) -> Iterator[Leaf]:
        if isinstance(node, ScalarNode):
            start, end = stream.span(node)
            yield path, str(node.value), start, end
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                yield from walk(value, (*path, str(key.value)))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                yield from walk(item, (*path, index))

    for number, document in enumerate(stream.documents):
        yield from walk(document.root, (number,))


def _touched(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any((start < span_end and span_start < end) or span_start == start
               for span_start, span_end in spans)


def same_apart_from_edits(before: bytes, after: bytes, spans: list[tuple[int, int]]) -> None:
    """Every scalar that no fix touched (``spans``: what the fixes replaced, in ``before``) is
    at the same path with the same text after; a path that is new after lies in an entry the
    fixes edited (a ``valueFrom:`` replaced by a literal ``value:``)."""
    old = list(leaves(before))
    new = {path: text for path, text, _, _ in leaves(after)}
    kept = {path: text for path, text, start, end in old if not _touched(start, end, spans)}
    assert {path: new.get(path) for path in kept} == kept
    # The env entry a literal fix rewrote: three levels above the downward API's ``resource``.
    edited_entries = {
        path[:-levels]
        for path, _, start, end in old
        if _touched(start, end, spans)
        for levels in (1, 2, 3)
    }
    old_paths = {path for path, _, _, _ in old}
    for path in set(new) - old_paths:
        assert path[:-1] in edited_entries, path
