"""One logical line as BuildKit's parser reads it: the keyword, the builder flags, and the
arguments split by the dispatch table of ``frontend/dockerfile/parser/line_parsers.go``
(``parseStringsWhitespaceDelimited``, ``parseMaybeJSON``, ``parseWords``, ``parseNameVal``,
``parseHealthConfig``), with ``extractBuilderFlags`` of ``split_command.go`` and
``heredocsFromLine`` of ``parser.go``. Every word keeps its logical-line index span."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from dfmemlint.dockerfile import shellwords
from dfmemlint.dockerfile.json_array import scan_json_array
from dfmemlint.dockerfile.text import (
    GO_BYTE_SPACE,
    GO_SPACE,
    decode,
    encode,
    go_trim_left,
    go_trim_space,
)
from dfmemlint.records import Record

HEREDOC_KEYWORDS = frozenset({"run", "copy", "add"})
# BuildKit splits on the pattern [\t\v\f\r ]+ (parser.go ``reWhitespace``); read by hand below.
_BLANKS_TO_SPACE = str.maketrans("\t\v\f\r", "    ")
_RUN_STEP = 64  # blanks looked at per step of a run


def blank_runs(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each run of ``[\\t\\v\\f\\r ]`` in ``text``, left to right: what
    ``reWhitespace`` (``[\\t\\v\\f\\r ]+``) finds, without compiling it (a measurable share of
    the start-up; tests/test_reader_by_hand.py holds the two equal). A long run is skipped
    ``_RUN_STEP`` characters at a time."""
    spaced = text.translate(_BLANKS_TO_SPACE)
    find = spaced.find
    size = len(spaced)
    start = find(" ")
    while start >= 0:
        end = start + 1
        while end < size and spaced[end] == " ":
            step = spaced[end : end + _RUN_STEP]
            end += len(step) - len(step.lstrip(" "))
        yield start, end
        start = find(" ", end)


def first_blank_run(text: str) -> tuple[int, int] | None:
    """The first of :func:`blank_runs`, or ``None``."""
    return next(blank_runs(text), None)


# Go's RE2 classes are ASCII-only: \s is [\t\n\f\r ], \d is [0-9].
_RE_HEREDOC = r"(?s)^([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)\Z"
_MAX_UINT64 = (1 << 64) - 1


class NodeError(Exception):
    """An error ``newNodeFromLine`` reports for the line (its line number is added by the
    reader)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Word(Record):
    """A word of the logical line: its value and the span of logical-line indices it came from."""

    value: str
    start: int  # logical indices
    end: int


class Node(Record):
    """An instruction's line as BuildKit's ``Node`` holds it: the keyword, its flags and values
    (as words of the logical line), whether the arguments were a JSON array, and ``ONBUILD``'s
    inner instruction."""

    keyword: str
    original: str
    base: int  # logical index of ``original`` within the whole line
    flags: list[Word]
    values: list[Word]
    json: bool
    sub: Node | None
    args: Word

    def can_contain_heredoc(self) -> bool:
        node = self
        if node.keyword.lower() == "onbuild" and node.sub is not None:
            node = node.sub
        return node.keyword.lower() in HEREDOC_KEYWORDS and not node.json


def node_from_line(line: str, escape: str, base: int = 0) -> Node:
    """BuildKit's ``newNodeFromLine`` (``parser.go``): ``splitCommand`` (keyword, then
    ``extractBuilderFlags``), the arguments by the keyword's entry of the dispatch table, and
    for ``ONBUILD`` the inner instruction. Raises ``NodeError`` where BuildKit does."""
    trimmed, cut = go_trim_space(line)
    blank = first_blank_run(trimmed)
    keyword = trimmed if blank is None else trimmed[: blank[0]]
    flags: list[Word] = []
    rest_start = cut + len(trimmed)
    rest = ""
    if blank is not None:
        after = cut + blank[1]
        remaining, flags, consumed = extract_builder_flags(line[after : cut + len(trimmed)], after)
        rest, lcut = go_trim_space(remaining)
        rest_start = after + consumed + lcut
    args = Word(rest, base + rest_start, base + rest_start + len(rest))
    values, is_json, has_sub = _dispatch(keyword.lower(), rest, rest_start, escape, line)
    return Node(
        keyword,
        line,
        base,
        [_shift(w, base) for w in flags],
        [_shift(w, base) for w in values],
        is_json,
        node_from_line(rest, escape, base + rest_start) if has_sub else None,
        args,
    )


def _shift(word: Word, base: int) -> Word:
    return Word(word.value, word.start + base, word.end + base) if base else word


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


def extract_builder_flags(text: str, base: int) -> tuple[str, list[Word], int]:
    """BuildKit's extractBuilderFlags: leading ``--name[=value]`` words, quote-processed.

    It walks the line byte by byte: a non-ASCII byte becomes ``string(rune(b))``, so a non-ASCII
    flag value comes out Latin-1-decoded (``--chown=é`` gives ``--chown=Ã©``), and the bytes 0x85
    and 0xA0 inside a UTF-8 character end a word. Both are reproduced. Returns the rest of the
    line, the flags, and the character index where the rest starts.
    """
    chars, starts = _byte_view(text)
    words: list[Word] = []
    pos = 0
    n = len(chars)
    while True:
        while pos < n and chars[pos] in GO_BYTE_SPACE:
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
            if ch in GO_BYTE_SPACE:
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
            words.append(Word(value, base + _char_at(starts, start), base + _char_at(starts, pos)))


def _dispatch(
    kind: str, rest: str, rest_start: int, escape: str, line: str
) -> tuple[list[Word], bool, bool]:
    """Returns (values, json, has_sub) following BuildKit's dispatch table (``dispatch`` in
    ``parser.go``, the line parsers of ``line_parsers.go``)."""
    if kind in ("cmd", "entrypoint", "run", "shell"):
        if rest == "":
            return [], False, False
        parsed = _parse_json(rest, rest_start)
        if parsed is not None:
            return parsed, True, False
        return [Word(rest, rest_start, rest_start + len(rest))], False, False
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
        return [Word(rest, rest_start, rest_start + len(rest))], False, False
    if kind == "healthcheck":
        return _parse_health(rest, rest_start)
    if kind == "onbuild":
        return [], False, rest != ""
    return [Word("", rest_start, rest_start)], False, False


def _split_whitespace(rest: str, base: int) -> list[Word]:
    """BuildKit's ``parseStringsWhitespaceDelimited``."""
    if rest == "":
        return []
    words: list[Word] = []
    pos = 0
    for start, end in blank_runs(rest):
        words.append(Word(rest[pos:start], base + pos, base + start))
        pos = end
    words.append(Word(rest[pos:], base + pos, base + len(rest)))
    return words



def _parse_json(rest: str, base: int) -> list[Word] | None:
    """Exec form (BuildKit's ``parseJSON``): a JSON array of strings. ``None`` when it is not
    JSON (shell form, as ``parseMaybeJSON`` falls back to)."""
    stripped = go_trim_left(rest)
    if not stripped.startswith("["):
        return None
    parsed = scan_json_array(stripped)
    if parsed is None or not parsed.numbers_fit:
        return None
    lead = len(rest) - len(stripped)
    words: list[Word] = []
    for value, start, end in parsed.items:
        if value is None:
            raise NodeError(
                "when using JSON array syntax, arrays must be comprised of strings only"
            )
        words.append(Word(value, base + lead + start, base + lead + end))
    return words


def _parse_words(rest: str, base: int, escape: str) -> list[Word]:
    """BuildKit's parseWords: split on blanks outside quotes; quotes and escapes are kept."""
    words: list[Word] = []
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
            if ch in GO_SPACE:
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
        if ch in GO_SPACE:
            if blank_ok or word:
                words.append(Word("".join(word), base + start, base + pos))
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
        words.append(Word("".join(word), base + start, base + n))
    return words


def _parse_name_val(rest: str, base: int, escape: str, key: str) -> list[Word]:
    """BuildKit's ``parseNameVal`` (ENV, LABEL): the legacy ``KEY value`` form, or ``k=v`` words;
    each pair comes out as (name, value, "=")."""
    words = _parse_words(rest, base, escape)
    if not words:
        return []
    if "=" not in words[0].value:
        blank = first_blank_run(rest)
        if blank is None:
            raise NodeError(f"{key} must have two arguments")
        start, end = blank
        return [
            Word(rest[:start], base, base + start),
            Word(rest[end:], base + end, base + len(rest)),
            Word("", base + start, base + start),
        ]
    values: list[Word] = []
    for word in words:
        if "=" not in word.value:
            raise NodeError(
                f'Syntax error - can\'t find = in "{word.value}". Must be of the form: name=value'
            )
        name, _, value = word.value.partition("=")
        # Quotes and escapes stay in the value, so the raw text maps one-to-one onto it,
        # except where an escape token ended the text (it is dropped).
        eq = word.start + rest[word.start - base : word.end - base].index("=")
        values.append(Word(name, word.start, eq))
        values.append(Word(value, eq + 1, word.end))
        values.append(Word("=", eq, eq + 1))
    return values


def _parse_health(rest: str, base: int) -> tuple[list[Word], bool, bool]:
    """BuildKit's parseHealthConfig, which also finds the blanks byte by byte."""
    chars, starts = _byte_view(rest)
    sep = 0
    while sep < len(chars) and chars[sep] not in GO_BYTE_SPACE:
        sep += 1
    if sep == 0:
        return [], False, False
    nxt = sep
    while nxt < len(chars) and chars[nxt] in GO_BYTE_SPACE:
        nxt += 1
    kind = rest[:sep] if starts is None else decode(encode(rest)[:sep])
    typ = Word(kind, base, base + _char_at(starts, sep))
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


def heredocs_from_line(line: str, line_no: int) -> list[tuple[str, bool, bool, int]]:
    """BuildKit's ``heredocsFromLine`` (``parser.go``): (name, expand, chomp, fd) of each
    heredoc the line opens, in order."""
    docs: list[tuple[str, bool, bool, int]] = []
    for word in shellwords.split(line, raw_quotes=True, raw_escapes=True, heredoc=True):
        match = re.match(_RE_HEREDOC, word)
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
