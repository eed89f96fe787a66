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


def _inserted_into(
    before: bytes, old: list[tuple[tuple[object, ...], str, int, int]], at: int
) -> tuple[object, ...] | None:
    """The collection an insertion at ``at`` (the start of a line) adds an entry to: the parent
    of the scalar on the line above it (``GOMEMLIMIT: 409MiB`` added after ``GOGC: "off"``)."""
    line_start = before.rfind(b"\n", 0, max(at - 1, 0)) + 1
    above = [path for path, _, start, _ in old if line_start <= start < at]
    return above[-1][:-1] if above else None


def _in_order(kept: list[str], new: list[str]) -> bool:
    """``kept`` is a subsequence of ``new``."""
    rest = iter(new)
    return all(any(text == other for other in rest) for text in kept)


def same_apart_from_edits(before: bytes, after: bytes, spans: list[tuple[int, int]]) -> None:
    """Every scalar that no fix touched (``spans``: what the fixes replaced, in ``before``) is
    at the same path with the same text after; a path that is new after lies in an entry the
    fixes edited (a ``valueFrom:`` replaced by a literal ``value:``), or in the collection an
    insertion (an empty span: an entry added on a line of its own) adds to. In a list that got
    an entry, the entries after it move down one: there the kept scalars must come in the same
    order."""
    old = list(leaves(before))
    new_leaves = list(leaves(after))
    new = {path: text for path, text, _, _ in new_leaves}
    inserted = {
        parent
        for start, end in spans
        if start == end and (parent := _inserted_into(before, old, start)) is not None
    }
    # Lists that got an entry: compared in order, not index by index.
    lists = {parent for parent in inserted if any(
        path[:-1] == parent and isinstance(path[-1], int) for path, _, _, _ in old
    )}
    kept = {path: text for path, text, start, end in old if not _touched(start, end, spans)}
    in_lists = {path for path in kept if path[:-1] in lists}
    for parent in lists:
        assert _in_order(
            [kept[p] for p in kept if p in in_lists and p[:-1] == parent],
            [text for path, text, _, _ in new_leaves if path[:-1] == parent],
        ), parent
    kept = {path: text for path, text in kept.items() if path not in in_lists}
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
        assert path[:-1] in edited_entries or path[:-1] in inserted, path
