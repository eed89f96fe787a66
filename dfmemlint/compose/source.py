"""One Compose (or ``.env``) file's text, with byte positions for what was read from it.

PyYAML's composer gives every node its start and end as character indexes into the decoded
text; findings and edits work on byte offsets into the file, so this converts them once.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import cached_property
from typing import Any

from dfmemlint.records import Record


class Origin(Record):
    """Where a value was written: a byte span of a file, and whether editing exactly that span
    changes exactly the value (no quotes, escapes or variables inside it)."""

    path: str
    start: int
    end: int
    line: int  # 1-based
    column: int  # 1-based, in characters
    editable: bool


class SourceText:
    """A file's bytes and their UTF-8 text (undecodable bytes kept as surrogate escapes)."""

    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        self.data = data
        self.text = data.decode("utf-8", "surrogateescape")

    @cached_property
    def _line_starts(self) -> list[int]:
        starts = [0]
        index = self.text.find("\n")
        while index != -1:
            starts.append(index + 1)
            index = self.text.find("\n", index + 1)
        return starts

    @cached_property
    def _ascii(self) -> bool:
        return self.text.isascii()

    def byte_offset(self, index: int) -> int:
        """The byte offset of character ``index``."""
        if self._ascii:
            return index
        return len(self.text[:index].encode("utf-8", "surrogateescape"))

    def origin(self, start: int, end: int, editable: bool) -> Origin:
        """An Origin for the characters ``start:end``."""
        line = bisect_right(self._line_starts, start)
        column = start - self._line_starts[line - 1] + 1
        return Origin(
            self.path, self.byte_offset(start), self.byte_offset(end), line, column, editable
        )


    def origin_of_bytes(self, start: int, end: int, editable: bool) -> Origin:
        """An Origin for the bytes ``start:end``."""
        before = self.data[:start].decode("utf-8", "surrogateescape")
        line = before.count("\n") + 1
        column = len(before) - (before.rfind("\n") + 1) + 1
        return Origin(self.path, start, end, line, column, editable)


def scalar_span(text: str, node: Any) -> tuple[int, int, bool]:
    """The characters of a YAML scalar's value as written (inside the quotes, if any), and
    whether they are exactly the value (a plain or quoted scalar on one line, without escapes or
    folding). Block scalars (``|``, ``>``), sequences and mappings never are."""
    start, end = node.start_mark.index, node.end_mark.index
    style = getattr(node, "style", "")  # a sequence or mapping where a scalar belongs
    if style in ("'", '"'):
        inner_start, inner_end = start + 1, end - 1
        return inner_start, inner_end, text[inner_start:inner_end] == node.value
    if style is None:
        return start, end, text[start:end] == node.value
    return start, end, False
