"""BuildKit's word lexer (``frontend/dockerfile/shell`` ``ProcessWords``), as its parser uses it
to find heredocs: no environment, unset variables kept as written (``SkipUnsetEnv``)."""

from __future__ import annotations

_SPACE = frozenset("\t\n\v\f\r \x85\xa0")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_SPECIAL_PARAMS = frozenset("0123456789*#@?$!-")


class _Unterminated(Exception):
    pass


class _Words:
    def __init__(self) -> None:
        self.words: list[str] = []
        self.word: list[str] = []
        self.in_word = False

    def add_char(self, ch: str) -> None:
        if ch in _SPACE:
            if self.in_word:
                self.words.append("".join(self.word))
                self.word = []
                self.in_word = False
        else:
            self.add_raw(ch)

    def add_raw(self, text: str) -> None:
        self.word.append(text)
        self.in_word = True

    def result(self) -> list[str]:
        if self.in_word:
            self.words.append("".join(self.word))
            self.word = []
            self.in_word = False
        return self.words


class _Lexer:
    def __init__(self, text: str, raw_quotes: bool, raw_escapes: bool, heredoc: bool) -> None:
        self.text = text
        self.pos = 0
        self.raw_quotes = raw_quotes
        self.raw_escapes = raw_escapes
        self.heredoc = heredoc
        self.escape = "\\"

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def next(self) -> str:
        ch = self.peek()
        self.pos += 1
        return ch

    def words(self) -> list[str]:
        out = _Words()
        while self.pos < len(self.text):
            ch = self.peek()
            if ch == "'":
                out.add_raw(self.single_quote())
            elif ch == '"':
                out.add_raw(self.double_quote())
            elif ch == "$":
                for c in self.dollar():
                    out.add_char(c)
            elif ch == "<" and self.heredoc:
                out.add_raw(self.possible_heredoc())
            else:
                self.next()
                if ch == self.escape:
                    if self.raw_escapes:
                        out.add_raw(ch)
                    escaped = self.next()
                    if escaped == "":
                        break
                    out.add_raw(escaped)
                else:
                    out.add_char(ch)
        return out.result()

    def single_quote(self) -> str:
        result = []
        quote = self.next()
        if self.raw_quotes:
            result.append(quote)
        while True:
            ch = self.next()
            if ch == "":
                raise _Unterminated
            if ch == "'":
                if self.raw_quotes:
                    result.append(ch)
                return "".join(result)
            result.append(ch)

    def double_quote(self) -> str:
        result = []
        quote = self.next()
        if self.raw_quotes:
            result.append(quote)
        while True:
            ch = self.peek()
            if ch == "":
                raise _Unterminated
            if ch == '"':
                self.next()
                if self.raw_quotes:
                    result.append(ch)
                return "".join(result)
            if ch == "$":
                result.append(self.dollar())
                continue
            ch = self.next()
            if ch == self.escape:
                if self.raw_escapes:
                    result.append(ch)
                following = self.peek()
                if following == "":
                    continue
                if following in ('"', "$", self.escape):
                    ch = self.next()
            result.append(ch)

    def dollar(self) -> str:
        """No variable is set: ``$NAME`` and ``${…}`` stay as written."""
        start = self.pos
        self.next()
        ch = self.peek()
        if ch == "{":
            depth = 0
            while self.pos < len(self.text):
                c = self.next()
                if c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                    if depth == 0:
                        return self.text[start : self.pos]
            raise _Unterminated
        if ch in _SPECIAL_PARAMS and ch not in _NAME_CHARS - set("0123456789"):
            self.next()
            return self.text[start : self.pos]
        while self.peek() in _NAME_CHARS and self.peek() != "":
            self.next()
        return self.text[start : self.pos]

    def possible_heredoc(self) -> str:
        self.next()
        if self.peek() != "<":
            return "<"
        self.next()
        space = []
        while self.peek() in (" ", "\t") and self.peek() != "":
            space.append(self.next())
        return "<<" + "".join(space)


def split(text: str, *, raw_quotes: bool, raw_escapes: bool, heredoc: bool = True) -> list[str]:
    """Words of ``text``; an unterminated quote or ``${`` yields no words, as in BuildKit (which
    ignores the lexer's error there)."""
    try:
        return _Lexer(text, raw_quotes, raw_escapes, heredoc).words()
    except _Unterminated:
        return []
