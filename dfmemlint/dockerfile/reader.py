"""Read a Dockerfile the way BuildKit's parser does, keeping every byte's position.

Bytes in, spans out. Each instruction keeps its byte span in the file and each argument token
(flags, ENV/ARG/LABEL keys and values, JSON array elements, heredoc bodies) its own byte span, so
that rules can report exact columns and the fixer can splice edits into the original bytes.
Nothing here re-serialises an instruction. The rules are those of moby/buildkit's
``frontend/dockerfile/parser`` (see PARSING.md in the project's shared notes).
"""

from __future__ import annotations

import bisect
import math
import re
import sys
from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple, overload

from dfmemlint.dockerfile import shellwords

BOM = b"\xef\xbb\xbf"
MAX_LINE_BYTES = 65535  # bufio.MaxScanTokenSize - 1: BuildKit rejects longer physical lines
DIRECTIVE_KEYS = frozenset({"syntax", "escape", "check"})

# Go's unicode.IsSpace: ASCII blanks, NEL, NBSP and the Unicode White_Space characters.
_GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_RE_WHITESPACE = re.compile(r"[\t\v\f\r ]+")
# Go's RE2 classes are ASCII-only: \s is [\t\n\f\r ], \d is [0-9].
_RE_DIRECTIVE = re.compile(
    r"^#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*\Z", re.DOTALL
)
_RE_HEREDOC = re.compile(r"^([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)\Z", re.DOTALL)
# unicode.IsSpace(rune(b)) for a single byte b: what Go code that indexes a string sees as blank.
_MAX_UINT64 = (1 << 64) - 1
_GO_BYTE_SPACE = frozenset("\t\n\v\f\r \x85\xa0")

HEREDOC_KEYWORDS = frozenset({"run", "copy", "add"})
# A file up to this size keeps every token from its first reading; a larger one reads them again
# when they are asked for (a 10 MiB file holds some 300,000 instructions, most of them in
# stages no rule looks at).
EAGER_BYTES = 1 << 18


def is_go_space(ch: str) -> bool:
    return ch in _GO_SPACE


def go_trim_left(text: str) -> str:
    i = 0
    while i < len(text) and text[i] in _GO_SPACE:
        i += 1
    return text[i:]


def go_trim_space(text: str) -> tuple[str, int]:
    """strings.TrimSpace; also returns how many characters were cut from the left."""
    i, j = 0, len(text)
    while i < j and text[i] in _GO_SPACE:
        i += 1
    while j > i and text[j - 1] in _GO_SPACE:
        j -= 1
    return text[i:j], i


def decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def displayable(text: str) -> str:
    """``text`` as valid Unicode for output: bytes kept as lone surrogates by ``surrogateescape``
    (an undecodable path, message or value) become U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return encode(text).decode("utf-8", "replace")
        except UnicodeEncodeError:  # a surrogate that no byte produced
            return text.encode("utf-8", "replace").decode("utf-8")
    return text


class ParseError(NamedTuple):
    message: str
    line: int  # 1-based


class Directive(NamedTuple):
    key: str  # lower case
    value: str
    line: int
    start: int
    end: int


class Token(NamedTuple):
    """A piece of an instruction: ``value`` as BuildKit reports it, ``start``/``end`` the raw bytes
    it was read from (for a token continued over lines, this includes the continuation)."""

    value: str
    start: int
    end: int


class Heredoc(NamedTuple):
    name: str
    content: str
    expand: bool
    chomp: bool
    fd: int
    body_start: int  # byte offset of the first content byte
    body_end: int  # byte offset just after the content (start of the terminator line)


class Segment(NamedTuple):
    """A piece of the logical line: ``text`` starts at logical index ``at`` and byte ``offset``."""

    at: int
    offset: int
    text: str


class _Source:
    """What every instruction of one file shares: the bytes, the escape character and where each
    line starts (an ``array`` of byte offsets, 8 bytes a line)."""

    __slots__ = ("data", "escape", "line_starts")

    def __init__(self, data: bytes, escape: str, line_starts: array[int]) -> None:
        self.data = data
        self.escape = escape
        self.line_starts = line_starts


class _Extra:
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
        source: _Source,
        keyword: str,
        start: int,
        end: int,
        extra: _Extra | None,
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
        node = _parse_logical("".join(segment.text for segment in segments), self._src.escape)
        return (_token(segments, node.args),
                tuple([_token(segments, word) for word in node.values]))

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


@dataclass(frozen=True)
class Dockerfile:
    data: bytes
    escape: str
    directives: tuple[Directive, ...]
    directives_end: int  # byte offset just after the parser-directive block
    instructions: tuple[Instruction, ...]
    comments: Sequence[tuple[int, str]]  # (line, text after '#') of every comment line
    line_starts: Sequence[int]  # byte offset of each line start (index 0 = line 1)
    error: ParseError | None
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.error is None

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a byte offset; columns count code points."""
        return line_col(self.data, self.line_starts, offset)

    def line_text(self, line: int) -> bytes:
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.data)
        return self.data[start:end]

    @property
    def newline(self) -> bytes:
        """The file's dominant line ending."""
        crlf = self.data.count(b"\r\n")
        return b"\r\n" if crlf * 2 > self.data.count(b"\n") else b"\n"

    def pieces(self) -> Iterator[tuple[str, int, int]]:
        """Every byte of the file, in order, as (kind, start, end): "bom", "trivia" (directives,
        comments and blank lines between instructions) and "instruction"."""
        pos = 0
        if self.data.startswith(BOM):
            yield "bom", 0, 3
            pos = 3
        for ins in self.instructions:
            if ins.start > pos:
                yield "trivia", pos, ins.start
            yield "instruction", ins.start, ins.end
            pos = ins.end
        if pos < len(self.data):
            yield "trivia", pos, len(self.data)


def line_col(data: bytes, line_starts: Sequence[int], offset: int) -> tuple[int, int]:
    """1-based (line, column) of a byte offset of ``data`` whose lines start at ``line_starts``;
    columns count code points."""
    line = bisect.bisect_right(line_starts, offset) - 1
    line_start = line_starts[line]
    col = len(decode(data[line_start:offset])) + 1
    return line + 1, col


class _BuildKitError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _line_starts(data: bytes) -> array[int]:
    """The byte offset where each line starts (split at LF only), as BuildKit's scanner reads."""
    starts = array("q")
    if data:
        starts.append(0)
    find = data.find
    at = find(b"\n")
    n = len(data)
    while 0 <= at < n - 1:
        starts.append(at + 1)
        at = find(b"\n", at + 1)
    return starts


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.escape = "\\"
        self._set_continuation("\\")
        self.directives: list[Directive] = []
        self.directives_done = False
        self.directives_end = 0
        self.comments = array("q")  # the line numbers of the comment lines
        self.warnings: list[str] = []
        self.instructions: list[Instruction] = []
        self.lines_read = 0
        self.starts = _line_starts(data)
        self.source = _Source(data, self.escape, self.starts)
        self.eager = len(data) <= EAGER_BYTES

    def _set_continuation(self, esc: str) -> None:
        e = re.escape(esc)
        self.continuation = re.compile(rf"([^{e}]){e}[ \t]*\Z|^{e}[ \t]*\Z", re.DOTALL)

    def line_end(self, i: int) -> int:
        """The byte offset just after line ``i``'s line ending (0-based ``i``)."""
        return self.starts[i + 1] if i + 1 < len(self.starts) else len(self.data)

    def line_text(self, i: int) -> str:
        """Line ``i`` decoded, without its line ending (trailing CR and LF trimmed, as BuildKit
        does)."""
        return decode(self.data[self.starts[i] : self.line_end(i)].rstrip(b"\r\n"))

    def possible_directive(self, text: str, line_no: int, skip: int) -> None:
        if self.directives_done:
            return
        match = _RE_DIRECTIVE.match(text)
        if match is None or match.group(1).lower() not in DIRECTIVE_KEYS:
            self.directives_done = True
            return
        key = match.group(1).lower()
        if any(d.key == key for d in self.directives):
            raise _BuildKitError(f"only one {key} parser directive can be used", line_no)
        value = match.group(2)
        if key == "escape":
            if value not in ("`", "\\"):
                raise _BuildKitError(
                    f"invalid escape token '{value}' does not match ` or \\", line_no
                )
            self.escape = value
            self.source.escape = value
            self._set_continuation(value)
        end = self.line_end(line_no - 1)
        self.directives.append(
            Directive(key, value, line_no, self.starts[line_no - 1] + skip, end)
        )
        self.directives_end = end

    def trim_continuation(self, text: str) -> tuple[str, bool]:
        match = self.continuation.search(text)
        if match is None:
            return text, True
        return text[: match.start()] + (match.group(1) or ""), False

    def read(self) -> Dockerfile:
        error: ParseError | None = None
        try:
            self.instructions.extend(self.each())
        except _BuildKitError as exc:
            error = ParseError(exc.message, exc.line)
        line_starts = self.starts
        if not line_starts:
            line_starts.append(0)
        if self.data.endswith(b"\n"):
            line_starts.append(len(self.data))
        if error is None and not self.instructions:
            error = self.no_instructions()
        return Dockerfile(
            data=self.data,
            escape=self.escape,
            directives=tuple(self.directives),
            directives_end=self.directives_end,
            instructions=tuple(self.instructions),
            # A small file's comments are read once; a large file's when asked for.
            comments=(
                tuple(Comments(self.source, self.comments))
                if self.eager
                else Comments(self.source, self.comments)
            ),
            line_starts=line_starts,
            error=error,
            warnings=tuple(self.warnings),
        )

    def no_instructions(self) -> ParseError:
        # BuildKit reports the last line it read (its scanner stops at a line too long).
        return ParseError("file with no instructions", max(self.lines_read, 1))

    def each(self) -> Iterator[Instruction]:
        """The instructions, one by one as they are read; raises ``_BuildKitError``."""
        too_long: int | None = None
        starts = self.starts
        data = self.data
        n = len(starts)
        for number in range(n if len(data) > MAX_LINE_BYTES else 0):
            end = self.line_end(number)
            length = end - starts[number]
            ended = data[end - 1 : end] == b"\n"
            if length > MAX_LINE_BYTES + 1 or (not ended and length > MAX_LINE_BYTES):
                # BuildKit's line scanner stops here; what was read before still counts.
                too_long = number
                n = number
                break
        self.lines_read = n
        found = False
        for instruction in self._read_logical_lines(n):
            found = True
            yield instruction
        if too_long is not None and found:
            raise _BuildKitError(
                f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES}", too_long + 1
            )

    def _read_logical_lines(self, n: int) -> Iterator[Instruction]:
        i = 0
        data = self.data
        starts = self.starts
        comments = self.comments
        while i < n:
            text = self.line_text(i)
            line_start = starts[i]
            skip_bytes = 0
            if i == 0 and data.startswith(BOM):
                text = text[1:] if text.startswith("\ufeff") else text
                skip_bytes = 3
            stripped = go_trim_left(text)
            lead = len(text) - len(stripped)
            if stripped.startswith("#"):
                comments.append(i + 1)
            self.possible_directive(stripped, i + 1, skip_bytes)
            if stripped.startswith("#"):
                i += 1
                continue
            first_text, end_of_line = self.trim_continuation(stripped)
            start_index = i
            if end_of_line and first_text == "":
                i += 1
                continue
            prefix = text[:lead]
            lead_bytes = len(prefix) if prefix.isascii() else len(encode(prefix))
            segments = [Segment(0, line_start + skip_bytes + lead_bytes, first_text)]
            logical = first_text
            empty_continuation = False
            continued = not end_of_line
            i += 1
            if continued:
                parts = [first_text]
                length = len(first_text)
                while not end_of_line and i < n:
                    ctext = self.line_text(i)
                    cont_start = starts[i]
                    i += 1
                    cstripped = go_trim_left(ctext)
                    if cstripped.startswith("#"):
                        comments.append(i)
                        continue
                    if cstripped == "":
                        empty_continuation = True
                        continue
                    piece, end_of_line = self.trim_continuation(ctext)
                    segments.append(Segment(length, cont_start, piece))
                    parts.append(piece)
                    length += len(piece)
                logical = "".join(parts)
            if empty_continuation:
                self.warnings.append(f"Empty continuation line found in: {logical}")
            start_line = start_index + 1
            try:
                node = _parse_logical(logical, self.escape)
            except _NodeError as exc:
                raise _BuildKitError(exc.message, start_line) from None
            heredocs: list[Heredoc] = []
            if node.can_contain_heredoc() and "<<" in logical:
                for name, expand, chomp, fd in _heredocs_from_line(logical, start_line):
                    body_start = starts[i] if i < n else len(data)
                    content_parts: list[str] = []
                    terminated = False
                    while i < n:
                        body_text = self.line_text(i)
                        body_at = starts[i]
                        i += 1
                        candidate = body_text.lstrip("\t") if chomp else body_text
                        if candidate == name:
                            heredocs.append(
                                Heredoc(name, "".join(content_parts), expand, chomp, fd,
                                        body_start, body_at)
                            )
                            terminated = True
                            break
                        content_parts.append(decode(data[body_at : self.line_end(i - 1)]))
                    if not terminated:
                        raise _BuildKitError("unterminated heredoc", start_line)
            yield _build_instruction(
                node,
                source=self.source,
                segments=tuple(segments),
                continued=continued,
                start=line_start + (skip_bytes if start_index == 0 else 0),
                end=self.line_end(i - 1),
                heredocs=tuple(heredocs) if heredocs else (),
                eager=self.eager,
            )


class Comments(Sequence[tuple[int, str]]):
    """The comment lines of a file as (line, text after ``#``), read from the file's bytes when
    asked for: only their line numbers are kept."""

    __slots__ = ("_lines", "_source")

    def __init__(self, source: _Source, lines: array[int]) -> None:
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


# --- the logical line ------------------------------------------------------------------------


class _NodeError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Word(NamedTuple):
    value: str
    start: int  # logical indices
    end: int


@dataclass(slots=True)
class _Node:
    keyword: str
    original: str
    base: int  # logical index of ``original`` within the whole line
    flags: list[_Word]
    values: list[_Word]
    json: bool
    sub: _Node | None
    args: _Word

    def can_contain_heredoc(self) -> bool:
        node = self
        if node.keyword.lower() == "onbuild" and node.sub is not None:
            node = node.sub
        return node.keyword.lower() in HEREDOC_KEYWORDS and not node.json


def _parse_logical(line: str, escape: str, base: int = 0) -> _Node:
    trimmed, cut = go_trim_space(line)
    match = _RE_WHITESPACE.search(trimmed)
    keyword = trimmed if match is None else trimmed[: match.start()]
    flags: list[_Word] = []
    rest_start = cut + len(trimmed)
    rest = ""
    if match is not None:
        after = cut + match.end()
        remaining, flags, consumed = _extract_flags(line[after : cut + len(trimmed)], after)
        rest, lcut = go_trim_space(remaining)
        rest_start = after + consumed + lcut
    args = _Word(rest, base + rest_start, base + rest_start + len(rest))
    node = _Node(keyword, line, base, [_shift(w, base) for w in flags], [], False, None, args)
    kind = keyword.lower()
    values, is_json, has_sub = _dispatch(kind, rest, rest_start, escape, line)
    node.values = [_shift(w, base) for w in values]
    node.json = is_json
    if has_sub:
        node.sub = _parse_logical(rest, escape, base + rest_start)
    return node


def _shift(word: _Word, base: int) -> _Word:
    return _Word(word.value, word.start + base, word.end + base) if base else word


def _byte_view(text: str) -> tuple[str, list[int] | None]:
    """``text`` as Go code that walks a string by byte index sees it: one character per byte,
    ``rune(s[i])`` (Latin-1). Also each character's byte offset, plus the total (None for ASCII,
    where characters and bytes coincide)."""
    if text.isascii():
        return text, None
    starts: list[int] = []
    pos = 0
    for ch in text:
        starts.append(pos)
        pos += 1 if ch < "\x80" else len(encode(ch))
    starts.append(pos)
    return encode(text).decode("latin-1"), starts


def _char_at(starts: list[int] | None, byte_pos: int) -> int:
    """The index of the character holding byte ``byte_pos``."""
    return byte_pos if starts is None else bisect.bisect_right(starts, byte_pos) - 1


def _text_from(text: str, starts: list[int] | None, byte_pos: int) -> tuple[str, int]:
    """Go's ``s[byte_pos:]`` and the character index it starts at. A cut inside a character keeps
    its remaining bytes (as surrogate escapes); the index is then shifted back so that the
    characters after it keep their places."""
    if starts is None:
        return text[byte_pos:], byte_pos
    char = _char_at(starts, byte_pos)
    if starts[char] == byte_pos:
        return text[char:], char
    tail = decode(encode(text[char])[byte_pos - starts[char] :])
    return tail + text[char + 1 :], char + 1 - len(tail)


def _extract_flags(text: str, base: int) -> tuple[str, list[_Word], int]:
    """BuildKit's extractBuilderFlags: leading ``--name[=value]`` words, quote-processed.

    It walks the line byte by byte: a non-ASCII byte becomes ``string(rune(b))``, so a non-ASCII
    flag value comes out Latin-1-decoded (``--chown=é`` gives ``--chown=Ã©``), and the bytes 0x85
    and 0xA0 inside a UTF-8 character end a word. Both are reproduced. Returns the rest of the
    line, the flags, and the character index where the rest starts.
    """
    chars, starts = _byte_view(text)
    words: list[_Word] = []
    pos = 0
    n = len(chars)
    while True:
        while pos < n and chars[pos] in _GO_BYTE_SPACE:
            pos += 1
        if pos >= n:
            return "", words, len(text)
        if not chars.startswith("--", pos):
            rest, at = _text_from(text, starts, pos)
            return rest, words, at
        start = pos
        word: list[str] = []
        blank_ok = False
        quote = ""
        while pos < n:
            ch = chars[pos]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\":
                    if pos + 1 == n:
                        quote = ""
                    else:
                        pos += 1
                        word.append(chars[pos])
                else:
                    word.append(ch)
                pos += 1
                continue
            if ch in _GO_BYTE_SPACE:
                break
            if ch in "'\"":
                quote = ch
                blank_ok = True
            elif ch == "\\":
                if pos + 1 < n:
                    pos += 1
                    word.append(chars[pos])
            else:
                word.append(ch)
            pos += 1
        value = "".join(word)
        if value == "--":
            if pos >= n:
                return "", words, len(text)
            rest, at = _text_from(text, starts, pos)
            return rest, words, at
        if blank_ok or value:
            words.append(_Word(value, base + _char_at(starts, start), base + _char_at(starts, pos)))


def _dispatch(
    kind: str, rest: str, rest_start: int, escape: str, line: str
) -> tuple[list[_Word], bool, bool]:
    """Returns (values, json, has_sub) following BuildKit's dispatch table."""
    if kind in ("cmd", "entrypoint", "run", "shell"):
        if rest == "":
            return [], False, False
        parsed = _parse_json(rest, rest_start)
        if parsed is not None:
            return parsed, True, False
        return [_Word(rest, rest_start, rest_start + len(rest))], False, False
    if kind in ("add", "copy", "volume"):
        parsed = _parse_json(rest, rest_start)
        if parsed is not None:
            return parsed, True, False
        return _split_whitespace(rest, rest_start), False, False
    if kind in ("expose", "from"):
        return _split_whitespace(rest, rest_start), False, False
    if kind == "arg":
        return _parse_words(rest, rest_start, escape), False, False
    if kind in ("env", "label"):
        return _parse_name_val(rest, rest_start, escape, kind.upper()), False, False
    if kind in ("maintainer", "stopsignal", "user", "workdir"):
        if rest == "":
            return [], False, False
        return [_Word(rest, rest_start, rest_start + len(rest))], False, False
    if kind == "healthcheck":
        return _parse_health(rest, rest_start)
    if kind == "onbuild":
        return [], False, rest != ""
    return [_Word("", rest_start, rest_start)], False, False


def _split_whitespace(rest: str, base: int) -> list[_Word]:
    if rest == "":
        return []
    words: list[_Word] = []
    pos = 0
    for match in _RE_WHITESPACE.finditer(rest):
        words.append(_Word(rest[pos : match.start()], base + pos, base + match.start()))
        pos = match.end()
    words.append(_Word(rest[pos:], base + pos, base + len(rest)))
    return words


_JSON_BLANK = " \t\n\r"
_JSON_ESCAPES = {
    '"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"
}
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_JSON_HEX = frozenset("0123456789abcdefABCDEF")
_JSON_MAX_DEPTH = 10000  # encoding/json's maxNestingDepth


def _json_hex4(text: str, pos: int) -> int | None:
    digits = text[pos : pos + 4]
    if len(digits) == 4 and all(c in _JSON_HEX for c in digits):
        return int(digits, 16)
    return None


def _json_string(text: str, pos: int) -> tuple[str, int] | None:
    """The JSON string literal at ``pos``: (value, end), or None on a syntax error. Decoded as Go
    does: a ``\\u`` escape of a lone surrogate becomes U+FFFD. Bytes that are not UTF-8 stay as
    they are (surrogate escapes), where Go would put U+FFFD."""
    out: list[str] = []
    i = pos + 1
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            return "".join(out), i + 1
        if ch < " ":
            return None
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        esc = text[i + 1 : i + 2]
        if esc in _JSON_ESCAPES:
            out.append(_JSON_ESCAPES[esc])
            i += 2
            continue
        code = _json_hex4(text, i + 2) if esc == "u" else None
        if code is None:
            return None
        i += 6
        if 0xD800 <= code < 0xE000:
            low = _json_hex4(text, i + 2) if text.startswith("\\u", i) else None
            if code < 0xDC00 and low is not None and 0xDC00 <= low < 0xE000:
                out.append(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
                i += 6
            else:
                out.append("\ufffd")
            continue
        out.append(chr(code))
    return None


class _JsonArray(NamedTuple):
    items: list[tuple[str | None, int, int]]  # top-level elements: string value (None if not a
    # string) and the span of its literal
    numbers_fit: bool  # every number fits a float64 (Go's decoder fails on the others)


def _scan_json_array(text: str) -> _JsonArray | None:
    """What Go's ``json.NewDecoder(…).Decode(&[]interface{})`` reads from ``text`` (which starts
    with ``[``): one array, anything after it ignored. None on a syntax error."""
    items: list[tuple[str | None, int, int]] = []
    numbers_fit = True
    stack: list[str] = []
    state = "value"  # value | first-value | key | first-key | colon | after
    pos = 0
    n = len(text)
    while True:
        if state == "after" and not stack:
            return _JsonArray(items, numbers_fit)
        while pos < n and text[pos] in _JSON_BLANK:
            pos += 1
        if pos >= n:
            return None
        ch = text[pos]
        if state == "after":
            closing = "]" if stack[-1] == "[" else "}"
            if ch == ",":
                state = "value" if stack[-1] == "[" else "key"
            elif ch == closing:
                stack.pop()
            else:
                return None
            pos += 1
        elif state == "colon":
            if ch != ":":
                return None
            state = "value"
            pos += 1
        elif state in ("key", "first-key"):
            if ch == "}" and state == "first-key":
                stack.pop()
                state = "after"
                pos += 1
            elif ch == '"':
                key = _json_string(text, pos)
                if key is None:
                    return None
                pos = key[1]
                state = "colon"
            else:
                return None
        elif ch == "]" and state == "first-value":
            stack.pop()
            state = "after"
            pos += 1
        elif ch in "[{":
            if len(stack) >= _JSON_MAX_DEPTH:
                return None
            if len(stack) == 1:
                items.append((None, pos, pos + 1))
            stack.append(ch)
            state = "first-value" if ch == "[" else "first-key"
            pos += 1
        elif not stack:
            return None
        else:
            start = pos
            value: str | None = None
            if ch == '"':
                literal = _json_string(text, pos)
                if literal is None:
                    return None
                value, pos = literal
            elif ch == "-" or "0" <= ch <= "9":
                match = _JSON_NUMBER.match(text, pos)
                if match is None:
                    return None
                if math.isinf(float(match.group())):
                    numbers_fit = False
                pos = match.end()
            else:
                for word in ("true", "false", "null"):
                    if text.startswith(word, pos):
                        pos += len(word)
                        break
                else:
                    return None
            if len(stack) == 1:
                items.append((value, start, pos))
            state = "after"


def _parse_json(rest: str, base: int) -> list[_Word] | None:
    """Exec form: a JSON array of strings. ``None`` when it is not JSON (shell form)."""
    stripped = go_trim_left(rest)
    if not stripped.startswith("["):
        return None
    parsed = _scan_json_array(stripped)
    if parsed is None or not parsed.numbers_fit:
        return None
    lead = len(rest) - len(stripped)
    words: list[_Word] = []
    for value, start, end in parsed.items:
        if value is None:
            raise _NodeError(
                "when using JSON array syntax, arrays must be comprised of strings only"
            )
        words.append(_Word(value, base + lead + start, base + lead + end))
    return words


def _parse_words(rest: str, base: int, escape: str) -> list[_Word]:
    """BuildKit's parseWords: split on blanks outside quotes; quotes and escapes are kept."""
    words: list[_Word] = []
    word: list[str] = []
    in_word = False
    quote = ""
    blank_ok = False
    start = 0
    pos = 0
    n = len(rest)
    while pos < n:
        ch = rest[pos]
        if not in_word:
            if ch in _GO_SPACE:
                pos += 1
                continue
            in_word = True
            start = pos
        if quote:
            if ch == quote:
                quote = ""
            if ch == escape and quote != "'":
                if pos + 1 == n:
                    quote = ""
                    pos += 1
                    continue
                word.append(ch)
                pos += 1
                ch = rest[pos]
            word.append(ch)
            pos += 1
            continue
        if ch in _GO_SPACE:
            if blank_ok or word:
                words.append(_Word("".join(word), base + start, base + pos))
            word = []
            blank_ok = False
            in_word = False
            pos += 1
            continue
        if ch in "'\"":
            quote = ch
            blank_ok = True
        if ch == escape:
            if pos + 1 == n:
                pos += 1
                continue
            word.append(ch)
            pos += 1
            ch = rest[pos]
        word.append(ch)
        pos += 1
    if in_word and (blank_ok or word):
        words.append(_Word("".join(word), base + start, base + n))
    return words


def _parse_name_val(rest: str, base: int, escape: str, key: str) -> list[_Word]:
    words = _parse_words(rest, base, escape)
    if not words:
        return []
    if "=" not in words[0].value:
        match = _RE_WHITESPACE.search(rest)
        if match is None:
            raise _NodeError(f"{key} must have two arguments")
        name = rest[: match.start()]
        value = rest[match.end() :]
        return [
            _Word(name, base, base + match.start()),
            _Word(value, base + match.end(), base + len(rest)),
            _Word("", base + match.start(), base + match.start()),
        ]
    values: list[_Word] = []
    for word in words:
        if "=" not in word.value:
            raise _NodeError(
                f'Syntax error - can\'t find = in "{word.value}". Must be of the form: name=value'
            )
        name, _, value = word.value.partition("=")
        # Quotes and escapes stay in the value, so the raw text maps one-to-one onto it,
        # except where an escape token ended the text (it is dropped).
        eq = word.start + rest[word.start - base : word.end - base].index("=")
        values.append(_Word(name, word.start, eq))
        values.append(_Word(value, eq + 1, word.end))
        values.append(_Word("=", eq, eq + 1))
    return values


def _parse_health(rest: str, base: int) -> tuple[list[_Word], bool, bool]:
    """BuildKit's parseHealthConfig, which also finds the blanks byte by byte."""
    chars, starts = _byte_view(rest)
    sep = 0
    while sep < len(chars) and chars[sep] not in _GO_BYTE_SPACE:
        sep += 1
    if sep == 0:
        return [], False, False
    nxt = sep
    while nxt < len(chars) and chars[nxt] in _GO_BYTE_SPACE:
        nxt += 1
    kind = rest[:sep] if starts is None else decode(encode(rest)[:sep])
    typ = _Word(kind, base, base + _char_at(starts, sep))
    cmd_text, cmd_at = _text_from(rest, starts, nxt)
    values, is_json, _ = _dispatch("cmd", cmd_text, base + cmd_at, "\\", rest)
    return [typ, *values], is_json, False


def _parse_fd(digits: str) -> int:
    """A heredoc's file descriptor as BuildKit reads it: ``strconv.ParseUint(s, 10, 0)`` with the
    error ignored (``frontend/dockerfile/parser/parser.go`` ``heredocsFromLine``), which gives the
    largest uint64 on overflow. Checked by length first: Python refuses to convert over 4,300
    digits."""
    digits = digits.lstrip("0")
    if len(digits) > 20 or int(digits or "0") > _MAX_UINT64:
        return _MAX_UINT64
    return int(digits or "0")


def _heredocs_from_line(line: str, line_no: int) -> list[tuple[str, bool, bool, int]]:
    docs: list[tuple[str, bool, bool, int]] = []
    for word in shellwords.split(line, raw_quotes=True, raw_escapes=True, heredoc=True):
        match = _RE_HEREDOC.match(word)
        if match is None:
            continue
        fd = _parse_fd(match.group(1))
        chomp = match.group(2) == "-"
        rest = match.group(3)
        if rest == "":
            continue
        plain = shellwords.split(rest, raw_quotes=False, raw_escapes=False, heredoc=True)
        if len(plain) != 1:
            continue
        raw = shellwords.split(rest, raw_quotes=True, raw_escapes=False, heredoc=True)
        name = plain[0]
        quotes_plain = name.count("'") + name.count('"')
        quotes_raw = raw[0].count("'") + raw[0].count('"') if raw else quotes_plain
        docs.append((name, quotes_plain == quotes_raw, chomp, fd))
    return docs


def _token(segments: Sequence[Segment], word: _Word) -> Token:
    """A word of the logical line placed in the file's bytes."""
    start = offset_in_segments(segments, word.start)
    if word.end <= word.start:
        return Token(word.value, start, start)
    return Token(word.value, start, offset_in_segments(segments, word.end, end=True))


def _build_instruction(
    node: _Node,
    *,
    source: _Source,
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
    flags = tuple([_token(segments, w) for w in node.flags]) if node.flags else ()
    if not (full or flags or node.json or heredocs or continued):
        return Instruction(source, keyword, start, end, None)
    values = tuple([_token(segments, w) for w in node.values]) if full else None
    sub = None
    if node.sub is not None:
        sub = _build_instruction(
            node.sub, source=source, segments=segments, continued=continued, start=start,
            end=end, heredocs=heredocs, eager=True,
        )
    extra = _Extra(flags, node.json, heredocs, sub, segments if full or continued else None)
    if full:
        extra.original = node.original
        extra.args = _token(segments, node.args)
    return Instruction(source, keyword, start, end, extra, values)


def each_instruction(data: bytes) -> Iterator[Instruction | ParseError]:
    """The instructions of ``data`` one by one as they are read, without keeping them (for one
    pass over a large file), then the ``ParseError`` that ``read`` would report, if any."""
    reader = _Reader(data)
    found = False
    try:
        for instruction in reader.each():
            found = True
            yield instruction
    except _BuildKitError as exc:
        yield ParseError(exc.message, exc.line)
        return
    if not found:
        yield reader.no_instructions()


def read(data: bytes) -> Dockerfile:
    """Read Dockerfile bytes. Never raises on any input: problems BuildKit would reject are
    reported in ``Dockerfile.error`` along with everything read before them."""
    return _Reader(data).read()
