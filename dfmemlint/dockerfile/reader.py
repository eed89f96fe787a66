"""Read a Dockerfile the way BuildKit's parser does, keeping every byte's position.

Bytes in, spans out. Each instruction keeps its byte span in the file and each argument token
(flags, ENV/ARG/LABEL keys and values, JSON array elements, heredoc bodies) its own byte span, so
that rules can report exact columns and the fixer can splice edits into the original bytes.
Nothing here re-serialises an instruction. The rules are those of moby/buildkit's
``frontend/dockerfile/parser`` (see PARSING.md in the project's shared notes).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence

from dfmemlint.dockerfile.instruction import (
    Comments,
    Heredoc,
    Instruction,
    Segment,
    Source,
    Token,
    build_instruction,
    offset_in_segments,
)
from dfmemlint.dockerfile.line_parsers import (
    HEREDOC_KEYWORDS,
    NodeError,
    heredocs_from_line,
    node_from_line,
)
from dfmemlint.dockerfile.text import (
    BOM,
    decode,
    displayable,
    encode,
    go_trim_left,
    go_trim_space,
    is_go_space,
    line_col,
)
from dfmemlint.records import Record

__all__ = [
    "BOM",
    "DIRECTIVE_KEYS",
    "EAGER_BYTES",
    "HEREDOC_KEYWORDS",
    "MAX_LINE_BYTES",
    "Comments",
    "Directive",
    "Dockerfile",
    "Heredoc",
    "Instruction",
    "ParseError",
    "Segment",
    "Token",
    "decode",
    "displayable",
    "each_instruction",
    "encode",
    "go_trim_left",
    "go_trim_space",
    "is_go_space",
    "line_col",
    "offset_in_segments",
    "read",
]

MAX_LINE_BYTES = 65535  # bufio.MaxScanTokenSize - 1: BuildKit rejects longer physical lines
DIRECTIVE_KEYS = frozenset({"syntax", "escape", "check"})
# A file up to this size keeps every token from its first reading; a larger one reads them again
# when they are asked for (a 10 MiB file holds some 300,000 instructions, most of them in
# stages no rule looks at).
EAGER_BYTES = 1 << 18
# Go's RE2 \s, ASCII-only: what BuildKit's directive pattern allows around the key and ``=``.
_RE2_SPACE = "\t\n\f\r "


def directive_of(text: str) -> tuple[str, str] | None:
    """(key as written, value) of a parser directive line, or ``None``: BuildKit's
    ``reDirective``/``directiveParser.parseLine`` (frontend/dockerfile/parser/directives.go), the
    pattern ``^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$`` read by hand (compiling it was a
    measurable share of the start-up; tests/test_reader_by_hand.py holds the two equal). A value
    of blanks alone is its last blank, as the lazy ``(.+?)`` leaves it."""
    if not text.startswith("#"):
        return None
    rest = text[1:].lstrip(_RE2_SPACE)
    equals = rest.find("=")
    if equals <= 0:
        return None
    key = rest[:equals].rstrip(_RE2_SPACE)
    if not (key.isascii() and key.isalnum() and key[0].isalpha()):
        return None
    after = rest[equals + 1 :]
    value = after.strip(_RE2_SPACE)
    if not value:
        return (key, after[-1]) if after else None
    return key, value


class ParseError(Record):
    message: str
    line: int  # 1-based


class Directive(Record):
    key: str  # lower case
    value: str
    line: int
    start: int
    end: int


class Dockerfile(Record):
    """A Dockerfile as BuildKit's parser reads it: the bytes, the parser directives, the
    instructions in order, every comment line, the byte offset of each line start and the first
    parse error BuildKit would stop at (None when the file parses)."""

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
    """BuildKit's ``Parse`` (``frontend/dockerfile/parser/parser.go``): physical lines as its
    scanner gives them, parser directives (``directives.possibleParserDirective``), comment
    and blank lines inside a continuation (``isComment``, ``isEmptyContinuationLine``), the
    continuation itself (``trimContinuationCharacter``), then each logical line
    (``newNodeFromLine``) and the bodies of its heredocs."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.escape = "\\"
        self.directives: list[Directive] = []
        self.directives_done = False
        self.directives_end = 0
        self.comments = array("q")  # the line numbers of the comment lines
        self.warnings: list[str] = []
        self.instructions: list[Instruction] = []
        self.lines_read = 0
        self.starts = _line_starts(data)
        self.source = Source(data, self.escape, self.starts)
        self.eager = len(data) <= EAGER_BYTES

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
        found = directive_of(text)
        if found is None or found[0].lower() not in DIRECTIVE_KEYS:
            self.directives_done = True
            return
        key = found[0].lower()
        if any(d.key == key for d in self.directives):
            raise _BuildKitError(f"only one {key} parser directive can be used", line_no)
        value = found[1]
        if key == "escape":
            if value not in ("`", "\\"):
                raise _BuildKitError(
                    f"invalid escape token '{value}' does not match ` or \\", line_no
                )
            self.escape = value
            self.source.escape = value
        end = self.line_end(line_no - 1)
        self.directives.append(
            Directive(key, value, line_no, self.starts[line_no - 1] + skip, end)
        )
        self.directives_end = end

    def trim_continuation(self, text: str) -> tuple[str, bool]:
        """``text`` without its line continuation, and whether the logical line ends here:
        BuildKit's ``trimContinuationCharacter`` with the pattern ``setEscapeToken`` compiles
        (parser.go), ``([^\\\\])\\\\[ \\t]*$|^\\\\[ \\t]*$`` for the escape ``\\`` (or `````), read
        by hand: the escape, then only blanks, ends the line unless an escape comes just before
        it."""
        kept = text.rstrip(" \t")
        if not kept.endswith(self.escape) or kept[-2:-1] == self.escape:
            return text, True
        return kept[:-1], False

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
                node = node_from_line(logical, self.escape)
            except NodeError as exc:
                raise _BuildKitError(exc.message, start_line) from None
            heredocs: list[Heredoc] = []
            if node.can_contain_heredoc() and "<<" in logical:
                for name, expand, chomp, fd in heredocs_from_line(logical, start_line):
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
            yield build_instruction(
                node,
                source=self.source,
                segments=tuple(segments),
                continued=continued,
                start=line_start + (skip_bytes if start_index == 0 else 0),
                end=self.line_end(i - 1),
                heredocs=tuple(heredocs) if heredocs else (),
                eager=self.eager,
            )



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
