"""The JSON array of an exec-form instruction, read as Go's ``encoding/json`` decoder reads it
(BuildKit's ``parseJSON`` in ``frontend/dockerfile/parser/line_parsers.go`` decodes into
``[]interface{}`` with ``json.NewDecoder``): one array, anything after it ignored, strings
decoded as Go decodes them, and the span of each top-level element kept."""

from __future__ import annotations

import math
import re

from dfmemlint.records import Record

_JSON_BLANK = " \t\n\r"
_JSON_ESCAPES = {
    '"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"
}
_JSON_NUMBER = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
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


class JsonArray(Record):
    items: list[tuple[str | None, int, int]]  # top-level elements: string value (None if not a
    # string) and the span of its literal
    numbers_fit: bool  # every number fits a float64 (Go's decoder fails on the others)


def scan_json_array(text: str) -> JsonArray | None:
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
            return JsonArray(items, numbers_fit)
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
                match = re.compile(_JSON_NUMBER).match(text, pos)
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
