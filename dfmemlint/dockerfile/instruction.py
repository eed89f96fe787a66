"""The records of a read Dockerfile: each instruction with its byte span, its argument tokens
(each with the bytes it was read from), heredocs, and where each piece of its logical line sits
in the file; and the comment lines.

Kept small, as a 10 MiB file holds some 300,000 instructions: what few instructions have sits in
one optional record, the line numbers come from the file's line starts, and a large file's tokens
are read again from its bytes when asked for (``build_instruction``)."""

from __future__ import annotations

import bisect
import sys
from array import array
from collections.abc import Iterator, Sequence
from typing import overload

from dfmemlint.dockerfile.line_parsers import Node, Word, node_from_line
from dfmemlint.dockerfile.text import BOM, decode, encode, go_trim_left
from dfmemlint.records import Record


class Token(Record):
    """A piece of an instruction: ``value`` as BuildKit reports it, ``start``/``end`` the raw bytes
    it was read from (for a token continued over lines, this includes the continuation)."""

    value: str
    start: int
    end: int


class Heredoc(Record):
    name: str
    content: str
    expand: bool
    chomp: bool
    fd: int
    body_start: int  # byte offset of the first content byte
    body_end: int  # byte offset just after the content (start of the terminator line)


class Segment(Record):
    """A piece of the logical line: ``text`` starts at logical index ``at`` and byte ``offset``."""

    at: int
    offset: int
    text: str


class Source:
    """What every instruction of one file shares: the bytes, the escape character and where each
    line starts (an ``array`` of byte offsets, 8 bytes a line)."""

    __slots__ = ("data", "escape", "line_starts")

    def __init__(self, data: bytes, escape: str, line_starts: array[int]) -> None:
        self.data = data
        self.escape = escape
        self.line_starts = line_starts


class Extra:
    """What few instructions have: flags, exec (JSON) form, heredocs, the segments of a line
    continued over several physical lines, and for ``ONBUILD`` the inner instruction with the
    logical line and argument text of each."""

    __slots__ = ("args", "flags", "heredocs", "json", "original", "segments", "sub")

    def __init__(
        self,
        flags: tuple[Token, ...],
        json: bool,
        heredocs: tuple[Heredoc, ...],
        sub: Instruction | None,
        segments: tuple[Segment, ...] | None,
        original: str | None = None,
        args: Token | None = None,
    ) -> None:
        self.flags = flags
        self.json = json
        self.heredocs = heredocs
        self.sub = sub
        self.segments = segments
        self.original = original
        self.args = args


class Instruction:
    """One instruction: its keyword as written, its byte span (``start`` is the first byte of its
    first line, ``end`` is just after the line ending of its last line), flags, heredocs, and
    for ``ONBUILD`` the inner instruction (``sub``).

    Kept small, as a file may hold hundreds of thousands of them: the logical line
    (``original``), the argument text (``args``) and the argument tokens (``values``) are read
    again from the file's bytes when asked for (the tokens are then kept), the line numbers come
    from the file's line starts, and what most instructions lack (flags, heredocs, exec form,
    continuation lines) sits in one optional record."""

    __slots__ = ("_extra", "_size", "_src", "_values", "keyword", "start")

    keyword: str  # as written
    start: int

    def __init__(
        self,
        source: Source,
        keyword: str,
        start: int,
        end: int,
        extra: Extra | None,
        values: tuple[Token, ...] | None = None,
    ) -> None:
        self._src = source
        self.keyword = keyword
        self.start = start
        self._size = end - start  # most are short: a small int is shared, not allocated
        self._extra = extra
        self._values = values

    def __repr__(self) -> str:
        return f"Instruction({self.keyword!r}, start={self.start}, end={self.end})"

    @property
    def end(self) -> int:
        return self.start + self._size

    @property
    def flags(self) -> tuple[Token, ...]:
        return () if self._extra is None else self._extra.flags

    @property
    def json(self) -> bool:
        """Exec form: the arguments are a JSON array of strings."""
        return self._extra is not None and self._extra.json

    @property
    def heredocs(self) -> tuple[Heredoc, ...]:
        return () if self._extra is None else self._extra.heredocs

    @property
    def sub(self) -> Instruction | None:
        """``ONBUILD``'s inner instruction."""
        return None if self._extra is None else self._extra.sub

    @property
    def cmd(self) -> str:
        """The keyword in upper case (``ONBUILD``'s own keyword, not its inner one)."""
        return self.keyword.upper()

    @property
    def start_line(self) -> int:
        """1-based line of ``start``."""
        return bisect.bisect_right(self._src.line_starts, self.start)

    @property
    def end_line(self) -> int:
        """1-based line of the instruction's last byte."""
        return bisect.bisect_right(self._src.line_starts, self.start + self._size - 1)

    @property
    def segments(self) -> tuple[Segment, ...]:
        """The logical line's pieces, one per physical line that holds part of it."""
        if self._extra is not None and self._extra.segments is not None:
            return self._extra.segments
        # One segment: the first line from its first non-blank character.
        data = self._src.data
        stop = data.find(b"\n", self.start)
        text = decode(data[self.start : len(data) if stop < 0 else stop].rstrip(b"\r\n"))
        stripped = go_trim_left(text)
        lead = text[: len(text) - len(stripped)]
        return (Segment(0, self.start + (len(lead) if lead.isascii() else len(encode(lead))),
                        stripped),)

    @property
    def original(self) -> str:
        """BuildKit's joined logical line."""
        if self._extra is not None and self._extra.original is not None:
            return self._extra.original
        return "".join(segment.text for segment in self.segments)

    @property
    def args(self) -> Token:
        """The argument text after keyword and flags (BuildKit's ``rest``)."""
        if self._extra is not None and self._extra.args is not None:
            return self._extra.args
        return self._parse()[0]

    @property
    def values(self) -> tuple[Token, ...]:
        """The argument tokens, as BuildKit's dispatch table splits them for the keyword."""
        if self._values is None:
            self._values = self._parse()[1]
        return self._values

    def peek_values(self) -> tuple[Token, ...]:
        """``values``, without keeping them when they were not asked for before (for one look at
        every instruction of a large file)."""
        return self._parse()[1] if self._values is None else self._values

    def _parse(self) -> tuple[Token, tuple[Token, ...]]:
        """(args, values): the line was read once already without error, so it reads again the
        same way."""
        segments = self.segments
        node = node_from_line("".join(segment.text for segment in segments), self._src.escape)
        return (place(segments, node.args),
                tuple([place(segments, word) for word in node.values]))

    def offset_of(self, index: int) -> int:
        """The byte offset of logical-line character ``index`` (``len(original)`` → end)."""
        return offset_in_segments(self.segments, index)

    def flag(self, name: str) -> Token | None:
        """The last ``--name=value`` flag, with its value only (``None`` when absent)."""
        found: Token | None = None
        prefix = f"--{name}"
        for token in self.flags:
            if token.value == prefix:
                found = Token("", token.end, token.end)
            elif token.value.startswith(prefix + "="):
                found = Token(token.value[len(prefix) + 1 :], token.start, token.end)
        return found


def offset_in_segments(segments: Sequence[Segment], index: int, *, end: bool = False) -> int:
    """The byte offset of logical-line character ``index``. Where two physical lines join, this is
    the start of the later line; with ``end=True`` it is the end of the earlier line's text, so a
    span ending there does not take the continuation characters with it.

    A binary search over the segments' starts (kept for the last few segment tuples), so the
    tokens of an instruction continued over many lines are placed in n log n, not n^2."""
    if len(segments) == 1:
        chosen = segments[0]
    else:
        starts = _segment_starts(segments)
        found = (bisect.bisect_left if end else bisect.bisect_right)(starts, index) - 1
        chosen = segments[max(found, 0)]
    within = index - chosen.at
    if within > len(chosen.text):
        within = len(chosen.text)
    prefix = chosen.text[:within]
    return chosen.offset + (len(prefix) if prefix.isascii() else len(encode(prefix)))


_STARTS_CACHE: dict[int, tuple[Sequence[Segment], list[int]]] = {}


def _segment_starts(segments: Sequence[Segment]) -> list[int]:
    cached = _STARTS_CACHE.get(id(segments))
    if cached is not None and cached[0] is segments:
        return cached[1]
    starts = [seg.at for seg in segments]
    if len(_STARTS_CACHE) >= 16:
        _STARTS_CACHE.clear()
    _STARTS_CACHE[id(segments)] = (segments, starts)
    return starts



class Comments(Sequence[tuple[int, str]]):
    """The comment lines of a file as (line, text after ``#``), read from the file's bytes when
    asked for: only their line numbers are kept."""

    __slots__ = ("_lines", "_source")

    def __init__(self, source: Source, lines: array[int]) -> None:
        self._source = source
        self._lines = lines

    def __len__(self) -> int:
        return len(self._lines)

    def _comment(self, line: int) -> tuple[int, str]:
        source = self._source
        starts = source.line_starts
        data = source.data
        start = starts[line - 1]
        if line == 1 and data.startswith(BOM):
            start = 3
        stop = data.find(b"\n", start)
        text = decode(data[start : len(data) if stop < 0 else stop].rstrip(b"\r\n"))
        return line, go_trim_left(text)[1:]

    @overload
    def __getitem__(self, index: int) -> tuple[int, str]: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[tuple[int, str]]: ...

    def __getitem__(
        self, index: int | slice
    ) -> tuple[int, str] | Sequence[tuple[int, str]]:
        if isinstance(index, slice):
            return [self._comment(line) for line in self._lines[index]]
        return self._comment(self._lines[index])

    def __iter__(self) -> Iterator[tuple[int, str]]:
        for line in self._lines:
            yield self._comment(line)



def place(segments: Sequence[Segment], word: Word) -> Token:
    """A word of the logical line placed in the file's bytes."""
    start = offset_in_segments(segments, word.start)
    if word.end <= word.start:
        return Token(word.value, start, start)
    return Token(word.value, start, offset_in_segments(segments, word.end, end=True))


def build_instruction(
    node: Node,
    *,
    source: Source,
    segments: tuple[Segment, ...],
    continued: bool,
    start: int,
    end: int,
    heredocs: tuple[Heredoc, ...],
    eager: bool,
) -> Instruction:
    """An instruction of a logical line read without error (``continued`` over several lines).

    With ``eager`` (a small file), or under ``ONBUILD``, everything is placed now; otherwise
    the tokens are placed when first asked for."""
    keyword = sys.intern(node.keyword)
    full = eager or node.sub is not None
    flags = tuple([place(segments, w) for w in node.flags]) if node.flags else ()
    if not (full or flags or node.json or heredocs or continued):
        return Instruction(source, keyword, start, end, None)
    values = tuple([place(segments, w) for w in node.values]) if full else None
    sub = None
    if node.sub is not None:
        sub = build_instruction(
            node.sub, source=source, segments=segments, continued=continued, start=start,
            end=end, heredocs=heredocs, eager=True,
        )
    extra = Extra(flags, node.json, heredocs, sub, segments if full or continued else None)
    if full:
        extra.original = node.original
        extra.args = place(segments, node.args)
    return Instruction(source, keyword, start, end, extra, values)
