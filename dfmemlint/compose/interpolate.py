"""Compose's variable interpolation (``${VAR}``, ``${VAR:-default}``, ``$$``), with positions.

A port of compose-spec/compose-go ``template/template.go`` (``SubstituteWithOptions``,
``DefaultReplacementAppliedFunc``, ``getSubstitutionFunctionForTemplate``,
``getFirstBraceClosingIndex`` and the ``withDefaultWhenAbsence`` / ``withDefaultWhenPresence`` /
``withRequired`` functions), with two differences that a linter needs:

* **Unknown is not empty.** Compose looks variables up in the shell's environment first and the
  project's ``.env`` file second. dfmemlint cannot see the shell that will run
  ``docker compose``, so a variable the ``.env`` file does not set is *unknown*: ``${VAR}`` and
  ``${VAR:?err}`` give an unknown value (never a guessed empty string), while ``${VAR:-default}``
  and ``${VAR-default}`` give the default, which is what Compose uses unless the shell sets
  ``VAR`` (:attr:`Interpolated.overridable` names those variables).
* **Where each character came from.** The result is a list of pieces, each either literal text
  of the template (with its offsets, so a fix can edit the default in place) or the value of a
  variable (so a finding can point at the ``.env`` line that set it).

The grammar (case-insensitive names ``[_a-z][_a-z0-9]*``): ``$$`` is a literal ``$``; ``$VAR``
and ``${VAR}``; ``${VAR:-d}`` (unset or empty), ``${VAR-d}`` (unset), ``${VAR:+a}`` (set and
not empty), ``${VAR+a}`` (set), ``${VAR:?err}`` (error when unset or empty), ``${VAR?err}``
(error when unset). Defaults, alternatives and error texts are interpolated in turn, so
``${A:-${B:-x}}`` nests. A ``$`` followed by anything else (``${``, ``$1``) is an invalid
template: Compose refuses the file.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dfmemlint.records import Record

_PATTERN = re.compile(
    r"\$(?i:(?P<escaped>\$)|(?P<named>[_a-z][_a-z0-9]*)|"
    r"\{(?:(?P<braced>[_a-z][_a-z0-9]*(?::?[-+?](.*))?)\}|(?P<invalid>)))"
)
# In the order compose-go lists them; the one that occurs first in the template wins.
_SEPARATORS = (":?", "?", ":-", "-", ":+", "+")


class Piece(Record):
    """Part of an interpolated value: literal template text or a variable's value."""

    text: str
    start: int  # offsets of literal text in the template; -1 for a variable's value
    end: int
    variable: str | None = None  # the variable whose value this is


class Interpolated(Record):
    """The value Compose computes, or None when it depends on the shell (or is an error)."""

    value: str | None
    pieces: tuple[Piece, ...]
    #: Variables the ``.env`` file does not set whose default was used: the shell may set them.
    overridable: tuple[str, ...] = ()
    #: Variables whose value is unknown (not in ``.env``, no default).
    unknown: tuple[str, ...] = ()
    #: Why Compose refuses the text (an invalid template), or a required variable's message.
    error: str | None = None


Lookup = Callable[[str], "str | None"]


class _Unknown(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class _Invalid(Exception):
    pass


class _State:
    def __init__(self, lookup: Lookup) -> None:
        self.lookup = lookup
        self.overridable: list[str] = []


def _first_brace_closing(s: str) -> int:
    """``getFirstBraceClosingIndex``: the ``}`` that closes the first ``{`` (the character after
    each ``{`` is skipped, as in Go)."""
    depth = 0
    i = 0
    while i < len(s):
        if s[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        if s[i] == "{":
            depth += 1
            i += 1
        i += 1
    return -1


def _separator_for(template: str) -> str:
    """``getSubstitutionFunctionForTemplate``: the separator that occurs first in ``template``
    (compose-go sorts its table by first index; ties and absent separators keep table order)."""
    present = [(template.find(sep), n, sep) for n, sep in enumerate(_SEPARATORS)]
    found = sorted(p for p in present if p[0] >= 0)
    return found[0][2] if found else _SEPARATORS[0]


def _substitute(template: str, offset: int, state: _State) -> list[Piece]:
    """``SubstituteWithOptions`` over ``template`` (which starts at ``offset`` in the original)."""
    pieces: list[Piece] = []
    position = 0
    for match in _PATTERN.finditer(template):
        if match.start() > position:
            pieces.append(
                Piece(template[position : match.start()], offset + position, offset + match.start())
            )
        pieces.extend(_replace(match.group(0), offset + match.start(), state))
        position = match.end()
    if position < len(template):
        pieces.append(Piece(template[position:], offset + position, offset + len(template)))
    return pieces


def _replace(substring: str, offset: int, state: _State) -> list[Piece]:
    """``DefaultReplacementAppliedFunc`` for one match starting at ``offset``."""
    sep = _separator_for(substring)
    closing = _first_brace_closing(substring)
    rest = ""
    if closing > -1:
        rest = substring[closing + 1 :]
        substring = substring[: closing + 1]
    match = _PATTERN.match(substring)
    if match is None or match.end() != len(substring):
        raise _Invalid(substring)
    if match.group("escaped"):
        return [Piece("$", offset, offset + 2)]
    name = match.group("named")
    braced = False
    body_offset = offset + 1
    if not name:
        name = match.group("braced")
        braced = True
        body_offset = offset + 2
    if not name:
        raise _Invalid(substring)
    if braced and sep in name:
        variable, _, argument = name.partition(sep)
        argument_offset = body_offset + len(variable) + len(sep)
        pieces = _apply(sep, variable, argument, argument_offset, state)
        rest_offset = offset + len(substring)
        return pieces + _substitute(rest, rest_offset, state)
    value = state.lookup(name)
    if value is None:
        raise _Unknown(name)
    return [Piece(value, -1, -1, name)]


def _apply(sep: str, name: str, argument: str, offset: int, state: _State) -> list[Piece]:
    value = state.lookup(name)
    if sep in (":-", "-"):
        if value is None or (sep == ":-" and value == ""):
            if value is None:
                state.overridable.append(name)
            return _substitute(argument, offset, state)
        return [Piece(value, -1, -1, name)]
    if sep in (":+", "+"):
        if value is None:
            raise _Unknown(name)  # the shell may set it, and then the alternative applies
        if sep == "+" or value != "":
            return _substitute(argument, offset, state)
        return [Piece(value, -1, -1, name)]
    # ":?" and "?": an error when missing; unknown here, since the shell may set it.
    if value is None or (sep == ":?" and value == ""):
        raise _Unknown(name)
    return [Piece(value, -1, -1, name)]


def _merge(pieces: list[Piece]) -> tuple[Piece, ...]:
    """Drop empty pieces and join adjacent literal ones."""
    merged: list[Piece] = []
    for piece in pieces:
        if not piece.text and piece.variable is None:
            continue
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.variable is None
            and piece.variable is None
            and last.end == piece.start
            and last.end - last.start == len(last.text)
            and piece.end - piece.start == len(piece.text)
        ):
            merged[-1] = Piece(last.text + piece.text, last.start, piece.end)
        else:
            merged.append(piece)
    return tuple(merged)


def interpolate(template: str, lookup: Lookup) -> Interpolated:
    """Interpolate ``template`` as Compose does, with ``lookup`` giving the ``.env`` values
    (None: not set there). Offsets in the pieces are indexes into ``template``."""
    state = _State(lookup)
    try:
        pieces = _substitute(template, 0, state)
    except _Unknown as exc:
        return Interpolated(None, (), tuple(state.overridable), (exc.name,))
    except _Invalid as exc:
        return Interpolated(None, (), (), (), f"invalid interpolation format: {str(exc)!r}")
    merged = _merge(pieces)
    return Interpolated("".join(p.text for p in merged), merged, tuple(state.overridable))


def literal(text: str) -> str:
    """The template whose interpolation is ``text``: each ``$`` written as the escape ``$$``
    (template/template.go, the ``escaped`` group of ``DefaultPattern``). What a fix writes
    into a Compose value goes through this, so the container gets exactly ``text``."""
    return text.replace("$", "$$")


def has_interpolation(text: str) -> bool:
    """``text`` contains a ``$`` (so Compose's interpolation may change it)."""
    return "$" in text
