"""BuildKit's word lexer (``frontend/dockerfile/shell`` ``ProcessWords``), as its parser uses it
to find heredocs: no environment, unset variables kept as written (``SkipUnsetEnv``).

Only the split into words matters here, so a ``$…`` reference is returned as written; what must
match BuildKit is where words end and which inputs are lexing errors (BuildKit then finds no
words at all on the line).
"""

from __future__ import annotations

# Go's unicode.IsSpace.
_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SPECIAL_PARAMS = frozenset("@*#?-$!0")
_MODIFIERS = frozenset("+-?#%/")


def _is_name_char(ch: str) -> bool:
    return ch != "" and (ch.isalpha() or ch.isdecimal() or ch == "_")


class _LexError(Exception):
    """Unterminated quote or ``${``, or a bad substitution."""


class _Words:
    """BuildKit's wordsStruct: an empty word (``''`` with quotes removed) is never emitted."""

    def __init__(self) -> None:
        self.words: list[str] = []
        self.word: list[str] = []
        self.length = 0
        self.in_word = False

    def add_char(self, ch: str) -> None:
        if ch not in _SPACE:
            self.add_raw(ch)
        elif self.in_word and self.length:
            self._push()

    def add_raw(self, text: str) -> None:
        self.word.append(text)
        self.length += len(text)
        self.in_word = True

    def _push(self) -> None:
        self.words.append("".join(self.word))
        self.word = []
        self.length = 0
        self.in_word = False

    def result(self) -> list[str]:
        if self.length:
            self._push()
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

    def words(self, stop: str = "") -> list[str]:
        """processStopOn: the words up to ``stop`` (consumed), or to the end when ``stop`` is ""."""
        out = _Words()
        while self.pos < len(self.text):
            ch = self.peek()
            if stop and ch == stop:
                self.next()
                return out.result()
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
        if stop:
            raise _LexError(f"unexpected end of statement while looking for matching {stop}")
        return out.result()

    def single_quote(self) -> str:
        result = []
        quote = self.next()
        if self.raw_quotes:
            result.append(quote)
        while True:
            ch = self.next()
            if ch == "":
                raise _LexError("unexpected end of statement looking for matching single-quote")
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
                raise _LexError("unexpected end of statement looking for matching double-quote")
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

    def name(self) -> None:
        """processName: digits, one special parameter, or letters, digits and ``_``."""
        ch = self.peek()
        if ch.isdecimal():
            while self.peek().isdecimal():
                self.next()
        elif ch in _SPECIAL_PARAMS and ch:
            self.next()
        else:
            while _is_name_char(self.peek()):
                self.next()

    def dollar(self) -> str:
        """No variable is set: ``$NAME`` and ``${…}`` stay as written."""
        start = self.pos
        self.next()
        if self.peek() != "{":
            self.name()
            return self.text[start : self.pos]
        self.next()
        if self.peek() == "":
            raise _LexError("syntax error: missing '}'")
        if self.peek() in "{}:":
            raise _LexError("syntax error: bad substitution")
        self.name()
        op = self.next()
        if op == "}":
            return self.text[start : self.pos]
        if op == ":":
            self.next()  # the modifier, whatever it is: an unset variable is never checked
        elif op == "" or op not in _MODIFIERS:
            raise _LexError(f"unsupported modifier ({op}) in substitution")
        self.words(stop="}")
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
    """Words of ``text``; a lexing error (unterminated quote or ``${``, bad substitution) yields
    no words, as in BuildKit (which ignores the lexer's error there)."""
    try:
        return _Lexer(text, raw_quotes, raw_escapes, heredoc).words()
    except _LexError:
        return []
