"""Just enough POSIX shell reading to find variable assignments in commands.

``GOMEMLIMIT=1GiB go build``, ``export GOMEMLIMIT=…``, ``env GOMEMLIMIT=… app`` and the like:
the words of each simple command with their positions in the script text, quotes resolved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

_OPERATORS = ("&&", "||", ";;", ";", "&", "|", "(", ")", "\n")
_BLANKS = " \t\r"
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
DECLARATION_BUILTINS = frozenset({"export", "declare", "typeset", "readonly", "local"})
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"})


class Word(NamedTuple):
    text: str  # quotes removed
    start: int  # index of the word's first character in the script
    end: int
    # Where the unquoted characters of ``text`` came from: for each character, its index in the
    # script (so a value inside quotes maps back exactly).
    origin: tuple[int, ...]

    def span_of(self, i: int, j: int) -> tuple[int, int]:
        """Script indices covering ``text[i:j]`` (an empty slice sits at its position)."""
        if i >= len(self.origin):
            return self.end, self.end
        if j <= i:
            return self.origin[i], self.origin[i]
        return self.origin[i], self.origin[j - 1] + 1


class Assignment(NamedTuple):
    name: str
    value: str
    word: Word
    value_start: int  # script indices of the value's characters
    value_end: int
    how: str  # "prefix", "export", "env"
    command: tuple[Word, ...]  # the rest of the simple command (the program and its args)


def _read_word(script: str, pos: int) -> tuple[Word, int]:
    start = pos
    chars: list[str] = []
    origin: list[int] = []
    n = len(script)
    while pos < n:
        ch = script[pos]
        if ch in _BLANKS or any(script.startswith(op, pos) for op in _OPERATORS):
            break
        if ch == "\\":
            if pos + 1 < n and script[pos + 1] == "\n":
                pos += 2
                continue
            if pos + 1 < n:
                chars.append(script[pos + 1])
                origin.append(pos + 1)
                pos += 2
                continue
            pos += 1
            continue
        if ch == "'":
            end = script.find("'", pos + 1)
            end = n if end < 0 else end
            for k in range(pos + 1, end):
                chars.append(script[k])
                origin.append(k)
            pos = end + 1
            continue
        if ch == '"':
            pos += 1
            while pos < n and script[pos] != '"':
                if script[pos] == "\\" and pos + 1 < n and script[pos + 1] in '"\\$`':
                    pos += 1
                chars.append(script[pos])
                origin.append(pos)
                pos += 1
            pos += 1
            continue
        chars.append(ch)
        origin.append(pos)
        pos += 1
    return Word("".join(chars), start, min(pos, n), tuple(origin)), pos


def simple_commands(script: str) -> Iterator[list[Word]]:
    """The simple commands of a script, each as its list of words."""
    pos = 0
    n = len(script)
    current: list[Word] = []
    while pos < n:
        ch = script[pos]
        if ch in _BLANKS:
            pos += 1
            continue
        if ch == "\\" and script.startswith("\\\n", pos):
            pos += 2
            continue
        if ch == "#" and (pos == 0 or script[pos - 1] in _BLANKS + "\n;&|()"):
            end = script.find("\n", pos)
            pos = n if end < 0 else end
            continue
        operator = next((op for op in _OPERATORS if script.startswith(op, pos)), None)
        if operator is not None:
            if current:
                yield current
            current = []
            pos += len(operator)
            continue
        word, pos = _read_word(script, pos)
        current.append(word)
    if current:
        yield current


def _split_assignment(word: Word, how: str, rest: tuple[Word, ...]) -> Assignment | None:
    match = ASSIGNMENT.match(word.text)
    if match is None:
        return None
    name = match.group(0)[:-1]
    # The name must be written plainly (not quoted), so its characters are contiguous.
    if word.origin[: len(name) + 1] != tuple(range(word.start, word.start + len(name) + 1)):
        return None
    value = word.text[len(name) + 1 :]
    if value:
        start, end = word.span_of(len(name) + 1, len(word.text))
    else:
        start = end = word.start + len(name) + 1
    return Assignment(name, value, word, start, end, how, rest)


def assignments(script: str) -> Iterator[Assignment]:
    """Every variable assignment a command makes for itself or exports to its children."""
    for words in simple_commands(script):
        yield from _command_assignments(words)


def _command_assignments(words: list[Word]) -> Iterator[Assignment]:
    i = 0
    while i < len(words) and ASSIGNMENT.match(words[i].text):
        i += 1
    rest = tuple(words[i:])
    for word in words[:i]:
        found = _split_assignment(word, "prefix", rest)
        if found is not None:
            yield found
    if not rest:
        return
    program = rest[0].text.rsplit("/", 1)[-1]
    if program in DECLARATION_BUILTINS:
        for word in rest[1:]:
            found = _split_assignment(word, "export", ())
            if found is not None:
                yield found
    elif program == "env":
        j = 1
        while j < len(rest) and rest[j].text.startswith("-"):
            j += 2 if rest[j].text in ("-u", "--unset", "-C", "--chdir", "-S") else 1
        k = j
        while k < len(rest) and ASSIGNMENT.match(rest[k].text):
            k += 1
        for word in rest[j:k]:
            found = _split_assignment(word, "env", tuple(rest[k:]))
            if found is not None:
                yield found
        if k < len(rest):
            yield from _command_assignments(list(rest[k:]))
    elif program in ("sudo", "exec", "nohup", "time", "nice"):
        yield from _command_assignments(list(rest[1:]))
    elif program in SHELLS and len(rest) >= 3 and re.fullmatch(r"-[a-z]*c[a-z]*", rest[1].text):
        yield from _nested(rest[2])


def _nested(word: Word) -> Iterator[Assignment]:
    """Assignments inside ``sh -c 'script'``, with positions mapped back to the outer script."""

    def outer(i: int) -> int:
        return word.origin[i] if i < len(word.origin) else word.end

    def shift(inner: Word) -> Word:
        return Word(
            inner.text,
            outer(inner.start),
            outer(inner.end - 1) + 1 if inner.end > inner.start else outer(inner.start),
            tuple(outer(k) for k in inner.origin),
        )

    for found in assignments(word.text):
        yield Assignment(
            found.name,
            found.value,
            shift(found.word),
            outer(found.value_start),
            outer(found.value_end - 1) + 1 if found.value_end > found.value_start
            else outer(found.value_start),
            found.how,
            tuple(shift(w) for w in found.command),
        )
