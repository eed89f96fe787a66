"""The ``.env`` format (a project's ``.env`` and every ``env_file``), read with positions.

A port of compose-spec/compose-go ``dotenv/parser.go`` (``parser.parse``,
``getStatementStart``, ``locateKeyName``, ``extractVarValue``, ``expandEscapes``) as Compose
uses it for the project ``.env`` file (``cli/options.go`` ``WithDotEnv``) and for ``env_file``
(``types/project.go`` ``WithServicesEnvironmentResolved``):

* ``KEY=VALUE`` or ``KEY: VALUE``, an optional ``export`` in front; blank lines and lines starting
  with ``#`` are skipped; a UTF-8 byte-order mark is ignored.
* Unquoted values run to the end of the line; `` #`` (a space, then ``#``) starts a comment and
  trailing whitespace is dropped, so ``A=a#b`` keeps ``a#b``. They are interpolated (``${X}``).
* ``'single'`` quotes keep the text as written (only ``\\'`` loses its backslash); ``"double"``
  quotes turn ``\\n``, ``\\t``, ``\\"``, ``\\\\``… into characters and are then interpolated. Quoted
  values may span lines; an unterminated quote is an error.
* A line with only ``KEY`` takes the value from the shell that runs Compose: unknown here.
* Later lines win over earlier ones.

Interpolation inside the file looks a variable up in the shell first and in the lines above
second; dfmemlint sees no shell, so a variable only the shell could give is unknown.
"""

from __future__ import annotations

import re
import unicodedata

from dfmemlint.compose.interpolate import Interpolated, Lookup, interpolate
from dfmemlint.records import Record

_EXPORT = re.compile(r"export\s+")
_ESCAPE = re.compile(r"\\(?:[abcfnrtv$\"\\]|0[0-9]{0,3})")
_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    '"': '"',
    "\\": "\\",
}
# Go's isSpace in dotenv/parser.go: blanks but not the line break.
_BLANKS = "\t\v\f\r \x85\xa0"


class DotenvError(ValueError):
    """A file Compose refuses to read (``line N: …``)."""


class Entry(Record):
    """One ``KEY=VALUE`` of a ``.env`` file. Offsets are character indexes into the text."""

    key: str
    #: The value Compose gives, or None when it is unknown (a bare ``KEY`` takes it from the
    #: shell; an interpolated variable the file does not set).
    value: str | None
    line: int  # 1-based line of the key
    value_start: int  # the value as written (inside the quotes, if any)
    value_end: int
    #: The value's text as written maps one to one onto the value (no escapes, no variables):
    #: an edit of ``text[value_start:value_end]`` changes exactly the value.
    editable: bool
    #: How the value was interpolated (None for single quotes and bare keys).
    interpolated: Interpolated | None = None


def _is_go_space(c: str) -> bool:
    """Go's ``unicode.IsSpace``: ASCII blanks, U+0085, U+00A0 and Unicode's other spaces."""
    if c in "\t\n\v\f\r \x85\xa0\u2028\u2029":
        return True
    return ord(c) > 0xFF and unicodedata.category(c) == "Zs"


def _is_letter_or_number(c: str) -> bool:
    """Go's ``unicode.IsLetter(c) || unicode.IsNumber(c)``."""
    category = unicodedata.category(c)
    return category.startswith("L") or category.startswith("N")


def _expand_escapes(text: str) -> str:
    """``expandEscapes``: the escapes of a double-quoted value; ``\\$`` becomes ``$$`` (a literal
    dollar to the interpolation that follows)."""

    def one(match: re.Match[str]) -> str:
        escape = match.group(0)
        if escape == "\\$":
            return "$$"
        if escape.startswith("\\0"):
            digits = escape[2:]
            if len(digits) != 3:  # strconv.UnquoteChar needs exactly three octal digits
                return escape
            if not re.fullmatch(r"[0-7]{3}", digits) or int(digits, 8) > 255:
                return escape
            return chr(int(digits, 8))
        if escape[1] == "c":  # not an escape Go knows: UnquoteChar fails, the text stays
            return escape
        return _SIMPLE_ESCAPES[escape[1]]

    return _ESCAPE.sub(one, text)


class _Parser:
    def __init__(self, text: str, outside: Lookup | None) -> None:
        self.text = text
        self.line = 1
        self.values: dict[str, str | None] = {}
        self.outside = outside

    def lookup(self, name: str) -> str | None:
        if self.outside is not None:
            found = self.outside(name)
            if found is not None:
                return found
        return self.values.get(name)

    def skip_to_statement(self, pos: int) -> int:
        """``getStatementStart``: skip whitespace and comment lines; -1 at the end."""
        text = self.text
        while True:
            while pos < len(text) and _is_go_space(text[pos]):
                if text[pos] == "\n":
                    self.line += 1
                pos += 1
            if pos >= len(text):
                return -1
            if text[pos] != "#":
                return pos
            newline = text.find("\n", pos)
            if newline == -1:
                return -1
            pos = newline

    def key(self, pos: int) -> tuple[str, int, bool]:
        """``locateKeyName``: (key, position after the separator, inherited)."""
        text = self.text
        match = _EXPORT.match(text, pos)
        if match is not None:
            pos += len("export")
            while pos < len(text) and text[pos] in _BLANKS:
                pos += 1
        start = pos
        key = ""
        inherited = False
        after = start
        i = start
        while i < len(text):
            c = text[i]
            if c in _BLANKS:
                i += 1
                continue
            if c in "=:\n":
                key = text[start:i]
                after = i + 1
                inherited = c == "\n"
                break
            if c not in "_.-[]" and not _is_letter_or_number(c):
                first_line = text[start:].split("\n")[0]
                raise DotenvError(
                    f"line {self.line}: unexpected character {c!r} in variable name {first_line!r}"
                )
            i += 1
        if inherited and " " not in key:
            self.line += 1
        key = key.rstrip("".join(_BLANKS) + "\n")
        while after < len(text) and text[after] in _BLANKS:
            after += 1
        return key, after, inherited

    def value(self, pos: int, key: str, key_line: int) -> tuple[Entry, int]:
        """``extractVarValue``: the entry and the position after it."""
        text = self.text
        quote = text[pos] if pos < len(text) and text[pos] in "\"'" else ""
        if not quote:
            newline = text.find("\n", pos)
            end_of_line = len(text) if newline == -1 else newline
            rest = len(text) if newline == -1 else newline + 1
            self.line += 1
            comment = text.find(" #", pos, end_of_line)
            end = end_of_line if comment == -1 else comment
            while end > pos and _is_go_space(text[end - 1]):
                end -= 1
            raw = text[pos:end]
            result = interpolate(raw, self.lookup)
            return Entry(key, result.value, key_line, pos, end, "$" not in raw, result), rest
        chars: list[str] = []
        escaped = False
        i = pos + 1
        while i < len(text):
            c = text[i]
            if c == "\n":
                self.line += 1
            if c != quote:
                if not escaped and c == "\\":
                    escaped = True
                elif escaped:
                    escaped = False
                    chars.append("\\" + c)
                else:
                    chars.append(c)
                i += 1
                continue
            if escaped:  # an escaped quote
                escaped = False
                chars.append(c)
                i += 1
                continue
            raw = "".join(chars)
            written = text[pos + 1 : i]
            if quote == '"':
                result = interpolate(_expand_escapes(raw), self.lookup)
                editable = written == raw and "\\" not in raw and "$" not in raw
                return Entry(key, result.value, key_line, pos + 1, i, editable, result), i + 1
            return Entry(key, raw, key_line, pos + 1, i, written == raw), i + 1
        newline = text.find("\n", pos)
        shown = text[pos:] if newline == -1 else text[pos:newline]
        raise DotenvError(f"line {self.line}: unterminated quoted value {shown}")


def parse(text: str, lookup: Lookup | None = None) -> list[Entry]:
    """Every entry of a ``.env`` file, in order (a key set twice appears twice; the last wins).

    ``text`` is the file decoded as UTF-8; a leading byte-order mark is skipped (offsets still
    count it). Variables are looked up with ``lookup`` first (for an ``env_file``: the project
    environment, then the service's ``environment``), then in the lines above. Raises
    DotenvError where Compose refuses the file."""
    parser = _Parser(text, lookup)
    entries: list[Entry] = []
    pos = 1 if text.startswith("\ufeff") else 0
    while True:
        pos = parser.skip_to_statement(pos)
        if pos == -1:
            break
        key_line = parser.line
        key, after, inherited = parser.key(pos)
        if " " in key:
            raise DotenvError(f"line {parser.line}: key cannot contain a space")
        if inherited:
            entries.append(Entry(key, None, key_line, after - 1, after - 1, False))
            parser.values.pop(key, None)
            pos = after
            continue
        entry, pos = parser.value(after, key, key_line)
        entries.append(entry)
        parser.values[key] = entry.value
    return entries


def as_lookup(entries: list[Entry]) -> Lookup:
    """A lookup for interpolation: the last value of each key (None when unknown or unset)."""
    values: dict[str, str | None] = {}
    for entry in entries:
        values[entry.key] = entry.value
    return values.get
