"""Just enough POSIX shell reading to find variable assignments in commands.

``GOMEMLIMIT=1GiB go build``, ``export GOMEMLIMIT=…``, ``env GOMEMLIMIT=… app`` and the like:
the words of each simple command with their positions in the script text, quotes resolved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dfmemlint.records import Record

_OPERATORS = ("&&", "||", ";;", ";", "&", "|", "(", ")", "\n")
_OPERATOR_STARTS = frozenset(op[0] for op in _OPERATORS)
_BLANKS = " \t\r"
# A run of characters that need no attention inside a word (no blank, operator, quote or escape).
_PLAIN_RUN = re.compile(r"[^ \t\r&|;()\n\\'\"]+")
ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
DECLARATION_BUILTINS = frozenset({"export", "declare", "typeset", "readonly", "local"})
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"})
# Words that start a compound command or negate one: the command proper follows them.
RESERVED_PREFIXES = frozenset({"if", "then", "else", "elif", "while", "until", "do", "!", "{"})
# Programs that run the rest of their command line as a command of its own, and those of their
# options that take an argument (``sudo -u user``, ``nice -n 10``).
_WRAPPER_OPTIONS_WITH_ARGUMENT: dict[str, frozenset[str]] = {
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"}),
    "exec": frozenset({"-a"}),
    "nohup": frozenset(),
    "time": frozenset({"-f", "-o"}),
    "nice": frozenset({"-n"}),
}
WRAPPERS = frozenset(_WRAPPER_OPTIONS_WITH_ARGUMENT)
_SHELL_C_FLAG = r"-[a-z]*c[a-z]*"


class Word(Record):
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


class Assignment(Record):
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
        plain = _PLAIN_RUN.match(script, pos)
        if plain is not None:
            chars.append(plain.group())
            origin.extend(range(pos, plain.end()))
            pos = plain.end()
            continue
        ch = script[pos]
        if ch in _BLANKS or ch in _OPERATOR_STARTS:
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
        operator = (
            next((op for op in _OPERATORS if script.startswith(op, pos)), None)
            if ch in _OPERATOR_STARTS
            else None
        )
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


def _strip_reserved(words: list[Word]) -> list[Word]:
    i = 0
    while i < len(words) and words[i].text in RESERVED_PREFIXES:
        i += 1
    return words[i:]


def _command_assignments(words: list[Word]) -> Iterator[Assignment]:
    words = _strip_reserved(words)
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
    elif program in WRAPPERS:
        yield from _command_assignments(_after_wrapper(rest))
    elif program in SHELLS and len(rest) >= 3 and re.fullmatch(_SHELL_C_FLAG, rest[1].text):
        yield from _nested(rest[2])


def _after_wrapper(words: list[Word] | tuple[Word, ...]) -> list[Word]:
    """The command a wrapper (``sudo -E``, ``nice -n 10``, ``exec``) runs: its words after the
    wrapper's own options."""
    with_argument = _WRAPPER_OPTIONS_WITH_ARGUMENT.get(program_name(words[0].text), frozenset())
    i = 1
    while i < len(words) and words[i].text.startswith("-"):
        if words[i].text == "--":
            i += 1
            break
        i += 2 if words[i].text in with_argument else 1
    return list(words[i:])


def program_name(word: str) -> str:
    """The program a command word runs: ``/usr/local/go/bin/go`` → ``go``."""
    return word.rsplit("/", 1)[-1]


def commands(script: str) -> Iterator[tuple[Word, ...]]:
    """The commands a script runs, each as its words from the program on.

    Leading assignments, reserved words (``then``, ``do``, …) and wrappers (``env``, ``sudo``,
    ``exec``, …) are looked through, and so is ``sh -c 'script'`` (the words of a nested script
    are positioned within that script, not the outer one).
    """
    for words in simple_commands(script):
        yield from command_words(words)


def command_words(words: list[Word]) -> Iterator[tuple[Word, ...]]:
    """The command (or commands, for ``sh -c``) that one simple command runs."""
    words = _strip_reserved(words)
    i = 0
    while i < len(words) and ASSIGNMENT.match(words[i].text):
        i += 1
    rest = words[i:]
    if not rest:
        return
    program = program_name(rest[0].text)
    if program == "env":
        j = 1
        while j < len(rest) and rest[j].text.startswith("-"):
            j += 2 if rest[j].text in ("-u", "--unset", "-C", "--chdir", "-S") else 1
        yield from command_words(rest[j:])
    elif program in WRAPPERS:
        yield from command_words(_after_wrapper(rest))
    elif program in SHELLS and len(rest) >= 3 and re.fullmatch(_SHELL_C_FLAG, rest[1].text):
        yield from commands(rest[2].text)
    else:
        yield tuple(rest)


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


class ArgvAssignment(Record):
    """An assignment an exec-form command makes, placed in the element that holds it."""

    element: int  # index of the argv element
    name: str
    value: str
    value_start: int  # indices into that element's text
    value_end: int
    word_start: int  # the whole ``NAME=value``
    word_end: int
    how: str  # "env" (``env NAME=value prog``), "prefix" or "export" (in a ``sh -c`` script)
    nested: bool  # inside a ``sh -c`` script (else the element is the assignment itself)
    command_follows: bool  # a command follows it (``NAME=value prog``)


def argv_assignments(argv: list[str]) -> Iterator[ArgvAssignment]:
    """The assignments an exec-form command line makes for the program it starts
    (a Dockerfile's JSON ``CMD``/``ENTRYPOINT``, a Kubernetes container's ``command`` + ``args``):
    ``env [options] NAME=value … program``, ``sh -c 'NAME=value exec program'`` (and ``export``
    in that script), through wrappers such as ``exec`` or ``nice``.

    No shell splits an exec-form command: each element is one word as it is, quotes and all, and
    the first element is the program (never an assignment). The elements are read as the words of
    one simple command, so the same rules as :func:`assignments` apply."""
    if not argv or ASSIGNMENT.match(argv[0]) or argv[0] in RESERVED_PREFIXES:
        return
    words: list[Word] = []
    starts: list[int] = []
    base = 0
    for text in argv:
        starts.append(base)
        words.append(Word(text, base, base + len(text), tuple(range(base, base + len(text)))))
        base += len(text) + 1  # a gap no position falls in: positions map to one element
    for found in _command_assignments(words):
        element = _element_of(starts, found.word.start)
        shift = starts[element]
        whole = found.word.start == shift and found.word.end == shift + len(argv[element])
        nested = not whole or _is_script(argv, element)
        yield ArgvAssignment(
            element, found.name, found.value, found.value_start - shift,
            found.value_end - shift, found.word.start - shift, found.word.end - shift, found.how,
            nested, bool(found.command),
        )


def _element_of(starts: list[int], position: int) -> int:
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if starts[middle] <= position:
            low = middle
        else:
            high = middle - 1
    return low


def _is_script(argv: list[str], element: int) -> bool:
    """``argv[element]`` is the script of ``SHELL -c``."""
    return (
        element >= 2
        and re.fullmatch(_SHELL_C_FLAG, argv[element - 1]) is not None
        and program_name(argv[element - 2]) in SHELLS
    )
