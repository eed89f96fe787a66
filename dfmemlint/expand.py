"""Word processing as BuildKit does it for FROM, ARG, ENV and flags: quotes removed, escapes
applied, ``$VAR`` and ``${VAR…}`` expanded (``:-  -  :+  +  #  ##  %  %%  /``).

Besides the text, each call reports which variables it read, so that a value that comes from an
``ARG`` default can be traced back to it.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from typing import NamedTuple

MAX_DEPTH = 64  # nesting of ${…} beyond this is left as written (BuildKit would recurse on)
_NAME_START = re.compile(r"[A-Za-z_]")
_NAME = re.compile(r"[A-Za-z0-9_]*")


class Expanded(NamedTuple):
    text: str
    used: frozenset[str]


class _Expander:
    def __init__(self, text: str, env: Mapping[str, str], escape: str, depth: int) -> None:
        self.text = text
        self.pos = 0
        self.env = env
        self.escape = escape
        self.depth = depth
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

    def dollar(self) -> str:
        self.pos += 1
        ch = self.peek()
        if ch != "{":
            match = _NAME.match(self.text, self.pos)
            assert match is not None
            name = match.group(0)
            if not name or not _NAME_START.match(name):
                return "$"
            self.pos = match.end()
            return self.lookup(name) or ""
        start = self.pos - 1
        self.pos += 1
        match = _NAME.match(self.text, self.pos)
        assert match is not None
        name = match.group(0)
        self.pos = match.end()
        op = self.peek()
        if op == "}":
            self.pos += 1
            return self.lookup(name) or ""
        if self.depth >= MAX_DEPTH:
            return self.rest_literal(start)
        for candidate in (":-", ":+", "##", "%%", "-", "+", "#", "%", "/"):
            if self.text.startswith(candidate, self.pos):
                op = candidate
                break
        else:
            return self.rest_literal(start)
        self.pos += len(op)
        inner = _Expander(self.text, self.env, self.escape, self.depth + 1)
        inner.pos = self.pos
        if op == "/":
            pattern = inner.run(stop="/")
            replacement = ""
            if inner.peek() == "/":
                inner.pos += 1
                replacement = inner.run(stop="}")
        else:
            pattern = inner.run(stop="}")
            replacement = ""
        self.used |= inner.used
        if inner.peek() != "}":  # unterminated ${
            self.pos = len(self.text)
            return self.text[start:]
        self.pos = inner.pos + 1
        value = self.lookup(name)
        if op == ":-":
            return value if value else pattern
        if op == "-":
            return value if value is not None else pattern
        if op == ":+":
            return pattern if value else ""
        if op == "+":
            return pattern if value is not None else ""
        value = value or ""
        if op in ("#", "##"):
            return _trim_prefix(value, pattern, longest=op == "##")
        if op in ("%", "%%"):
            return _trim_suffix(value, pattern, longest=op == "%%")
        return _replace_first(value, pattern, replacement)

    def rest_literal(self, start: int) -> str:
        end = self.text.find("}", self.pos)
        end = len(self.text) if end < 0 else end + 1
        self.pos = end
        return self.text[start:end]


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(pattern), re.DOTALL)


def _trim_prefix(value: str, pattern: str, *, longest: bool) -> str:
    matcher = _glob(pattern)
    cuts = range(len(value), -1, -1) if longest else range(len(value) + 1)
    for i in cuts:
        if matcher.match(value[:i]):
            return value[i:]
    return value


def _trim_suffix(value: str, pattern: str, *, longest: bool) -> str:
    matcher = _glob(pattern)
    cuts = range(len(value) + 1) if longest else range(len(value), -1, -1)
    for i in cuts:
        if matcher.match(value[i:]):
            return value[:i]
    return value


def _replace_first(value: str, pattern: str, replacement: str) -> str:
    if not pattern:
        return value
    matcher = _glob(pattern)
    for i in range(len(value)):
        for j in range(len(value), i, -1):
            if matcher.match(value[i:j]):
                return value[:i] + replacement + value[j:]
    return value


def expand(text: str, env: Mapping[str, str], escape: str = "\\") -> Expanded:
    """Process one word: quotes, escapes and variables. Unset variables expand to ""."""
    expander = _Expander(text, env, escape, 0)
    result = expander.run()
    return Expanded(result, frozenset(expander.used))
