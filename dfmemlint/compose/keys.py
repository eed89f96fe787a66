"""Duplicate mapping keys, which Compose refuses.

PyYAML's composer keeps every entry of a mapping, a repeated key included; compose-go does not
load such a file. ``loader/loader.go`` ``loadYamlFile`` decodes each document through a
``ResetProcessor`` (``loader/reset.go`` ``resolveContainer``), which walks the document depth
first and, in each mapping, compares every key's ``Value`` (the scalar's text after quoting and
escapes: ``GOGC``, ``"GOGC"`` and ``'GOGC'`` are the same key) with the keys before it, failing
with ``line 17: mapping key "GOGC" already defined at line 16`` (``docker compose`` then says
``failed to parse compose.yaml: …``); the value of an earlier key is walked before the next key
is compared, so the first repeat in that order is the one reported. A ``!reset`` node is
dropped before its contents are walked. An anchored node reached again through an alias is
walked once (``cachedResolve``). go-yaml's decoder (``decode.go`` ``mapping``, ``uniqueKeys``)
refuses the same repeats with the same words in what the processor does not walk (an
``!override`` node), so those are reported too.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import yaml

from dfmemlint.records import Record

_RESET_TAG = "!reset"


class DuplicateKey(Record):
    """A key written again in one mapping: the repeat's node and the first one's line."""

    node: Any  # the repeated key's node (its start mark is the position to report)
    key: str
    first_line: int  # 1-based

    def message(self) -> str:
        """compose-go's words after its ``line 17:``: ``mapping key "GOGC" already defined at
        line 16`` (Go's ``%#v`` quotes the key as ``strconv.Quote`` does; JSON's quoting agrees
        on printable text)."""
        quoted = json.dumps(self.key, ensure_ascii=False)
        return f"mapping key {quoted} already defined at line {self.first_line}"


def _key_text(node: Any) -> str:
    """A key's ``Value`` as go-yaml holds it: a scalar's text; empty for a collection."""
    return str(node.value) if isinstance(node, yaml.ScalarNode) else ""


def find_duplicate(root: Any) -> DuplicateKey | None:
    """The first repeated mapping key in ``root`` in compose-go's walking order, or None."""
    seen: set[int] = set()
    # Depth first, without recursion (a deep document must not exhaust Python's stack): each
    # frame is an iterator over one collection's children.
    stack: list[Iterator[Any]] = [iter((root,))]
    while stack:
        item = next(stack[-1], None)
        if item is None:
            stack.pop()
            continue
        if isinstance(item, DuplicateKey):
            return item
        if item.tag == _RESET_TAG or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, yaml.MappingNode):
            stack.append(_mapping_values(item))
        elif isinstance(item, yaml.SequenceNode):
            stack.append(iter(item.value))
    return None


def _mapping_values(node: Any) -> Iterator[Any]:
    """Each value of the mapping in turn, after its key was compared with the keys before it;
    at a repeat, the DuplicateKey instead (where the walk stops)."""
    lines: dict[str, int] = {}
    for key, value in node.value:
        text = _key_text(key)
        if text in lines:
            yield DuplicateKey(key, text, lines[text])
        lines[text] = key.start_mark.line + 1
        yield value
