"""GOMEMLIMIT and GOGC set on the command line a container starts with, written in YAML: a
Kubernetes container's ``command``/``args`` or a Compose service's ``entrypoint``/``command``.

Nothing runs these through a shell: each element is one argument (Kubernetes ``Container.Command``
"is not executed within a shell", kubernetes/kubernetes ``staging/src/k8s.io/api/core/v1/
types.go``; a Compose string is split into words by go-shellwords, :mod:`dfmemlint.compose.
command`). So they are read as a Dockerfile's exec-form ``CMD`` is, by the same reader
(:func:`dfmemlint.dockerfile.shell.argv_assignments`): ``env NAME=VALUE prog`` and ``sudo
NAME=VALUE prog`` (the only programs that apply such operands), ``sh -c 'NAME=VALUE exec prog'``
and ``export`` in that script, through wrappers such as ``exec`` and ``nice``. The program sees
such an assignment over the environment it was started with (``env`` sets it after the
container's environment is in place), so it is the value the program starts with.

A value that refers to the variable itself defers to the environment: ``${GOMEMLIMIT:-409MiB}``
in a ``sh -c`` script (the environment's value, else ``409MiB``), ``$(GOMEMLIMIT)`` in a
Kubernetes command (the kubelet expands it from the container's environment:
``pkg/kubelet/container/helpers.go`` ``ExpandContainerCommandAndArgs``; ``$$(VAR)`` stays
literal). Any other ``$`` is expanded by a shell or the kubelet from values not read here: the
value is unknown.

Each setting is placed where its value is written: exactly, inside the YAML scalar (or the word of
a Compose string), when the characters of the value are written one after the other without
escapes (then a fix may replace them: the replacement is letters and digits, which keeps the
scalar's quoting and the YAML valid); otherwise the whole element is the place, and no fix edits
it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from dfmemlint.containers import Place
from dfmemlint.records import Record

TRACKED = ("GOMEMLIMIT", "GOGC")


class Element(Record):
    """One argument of the command line, as the program receives it, and where it is written.

    ``chars``: the byte offset of each character of ``text`` in the file of ``place`` (None when
    the text cannot be mapped back: escapes, folding, interpolation); ``place`` is the whole
    element as written (inside a scalar's quotes)."""

    text: str
    field: str  # "command", "args", "entrypoint"
    place: Place
    chars: tuple[int, ...] | None


class CommandSetting(Record):
    """A runtime variable the command line sets for the program it starts.

    ``value`` is what the program gets (None: a shell or the kubelet expands a reference not read
    here); with ``defers`` the value refers to the variable itself, so the environment's value
    wins, and ``value`` is the default used without one (None: no default, or not known)."""

    name: str
    value: str | None
    field: str
    place: Place
    how: str  # "env" (env/sudo operand), "prefix" or "export" (in a sh -c script)
    script: bool  # inside a ``sh -c`` script
    defers: bool = False

    @property
    def origin(self) -> str:
        """How it is set, for messages: ``command``, ``args (sh -c script)``."""
        return f"{self.field} (sh -c script)" if self.script else self.field


def exact_chars(text: str, start: int) -> tuple[int, ...]:
    """Byte offsets of the characters of ``text`` written as UTF-8 from byte ``start`` on."""
    if text.isascii():
        return tuple(range(start, start + len(text)))
    offsets = []
    at = start
    for ch in text:
        offsets.append(at)
        at += len(ch.encode("utf-8", "surrogateescape"))
    return tuple(offsets)


def _self_reference(name: str) -> re.Pattern[str]:
    # The shell's $NAME / ${NAME…}, and the kubelet's $(NAME) (not $$(NAME), which stays literal).
    return re.compile(rf"\$\{{?{name}\b|(?<!\$)\$\({name}\)")


def _default(name: str, value: str) -> tuple[int, int] | None:
    """The span (in ``value``) of the default of ``${NAME:-default}`` or ``${NAME-default}``
    written as the whole value, when the default has no reference of its own."""
    match = re.fullmatch(rf"\$\{{{name}:?-([^$`\\'\"{{}}]*)\}}", value)
    return None if match is None else match.span(1)


def _place(element: Element, start: int, end: int, value: str) -> Place:
    """``element.text[start:end]`` (which reads as ``value``) as a place, from where its first
    character is written to its last: editable when that is ``value`` (no quotes or escapes
    inside) written one character after the other; the whole element when the characters
    cannot be mapped back."""
    chars = element.chars
    whole = element.place._replace(editable=False)
    text = element.text
    if chars is None or not chars:
        return whole
    if end <= start:  # an empty value: where it would be written
        at = chars[start] if start < len(chars) else chars[-1] + len(text[-1].encode())
        return Place(whole.path, at, at, False)
    together = all(
        chars[k + 1] == chars[k] + len(text[k].encode("utf-8", "surrogateescape"))
        for k in range(start, end - 1)
    )
    last = chars[end - 1] + len(text[end - 1].encode("utf-8", "surrogateescape"))
    editable = together and element.place.editable and text[start:end] == value
    return Place(whole.path, chars[start], last, editable)


def read(elements: Sequence[Element]) -> list[CommandSetting]:
    """The tracked variables the command line ``elements`` sets for its program, in order (a
    later one of the same name wins)."""
    argv = [element.text for element in elements]
    if not any(name in text for text in argv for name in TRACKED):
        return []
    from dfmemlint.dockerfile.shell import argv_assignments

    found: list[CommandSetting] = []
    for assignment in argv_assignments(argv):
        name = assignment.name
        if name not in TRACKED:
            continue
        element = elements[assignment.element]
        written = assignment.value
        start, end = assignment.value_start, assignment.value_end
        place = _place(element, start, end, written)
        value: str | None = written
        defers = False
        if _self_reference(name).search(written):
            defers = True
            span = _default(name, written)
            value = None
            if span is not None:
                value = written[span[0] : span[1]]
                if place.editable:  # the default alone, so that a fix edits only it
                    place = _place(element, start + span[0], start + span[1], value)
        elif "$" in written:
            value = None
        found.append(
            CommandSetting(
                name, value, element.field, place, assignment.how, assignment.nested, defers
            )
        )
    return found


def effective(found: Iterable[CommandSetting]) -> dict[str, CommandSetting]:
    """The last setting of each variable (the one the program sees)."""
    last: dict[str, CommandSetting] = {}
    for setting in found:
        last[setting.name] = setting
    return last
