"""Word processing as BuildKit does it for FROM, ARG, ENV and flags: quotes removed, escapes
applied, ``$VAR`` and ``${VAR…}`` expanded (``:-  -  :+  +  :?  ?  #  ##  %  %%  /  //``).
Where BuildKit reports an error (``${}``, an unknown modifier, an unterminated ``${``), the text
from the ``$`` on is kept as written.

Besides the text, each call reports which variables it read, so that a value that comes from an
``ARG`` default can be traced back to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dfmemlint.records import Record

MAX_DEPTH = 64  # nesting of ${…} beyond this is left as written (BuildKit would recurse on)
_SPECIAL_PARAMS = frozenset("@*#?-$!0")
_OPERATORS = (":-", ":+", ":?", "##", "%%", "//", "-", "+", "?", "#", "%", "/")


class Expanded(Record):
    text: str
    used: frozenset[str]


class _Expander:
    def __init__(
        self, text: str, env: Mapping[str, str], escape: str, depth: int, raw_escapes: bool = False
    ) -> None:
        self.text = text
        self.pos = 0
        self.env = env
        self.escape = escape
        self.depth = depth
        self.raw_escapes = raw_escapes  # keep escapes (in patterns, where they quote * and ?)
        self.used: set[str] = set()

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def run(self, stop: str = "") -> str:
        out: list[str] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if stop and ch == stop:
                return "".join(out)
            if ch == "'":
                out.append(self.single_quote())
            elif ch == '"':
                out.append(self.double_quote())
            elif ch == "$":
                out.append(self.dollar())
            elif ch == self.escape:
                self.pos += 1
                if self.pos < len(self.text):
                    if self.raw_escapes:
                        out.append(ch)
                    out.append(self.text[self.pos])
                    self.pos += 1
            else:
                out.append(ch)
                self.pos += 1
        return "".join(out)

    def single_quote(self) -> str:
        end = self.text.find("'", self.pos + 1)
        if end < 0:  # unterminated: BuildKit errors; keep the text
            end = len(self.text)
        value = self.text[self.pos + 1 : end]
        self.pos = end + 1
        return value

    def double_quote(self) -> str:
        self.pos += 1
        out: list[str] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == '"':
                self.pos += 1
                break
            if ch == "$":
                out.append(self.dollar())
                continue
            if ch == self.escape and self.pos + 1 < len(self.text):
                nxt = self.text[self.pos + 1]
                if nxt in ('"', "$", self.escape):
                    out.append(nxt)
                    self.pos += 2
                    continue
            out.append(ch)
            self.pos += 1
        return "".join(out)

    def lookup(self, name: str) -> str | None:
        self.used.add(name)
        return self.env.get(name)

    def name(self) -> str:
        """BuildKit's processName: digits, one special parameter, or letters, digits and ``_``."""
        start = self.pos
        ch = self.peek()
        if ch.isdecimal():
            while self.peek().isdecimal():
                self.pos += 1
        elif ch and ch in _SPECIAL_PARAMS:
            self.pos += 1
        else:
            while self.peek() and (
                self.peek().isalpha() or self.peek().isdecimal() or self.peek() == "_"
            ):
                self.pos += 1
        return self.text[start : self.pos]

    def dollar(self) -> str:
        start = self.pos
        self.pos += 1
        if self.peek() != "{":
            name = self.name()
            return "$" if not name else self.lookup(name) or ""
        self.pos += 1
        if self.peek() in ("", "{", "}", ":"):  # missing '}' or bad substitution
            return self.rest_literal(start)
        name = self.name()
        if self.peek() == "}":
            self.pos += 1
            return self.lookup(name) or ""
        if self.depth >= MAX_DEPTH:
            return self.rest_literal(start)
        for op in _OPERATORS:
            if self.text.startswith(op, self.pos):
                break
        else:
            return self.rest_literal(start)
        self.pos += len(op)
        # Patterns keep their escapes, so that \* and \? stay literal.
        pattern_op = op.lstrip(":")[0] in "#%/"
        inner = _Expander(self.text, self.env, self.escape, self.depth + 1, pattern_op)
        inner.pos = self.pos
        replacement = ""
        if op in ("/", "//"):
            word = inner.run(stop="/")
            if inner.peek() != "/":
                return self.rest_literal(start)
            inner.pos += 1
            replacement = inner.run(stop="}")
        else:
            word = inner.run(stop="}")
        self.used |= inner.used
        if inner.peek() != "}":  # unterminated ${
            self.pos = len(self.text)
            return self.text[start:]
        self.pos = inner.pos + 1
        value = self.lookup(name)
        if op in (":-", "-"):
            return word if (value is None or (op == ":-" and not value)) else value
        if op in (":+", "+"):
            return "" if (value is None or (op == ":+" and not value)) else word
        if op in (":?", "?"):  # BuildKit fails the build when unset (or empty for :?)
            return value or ""
        value = value or ""
        if op in ("#", "##"):
            return _trim_prefix(value, word, longest=op == "##")
        if op in ("%", "%%"):
            return _trim_suffix(value, word, longest=op == "%%")
        return _replace(value, word, replacement, every=op == "//")

    def rest_literal(self, start: int) -> str:
        end = self.text.find("}", self.pos)
        end = len(self.text) if end < 0 else end + 1
        self.pos = end
        return self.text[start:end]


def _shell_pattern(pattern: str) -> re.Pattern[str]:
    """BuildKit's convertShellPatternToRegex: ``*`` and ``?`` are wildcards and a backslash
    quotes the next character; brackets are not special."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "*":
            out.append(".*")
        elif ch == "?":
            out.append(".")
        else:
            if ch == "\\" and i + 1 < len(pattern):
                i += 1
                ch = pattern[i]
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def _trim_prefix(value: str, pattern: str, *, longest: bool) -> str:
    matcher = _shell_pattern(pattern)
    cuts = range(len(value), -1, -1) if longest else range(len(value) + 1)
    for i in cuts:
        if matcher.fullmatch(value, 0, i):
            return value[i:]
    return value


def _trim_suffix(value: str, pattern: str, *, longest: bool) -> str:
    matcher = _shell_pattern(pattern)
    cuts = range(len(value) + 1) if longest else range(len(value), -1, -1)
    for i in cuts:
        if matcher.fullmatch(value, i):
            return value[:i]
    return value


def _replace(value: str, pattern: str, replacement: str, *, every: bool) -> str:
    """``${V/p/r}`` replaces the first (leftmost, longest) match, ``${V//p/r}`` every one, with
    Go's rules for empty matches (regexp.ReplaceAllString)."""
    matcher = _shell_pattern(pattern)
    if not every:
        match = matcher.search(value)
        if match is None:
            return value
        return value[: match.start()] + replacement + value[match.end() :]
    out: list[str] = []
    search = 0
    last_end = 0
    while search <= len(value):
        match = matcher.search(value, search)
        if match is None:
            break
        out.append(value[last_end : match.start()])
        if match.end() > last_end or match.start() == 0:
            out.append(replacement)
        last_end = match.end()
        search = max(search + 1, match.end())
    out.append(value[last_end:])
    return "".join(out)


def expand(text: str, env: Mapping[str, str], escape: str = "\\") -> Expanded:
    """Process one word: quotes, escapes and variables. Unset variables expand to ""."""
    if not any(ch in text for ch in ("$", "'", '"', escape)):
        return Expanded(text, frozenset())  # nothing to process: the word itself, not a copy
    expander = _Expander(text, env, escape, 0)
    result = expander.run()
    return Expanded(result, frozenset(expander.used))
