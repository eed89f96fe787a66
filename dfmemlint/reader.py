"""Read a Dockerfile the way BuildKit's parser does, keeping every byte's position.

Bytes in, spans out. Each instruction keeps its byte span in the file and each argument token
(flags, ENV/ARG/LABEL keys and values, JSON array elements, heredoc bodies) its own byte span, so
that rules can report exact columns and the fixer can splice edits into the original bytes.
Nothing here re-serialises an instruction. The rules are those of moby/buildkit's
``frontend/dockerfile/parser`` (see PARSING.md in the project's shared notes).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from dfmemlint import shellwords

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

HEREDOC_KEYWORDS = frozenset({"run", "copy", "add"})
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)


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
    """A piece of the logical line: ``text`` starts at logical index ``index`` and byte ``offset``."""

    index: int
    offset: int
    text: str


@dataclass(frozen=True)
class Instruction:
    keyword: str  # as written
    original: str  # BuildKit's joined logical line
    start: int  # byte span: first byte of the instruction's first line ...
    end: int  # ... up to and including the line ending of its last line
    start_line: int
    end_line: int
    flags: tuple[Token, ...]
    values: tuple[Token, ...]
    json: bool
    heredocs: tuple[Heredoc, ...]
    sub: Instruction | None
    args: Token  # the argument text after keyword and flags (BuildKit's ``rest``)
    segments: tuple[Segment, ...] = field(repr=False)

    @property
    def cmd(self) -> str:
        """The keyword in upper case (``ONBUILD``'s own keyword, not its inner one)."""
        return self.keyword.upper()

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


def offset_in_segments(segments: Sequence[Segment], index: int) -> int:
    chosen = segments[0]
    for seg in segments:
        if seg.index <= index:
            chosen = seg
        else:
            break
    within = index - chosen.index
    if within > len(chosen.text):
        within = len(chosen.text)
    prefix = chosen.text[:within]
    return chosen.offset + (len(prefix) if prefix.isascii() else len(encode(prefix)))


@dataclass(frozen=True)
class Dockerfile:
    data: bytes
    escape: str
    directives: tuple[Directive, ...]
    directives_end: int  # byte offset just after the parser-directive block
    instructions: tuple[Instruction, ...]
    comments: tuple[tuple[int, str], ...]  # (line, text after '#') of every comment line
    line_starts: tuple[int, ...]  # byte offset of each line start (index 0 = line 1)
    error: ParseError | None
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.error is None

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a byte offset; columns count code points."""
        import bisect

        line = bisect.bisect_right(self.line_starts, offset) - 1
        line_start = self.line_starts[line]
        col = len(decode(self.data[line_start:offset])) + 1
        return line + 1, col

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


class _Line(NamedTuple):
    start: int  # byte offset of the line
    end: int  # byte offset after its line ending
    text: str  # decoded, without the line ending (trailing \r and \n trimmed, as BuildKit does)
    content_end: int  # byte offset where the trimmed text ends


class _BuildKitError(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def _split_lines(data: bytes) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    n = len(data)
    while pos < n:
        nl = data.find(b"\n", pos)
        end = n if nl < 0 else nl + 1
        raw = data[pos:end]
        trimmed = raw.rstrip(b"\r\n")
        lines.append(_Line(pos, end, decode(trimmed), pos + len(trimmed)))
        pos = end
    return lines


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.escape = "\\"
        self._set_continuation("\\")
        self.directives: list[Directive] = []
        self.directives_done = False
        self.directives_end = 0
        self.comments: list[tuple[int, str]] = []
        self.warnings: list[str] = []
        self.instructions: list[Instruction] = []

    def _set_continuation(self, esc: str) -> None:
        e = re.escape(esc)
        self.continuation = re.compile(rf"([^{e}]){e}[ \t]*\Z|^{e}[ \t]*\Z", re.DOTALL)

    def possible_directive(self, text: str, line_no: int, line: _Line, skip: int) -> None:
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
            self._set_continuation(value)
        self.directives.append(Directive(key, value, line_no, line.start + skip, line.end))
        self.directives_end = line.end

    def trim_continuation(self, text: str) -> tuple[str, bool]:
        match = self.continuation.search(text)
        if match is None:
            return text, True
        return text[: match.start()] + (match.group(1) or ""), False

    def read(self) -> Dockerfile:
        lines = _split_lines(self.data)
        error: ParseError | None = None
        try:
            self._read_lines(lines)
        except _BuildKitError as exc:
            error = ParseError(exc.message, exc.line)
        line_starts = tuple(line.start for line in lines) or (0,)
        if self.data.endswith(b"\n"):
            line_starts = (*line_starts, len(self.data))
        if error is None and not self.instructions:
            error = ParseError("file with no instructions", max(len(lines), 1))
        return Dockerfile(
            data=self.data,
            escape=self.escape,
            directives=tuple(self.directives),
            directives_end=self.directives_end,
            instructions=tuple(self.instructions),
            comments=tuple(self.comments),
            line_starts=line_starts,
            error=error,
            warnings=tuple(self.warnings),
        )

    def _read_lines(self, lines: list[_Line]) -> None:
        too_long: int | None = None
        for number, line in enumerate(lines):
            length = line.end - line.start
            ended = self.data[line.end - 1 : line.end] == b"\n"
            if length > MAX_LINE_BYTES + 1 or (not ended and length > MAX_LINE_BYTES):
                # BuildKit's line scanner stops here; what was read before still counts.
                too_long = number
                lines = lines[:number]
                break
        self._read_logical_lines(lines)
        if too_long is not None and self.instructions:
            raise _BuildKitError(
                f"dockerfile line greater than max allowed size of {MAX_LINE_BYTES}", too_long + 1
            )

    def _read_logical_lines(self, lines: list[_Line]) -> None:
        i = 0
        n = len(lines)
        while i < n:
            line = lines[i]
            text = line.text
            skip_bytes = 0
            if i == 0 and self.data.startswith(BOM):
                text = text[1:] if text.startswith("\ufeff") else text
                skip_bytes = 3
            stripped = go_trim_left(text)
            lead = len(text) - len(stripped)
            if stripped.startswith("#"):
                self.comments.append((i + 1, stripped[1:]))
            self.possible_directive(stripped, i + 1, line, skip_bytes)
            if stripped.startswith("#"):
                i += 1
                continue
            first_text, end_of_line = self.trim_continuation(stripped)
            start_index = i
            if end_of_line and first_text == "":
                i += 1
                continue
            prefix = text[:lead]
            seg_offset = line.start + skip_bytes + (len(prefix) if prefix.isascii() else len(encode(prefix)))
            segments = [Segment(0, seg_offset, first_text)]
            parts = [first_text]
            length = len(first_text)
            empty_continuation = False
            i += 1
            while not end_of_line and i < n:
                cont = lines[i]
                i += 1
                ctext = cont.text
                cstripped = go_trim_left(ctext)
                if cstripped.startswith("#"):
                    self.comments.append((i, cstripped[1:]))
                    continue
                if cstripped == "":
                    empty_continuation = True
                    continue
                piece, end_of_line = self.trim_continuation(ctext)
                segments.append(Segment(length, cont.start, piece))
                parts.append(piece)
                length += len(piece)
            logical = "".join(parts)
            if empty_continuation:
                self.warnings.append(f"Empty continuation line found in: {logical}")
            start_line = start_index + 1
            end_line = i
            try:
                node = _parse_logical(logical, self.escape)
            except _NodeError as exc:
                raise _BuildKitError(exc.message, start_line) from None
            heredocs: list[Heredoc] = []
            if node.can_contain_heredoc() and "<<" in logical:
                for name, expand, chomp, fd in _heredocs_from_line(logical, start_line):
                    body_start = lines[i].start if i < n else len(self.data)
                    content_parts: list[str] = []
                    terminated = False
                    while i < n:
                        body = lines[i]
                        i += 1
                        candidate = body.text.lstrip("\t") if chomp else body.text
                        if candidate == name:
                            heredocs.append(
                                Heredoc(
                                    name,
                                    "".join(content_parts),
                                    expand,
                                    chomp,
                                    fd,
                                    body_start,
                                    body.start,
                                )
                            )
                            terminated = True
                            break
                        content_parts.append(decode(self.data[body.start : body.end]))
                    if not terminated:
                        raise _BuildKitError("unterminated heredoc", start_line)
                end_line = i
            end = lines[i - 1].end
            self.instructions.append(
                _build_instruction(
                    node,
                    segments=tuple(segments),
                    start=line.start + (skip_bytes if start_index == 0 else 0),
                    end=end,
                    start_line=start_line,
                    end_line=end_line,
                    heredocs=tuple(heredocs),
                )
            )


# --- the logical line ------------------------------------------------------------------------


class _NodeError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Word(NamedTuple):
    value: str
    start: int  # logical indices
    end: int


@dataclass
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


def _extract_flags(text: str, base: int) -> tuple[str, list[_Word], int]:
    """BuildKit's extractBuilderFlags: leading ``--name[=value]`` words, quote-processed."""
    words: list[_Word] = []
    pos = 0
    n = len(text)
    while True:
        while pos < n and text[pos] in _GO_SPACE:
            pos += 1
        if pos >= n:
            return "", words, n
        if not text.startswith("--", pos):
            return text[pos:], words, pos
        start = pos
        word: list[str] = []
        blank_ok = False
        quote = ""
        while pos < n:
            ch = text[pos]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\":
                    if pos + 1 == n:
                        quote = ""
                    else:
                        pos += 1
                        word.append(text[pos])
                else:
                    word.append(ch)
                pos += 1
                continue
            if ch in _GO_SPACE:
                break
            if ch in "'\"":
                quote = ch
                blank_ok = True
            elif ch == "\\":
                if pos + 1 < n:
                    pos += 1
                    word.append(text[pos])
            else:
                word.append(ch)
            pos += 1
        value = "".join(word)
        if value == "--":
            if pos >= n:
                return "", words, n
            return text[pos:], words, pos
        if blank_ok or value:
            words.append(_Word(value, base + start, base + pos))


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


class _NotStrings(Exception):
    pass


def _reject_constant(name: str) -> object:
    raise ValueError(name)


def _parse_json(rest: str, base: int) -> list[_Word] | None:
    """Exec form: a JSON array of strings. ``None`` when it is not JSON (shell form)."""
    stripped = go_trim_left(rest)
    if not stripped.startswith("["):
        return None
    lead = len(rest) - len(stripped)
    try:
        parsed = json.loads(stripped, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    if not isinstance(parsed, list):
        return None
    if not all(isinstance(item, str) for item in parsed):
        raise _NodeError("when using JSON array syntax, arrays must be comprised of strings only")
    words: list[_Word] = []
    for item, match in zip(parsed, _JSON_STRING.finditer(stripped)):
        words.append(_Word(item, base + lead + match.start(), base + lead + match.end()))
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
    sep = 0
    while sep < len(rest) and not is_go_space(rest[sep]):
        sep += 1
    if sep == 0:
        return [], False, False
    nxt = sep
    while nxt < len(rest) and is_go_space(rest[nxt]):
        nxt += 1
    typ = _Word(rest[:sep], base, base + sep)
    cmd_text = rest[nxt:]
    values, is_json, _ = _dispatch("cmd", cmd_text, base + nxt, "\\", rest)
    return [typ, *values], is_json, False


def _heredocs_from_line(line: str, line_no: int) -> list[tuple[str, bool, bool, int]]:
    docs: list[tuple[str, bool, bool, int]] = []
    for word in shellwords.split(line, raw_quotes=True, raw_escapes=True, heredoc=True):
        match = _RE_HEREDOC.match(word)
        if match is None:
            continue
        fd = int(match.group(1)) if match.group(1) else 0
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


def _build_instruction(
    node: _Node,
    *,
    segments: tuple[Segment, ...],
    start: int,
    end: int,
    start_line: int,
    end_line: int,
    heredocs: tuple[Heredoc, ...],
) -> Instruction:
    def tok(word: _Word) -> Token:
        return Token(
            word.value,
            offset_in_segments(segments, word.start),
            offset_in_segments(segments, word.end),
        )

    sub = None
    if node.sub is not None:
        sub = _build_instruction(
            node.sub,
            segments=segments,
            start=start,
            end=end,
            start_line=start_line,
            end_line=end_line,
            heredocs=heredocs,
        )
    return Instruction(
        keyword=node.keyword,
        original=node.original,
        start=start,
        end=end,
        start_line=start_line,
        end_line=end_line,
        flags=tuple(tok(w) for w in node.flags),
        values=tuple(tok(w) for w in node.values),
        json=node.json,
        heredocs=heredocs,
        sub=sub,
        args=tok(node.args),
        segments=segments,
    )


def read(data: bytes) -> Dockerfile:
    """Read Dockerfile bytes. Never raises on any input: problems BuildKit would reject are
    reported in ``Dockerfile.error`` along with everything read before them."""
    return _Reader(data).read()
