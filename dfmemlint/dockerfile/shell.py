"""Just enough POSIX shell reading to find variable assignments in commands.

``GOMEMLIMIT=1GiB go build``, ``export GOMEMLIMIT=…``, ``env GOMEMLIMIT=… app`` and the like:
the words of each simple command with their positions in the script text, quotes resolved.
A NAME=VALUE word after the program is an assignment only where that program applies it
(``env``, ``sudo``: ``SETTERS``); for every other program, wrappers such as ``nice`` included,
it is an argument.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from dfmemlint.records import Record

_OPERATORS = ("&&", "||", ";;", ";", "&", "|", "(", ")", "\n")
_OPERATOR_STARTS = frozenset(op[0] for op in _OPERATORS)
_BLANKS = " \t\r"
# The characters a word must look at (a blank, an operator, a quote or an escape), each made a
# space in a copy of the script: a word's run of plain characters ends at the copy's next space.
PLAIN_STOPS = " \t\r&|;()\n\\'\""
_STOPS_TO_SPACE = str.maketrans(dict.fromkeys(PLAIN_STOPS, " "))
DECLARATION_BUILTINS = frozenset({"export", "declare", "typeset", "readonly", "local"})
SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"})
# Words that start a compound command or negate one: the command proper follows them.
RESERVED_PREFIXES = frozenset({"if", "then", "else", "elif", "while", "until", "do", "!", "{"})
# Programs that put their NAME=VALUE operands into the environment of the command they run,
# and those of their options that take an argument:
# * coreutils ``env [OPTION]... [-] [NAME=VALUE]... [COMMAND [ARG]...]`` (``env --help``; the
#   first operand without ``=`` is the program), options ending at the first operand;
# * ``sudo [options] [VAR=value] [-i | -s] [command [arg ...]]`` (sudo-project/sudo
#   docs/sudo.mdoc.in SYNOPSIS; src/parse_args.c ``parse_args``: options and ``VAR=value``
#   words, any that holds ``=`` and does not start with ``/``, may alternate until ``--`` or the
#   first other word, which is the command).
_SETTER_OPTIONS_WITH_ARGUMENT: dict[str, frozenset[str]] = {
    "env": frozenset({"-u", "--unset", "-C", "--chdir", "-S", "--split-string"}),
    "sudo": frozenset({
        "-a", "--auth-type", "-C", "--close-from", "-c", "--login-class", "-D", "--chdir",
        "-g", "--group", "-h", "--host", "-p", "--prompt", "-R", "--chroot", "-r", "--role",
        "-t", "--type", "-T", "--command-timeout", "-U", "--other-user", "-u", "--user",
    }),
}
# Programs that run their operands as a command of its own without reading any assignment
# there, and those of their options that take an argument: the first operand is the program,
# even when it looks like NAME=VALUE (``nice GOMEMLIMIT=1GiB app`` runs a program named
# ``GOMEMLIMIT=1GiB`` and fails). coreutils ``nice [OPTION] [COMMAND [ARG]...]`` and ``nohup
# COMMAND [ARG]...``; POSIX ``exec [command [argument...]]`` and ``time [-p] utility
# [argument...]`` (GNU time adds ``-f FORMAT``, ``-o FILE``); dash and busybox sh, /bin/sh of
# Debian and Alpine images, agree (tests/test_shell.py runs them). bash alone reads ``time`` as
# a reserved word in front of a pipeline, so there ``time NAME=VALUE prog`` does set it
# (``assignments(script, time=BASH_TIME)``; tests/test_time_keyword.py runs bash).
_WRAPPER_OPTIONS_WITH_ARGUMENT: dict[str, frozenset[str]] = {
    "exec": frozenset({"-a"}),
    "nohup": frozenset(),
    "time": frozenset({"-f", "-o", "--format", "--output"}),
    "nice": frozenset({"-n", "--adjustment"}),
}
SETTERS = frozenset(_SETTER_OPTIONS_WITH_ARGUMENT)
WRAPPERS = frozenset(_WRAPPER_OPTIONS_WITH_ARGUMENT) | SETTERS
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


def is_name(text: str) -> bool:
    """Whether ``text`` is a shell variable name: ASCII letters, digits and underscores, not
    starting with a digit (POSIX XBD 3.216 "Name"); ``[A-Za-z_][A-Za-z0-9_]*``."""
    return text.isascii() and text.replace("_", "a").isalnum() and not text[0].isdigit()


def assignment_name(text: str) -> str | None:
    """The NAME of a word that opens with ``NAME=`` (an assignment word, POSIX XCU 2.9.1), else
    ``None``. The pattern ``[A-Za-z_][A-Za-z0-9_]*=`` read by hand (compiling it was a measurable
    share of the start-up; tests/test_reader_by_hand.py holds the two equal)."""
    equals = text.find("=")
    if equals <= 0:
        return None
    name = text[:equals]
    return name if is_name(name) else None


def is_assignment(text: str) -> bool:
    """Whether ``text`` opens with ``NAME=`` (:func:`assignment_name`)."""
    return assignment_name(text) is not None


def plain_end(stops: str, pos: int) -> int:
    """Where the run of plain characters from ``pos`` ends, in ``stops`` (the script with each
    of ``PLAIN_STOPS`` made a space): the end of ``[^ \\t\\r&|;()\\n\\\\'"]*`` matched at ``pos``,
    found without compiling it (tests/test_reader_by_hand.py holds the two equal)."""
    end = stops.find(" ", pos)
    return len(stops) if end < 0 else end


def _read_word(script: str, stops: str, pos: int) -> tuple[Word, int]:
    start = pos
    chars: list[str] = []
    origin: list[int] = []
    n = len(script)
    while pos < n:
        plain = plain_end(stops, pos)
        if plain > pos:
            chars.append(script[pos:plain])
            origin.extend(range(pos, plain))
            pos = plain
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
    for words, _ in _pipelined_commands(script):
        yield words


def _pipelined_commands(script: str) -> Iterator[tuple[list[Word], bool]]:
    """The simple commands of a script, each with whether it starts a pipeline (is not the
    right-hand side of a ``|``)."""
    stops = script.translate(_STOPS_TO_SPACE)
    pos = 0
    n = len(script)
    current: list[Word] = []
    after_pipe = False
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
                yield current, not after_pipe
            current = []
            after_pipe = operator == "|"
            pos += len(operator)
            continue
        word, pos = _read_word(script, stops, pos)
        current.append(word)
    if current:
        yield current, not after_pipe


def _split_assignment(word: Word, how: str, rest: tuple[Word, ...]) -> Assignment | None:
    name = assignment_name(word.text)
    if name is None:
        return None
    # The name must be written plainly (not quoted), so its characters are contiguous.
    if word.origin[: len(name) + 1] != tuple(range(word.start, word.start + len(name) + 1)):
        return None
    value = word.text[len(name) + 1 :]
    if value:
        start, end = word.span_of(len(name) + 1, len(word.text))
    else:
        start = end = word.start + len(name) + 1
    return Assignment(name, value, word, start, end, how, rest)


# How a shell reads ``time`` in front of a command (see :func:`assignments`).
POSIX_TIME = "program"  # dash, busybox sh: /usr/bin/time, a program like nice
BASH_TIME = "keyword"  # bash: a reserved word in front of a pipeline
BASH_POSIX_TIME = "keyword-posix"  # bash --posix: not when the next word starts with "-"


def time_reading(argv: Sequence[str]) -> str:
    """How the shell that ``argv`` starts (a ``SHELL`` instruction's or an exec form's
    ``["bash", "-o", "pipefail", "-c"]``) reads ``time``: :data:`BASH_TIME` for bash,
    :data:`BASH_POSIX_TIME` for bash in POSIX mode (``--posix``, ``-o posix``), else
    :data:`POSIX_TIME`. The bash manual ("Pipelines": ``[time [-p]] [!] command1 …``; "When the
    shell is in POSIX mode, it does not recognize time as a reserved word if the next token
    begins with a '-'"); a bash started as ``sh`` is not told apart (its image is not known)."""
    if not argv or program_name(argv[0]) != "bash":
        return POSIX_TIME
    options = list(argv[1:])
    if "--posix" in options or any(
        options[k] == "-o" and options[k + 1] == "posix" for k in range(len(options) - 1)
    ):
        return BASH_POSIX_TIME
    return BASH_TIME


def interpreter(script: str) -> list[str]:
    """The words of a script's ``#!`` first line (``["/bin/bash", "-e"]``), ``env`` and its
    options looked through (``#!/usr/bin/env -S bash`` gives ``["bash"]``); empty without one."""
    if not script.startswith("#!"):
        return []
    words = script[2:].split("\n", 1)[0].split()
    if words and program_name(words[0]) == "env":
        words = [word for word in words[1:] if not word.startswith("-")]
    return words


def assignments(script: str, *, time: str = POSIX_TIME) -> Iterator[Assignment]:
    """Every variable assignment a command makes for itself or exports to its children.
    ``time``: how the shell that runs the script reads ``time`` (:func:`time_reading`): as a
    program (POSIX ``time [-p] utility [argument...]``, dash and busybox sh: ``time NAME=VALUE
    prog`` runs a program named ``NAME=VALUE``), or as bash's reserved word in front of a
    pipeline (``time [-p] [--] NAME=VALUE prog`` sets it, bash's ``parse.y`` ``timespec``;
    not after a ``|``, where it is no pipeline's first word)."""
    for words, starts_pipeline in _pipelined_commands(script):
        yield from _command_assignments(
            words, time if starts_pipeline else POSIX_TIME
        )


def _strip_reserved(words: list[Word], time: str = POSIX_TIME) -> list[Word]:
    i = 0
    while i < len(words):
        text = words[i].text
        if text in RESERVED_PREFIXES:
            i += 1
        elif text == "time" and time != POSIX_TIME:
            following = words[i + 1].text if i + 1 < len(words) else ""
            if time == BASH_POSIX_TIME and following.startswith("-"):
                break  # /usr/bin/time then, with its options
            i += 1
            if i < len(words) and words[i].text == "-p":
                i += 1
            if i < len(words) and words[i].text == "--":
                i += 1
        else:
            break
    return words[i:]


def _command_assignments(words: list[Word], time: str = POSIX_TIME) -> Iterator[Assignment]:
    words = _strip_reserved(words, time)
    i = 0
    while i < len(words) and is_assignment(words[i].text):
        i += 1
    rest = tuple(words[i:])
    for word in words[:i]:
        found = _split_assignment(word, "prefix", rest)
        if found is not None:
            yield found
    if rest:
        yield from _program_assignments(rest)


def _program_assignments(words: tuple[Word, ...]) -> Iterator[Assignment]:
    """The assignments a program (``words[0]``, whatever it looks like) makes for the command it
    runs: ``export``/``env``/``sudo`` operands, and those of the command a wrapper or
    ``sh -c`` runs."""
    program = program_name(words[0].text)
    if program in DECLARATION_BUILTINS:
        for word in words[1:]:
            found = _split_assignment(word, "export", ())
            if found is not None:
                yield found
    elif program in WRAPPERS:
        operands, command = _run_by(words)
        for word in operands:
            found = _split_assignment(word, "env", command)
            if found is not None:
                yield found
        if command:
            yield from _program_assignments(command)
    elif program in SHELLS and len(words) >= 3 and re.fullmatch(_SHELL_C_FLAG, words[1].text):
        yield from _nested(words[2], time_reading([w.text for w in words[:2]]))


def _run_by(words: Sequence[Word]) -> tuple[list[Word], tuple[Word, ...]]:
    """(the NAME=VALUE operands it applies, the command it runs) of a wrapper (``env``,
    ``sudo -u app``, ``nice -n 10``, ``exec``): the command starts at the first word that is
    neither an option (nor an option's argument) nor, for ``env`` and ``sudo``, an assignment."""
    name = program_name(words[0].text)
    setter = name in SETTERS
    with_argument = (
        _SETTER_OPTIONS_WITH_ARGUMENT[name] if setter else _WRAPPER_OPTIONS_WITH_ARGUMENT[name]
    )
    operands: list[Word] = []
    i = 1
    while i < len(words):
        text = words[i].text
        if text == "--":
            i += 1
            if name == "env":  # env reads NAME=VALUE operands after --; sudo does not
                while i < len(words) and is_assignment(words[i].text):
                    operands.append(words[i])
                    i += 1
            break
        if text.startswith("-") and not (name == "env" and operands):
            i += 2 if text in with_argument else 1
        elif setter and is_assignment(text):
            operands.append(words[i])
            i += 1
        else:
            break
    return operands, tuple(words[i:])


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
    while i < len(words) and is_assignment(words[i].text):
        i += 1
    if i < len(words):
        yield from program_words(tuple(words[i:]))


def program_words(words: tuple[Word, ...]) -> Iterator[tuple[Word, ...]]:
    """The command (or commands) that a program (``words[0]``, whatever it looks like: in an
    exec-form command nothing reads assignments before it) runs in the end, looking through
    wrappers and ``sh -c``."""
    program = program_name(words[0].text)
    if program in WRAPPERS:
        command = _run_by(words)[1]
        if command:
            yield from program_words(command)
    elif program in SHELLS and len(words) >= 3 and re.fullmatch(_SHELL_C_FLAG, words[1].text):
        yield from commands(words[2].text)
    else:
        yield words


def _nested(word: Word, time: str = POSIX_TIME) -> Iterator[Assignment]:
    """Assignments inside ``sh -c 'script'``, with positions mapped back to the outer script
    (``time``: how that shell reads ``time``, :func:`time_reading`)."""

    def outer(i: int) -> int:
        return word.origin[i] if i < len(word.origin) else word.end

    def shift(inner: Word) -> Word:
        return Word(
            inner.text,
            outer(inner.start),
            outer(inner.end - 1) + 1 if inner.end > inner.start else outer(inner.start),
            tuple(outer(k) for k in inner.origin),
        )

    for found in assignments(word.text, time=time):
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
    ``env [options] NAME=value … program``, ``sudo [options] NAME=value … program``,
    ``sh -c 'NAME=value exec program'`` (and ``export`` in that script), through wrappers such
    as ``exec`` or ``nice`` (whose first operand is the program they run, never an assignment:
    see ``_WRAPPER_OPTIONS_WITH_ARGUMENT``).

    No shell splits an exec-form command: each element is one word as it is, quotes and all, and
    the first element is the program (never an assignment). The elements are read as the words of
    one simple command, so the same rules as :func:`assignments` apply."""
    if not argv or is_assignment(argv[0]) or argv[0] in RESERVED_PREFIXES:
        return
    words: list[Word] = []
    starts: list[int] = []
    base = 0
    for text in argv:
        starts.append(base)
        words.append(Word(text, base, base + len(text), tuple(range(base, base + len(text)))))
        base += len(text) + 1  # a gap no position falls in: positions map to one element
    for found in _program_assignments(tuple(words)):
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
