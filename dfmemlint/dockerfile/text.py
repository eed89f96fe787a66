"""Text as BuildKit's Go code sees it: Go's blanks (``unicode.IsSpace``, and what code that
indexes a string byte by byte takes for blank), ``strings.TrimSpace``, bytes decoded with
``surrogateescape`` (so that every byte survives a round trip), and the line and column of a byte
offset."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

BOM = b"\xef\xbb\xbf"

# Go's unicode.IsSpace: ASCII blanks, NEL, NBSP and the Unicode White_Space characters.
GO_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
# unicode.IsSpace(rune(b)) for a single byte b: what Go code that indexes a string sees as blank.
GO_BYTE_SPACE = frozenset("\t\n\v\f\r \x85\xa0")


def is_go_space(ch: str) -> bool:
    return ch in GO_SPACE


def go_trim_left(text: str) -> str:
    i = 0
    while i < len(text) and text[i] in GO_SPACE:
        i += 1
    return text[i:]


def go_trim_space(text: str) -> tuple[str, int]:
    """strings.TrimSpace; also returns how many characters were cut from the left."""
    i, j = 0, len(text)
    while i < j and text[i] in GO_SPACE:
        i += 1
    while j > i and text[j - 1] in GO_SPACE:
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



def line_col(data: bytes, line_starts: Sequence[int], offset: int) -> tuple[int, int]:
    """1-based (line, column) of a byte offset of ``data`` whose lines start at ``line_starts``;
    columns count code points."""
    line = bisect.bisect_right(line_starts, offset) - 1
    line_start = line_starts[line]
    col = len(decode(data[line_start:offset])) + 1
    return line + 1, col
