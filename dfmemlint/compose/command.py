"""A Compose service's ``entrypoint`` and ``command``: the command line its container starts with,
and what of the image's start command it replaces.

compose-go reads each as ``types.ShellCommand`` (``types/command.go`` ``DecodeMapstructure``): a
list is taken element by element; a string is split into words by go-shellwords
(github.com/mattn/go-shellwords ``Parse``, v1.0.12 as compose-go's ``go.mod`` requires), which no
shell runs: :func:`split` follows it. A later file's ``entrypoint``/``command`` replaces an earlier
one's (``override/merge.go``: ``override`` for both).

docker compose passes them to the engine as the container's ``Entrypoint`` and ``Cmd`` when they
are set (docker/compose ``pkg/compose/create.go`` ``getCreateConfigs``), and the engine fills in
the image's only where they are empty (moby ``daemon/commit.go`` ``merge``): a non-empty
``entrypoint`` replaces the image's ENTRYPOINT and drops its CMD (the service's ``command``, if
any, follows it); an empty one (``entrypoint: []``) drops the ENTRYPOINT only; a non-empty
``command`` replaces the CMD. So the program's command line is ``entrypoint`` + ``command`` when
``entrypoint`` is set; ``command`` alone follows the image's ENTRYPOINT, and is read as the command
line (as a Kubernetes container's ``args`` alone: :func:`dfmemlint.kubernetes.environment.
command_line` says why).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import yaml

from dfmemlint.compose.merge import Raw
from dfmemlint.compose.model import EnvValue, Service
from dfmemlint.compose.source import scalar_span
from dfmemlint.containers import Place
from dfmemlint.records import Record
from dfmemlint.start_command import TRACKED, Element, effective, read

if TYPE_CHECKING:
    from dfmemlint.compose.merge import RawService
    from dfmemlint.compose.project import _Reader

_NULLS = ("", "~", "null", "Null", "NULL")

_SPACE = " \t\r\n"
_STOP = ";&|<>"


class ShellWord(Record):
    """One word of a Compose command string: its text, and for each character the index in the
    string of the character that wrote it (quotes and backslashes are not in the text)."""

    text: str
    origin: tuple[int, ...]


class SplitError(ValueError):
    """go-shellwords refuses the string (an unterminated quote, a ``(`` that does not follow
    ``$``); Compose then refuses the file."""


def split(line: str) -> list[ShellWord]:
    """The words go-shellwords ``Parse`` (v1.0.12, without ``ParseEnv``/``ParseBacktick``, as
    compose-go calls it) makes of ``line``: blanks separate words outside quotes; a backslash
    outside single quotes takes the next character as it is; quotes group and are removed (``""``
    is an empty word); an unquoted ``;``, ``&``, ``|``, ``<`` or ``>`` ends the command line (what
    follows is dropped, and a word of digits before ``>`` with it); backquotes and ``$( … )`` are
    kept as written, blanks included. Raises SplitError where it fails."""
    words: list[ShellWord] = []
    text: list[str] = []
    origin: list[int] = []
    escaped = double = single = backquote = dollar = False
    got = False  # a word has been started (argSingle or argQuoted)

    def push() -> None:
        words.append(ShellWord("".join(text), tuple(origin)))
        text.clear()
        origin.clear()

    for i, ch in enumerate(line):
        if escaped:
            text.append(ch)
            origin.append(i)
            escaped = False
            got = True
            continue
        if ch == "\\":
            if single:
                text.append(ch)
                origin.append(i)
            else:
                escaped = True
            continue
        if ch in _SPACE:
            if single or double or backquote or dollar:
                text.append(ch)
                origin.append(i)
            elif got:
                push()
                got = False
            continue
        if ch == "`" and not (single or double or dollar):
            backquote = not backquote
        elif ch == ")" and not (single or double or backquote):
            dollar = not dollar
        elif ch == "(" and not (single or double or backquote):
            if dollar or not text or text[-1] != "$":
                raise SplitError("invalid command line string")
            dollar = True
        elif ch == '"' and not (single or dollar):
            if double:
                got = True
            double = not double
            continue
        elif ch == "'" and not (double or dollar):
            if single:
                got = True
            single = not single
            continue
        elif ch in _STOP and not (single or double or backquote or dollar):
            if ch == ">" and text and "0" <= text[0] <= "9":
                got = False
            break
        got = True
        text.append(ch)
        origin.append(i)
    if got:
        push()
    if escaped or single or double or backquote or dollar:
        raise SplitError("invalid command line string")
    return words


def replaced(entrypoint: list[str] | None, command: list[str] | None) -> frozenset[str]:
    """What of the image's start command a service with this ``entrypoint`` and ``command``
    (None: not set) replaces, as the kinds of Dockerfile instruction: ``"entrypoint"``,
    ``"cmd"``."""
    kinds: set[str] = set()
    if entrypoint is not None:
        kinds.add("entrypoint")
        if entrypoint:
            kinds.add("cmd")
    if command:
        kinds.add("cmd")
    return frozenset(kinds)


def _elements(item: Raw, field: str, reader: _Reader) -> list[Element] | None:
    """The arguments ``entrypoint``/``command`` (``item``) gives, each placed in the file: a list
    element by element, a string word by word (:func:`split`); None when it is not set (null)
    or cannot be read (a value only the shell knows, a string go-shellwords refuses, a
    non-scalar element)."""
    node = item.node
    source = item.source
    if isinstance(node, yaml.ScalarNode):
        if node.style is None and node.value in _NULLS:
            return None
        value, _ = reader.string(item)
        if value is None:
            return None
        try:
            words = split(value)
        except SplitError as exc:
            reader.notes.append(f"{reader.where(item)}: {field} {value!r}: {exc}")
            return None
        start, end, exact = scalar_span(source.text, node)
        exact = exact and value == node.value  # nothing interpolated
        whole = Place(source.path, source.byte_offset(start), source.byte_offset(end), False)
        elements = []
        for word in words:
            chars = None
            if exact and word.origin and any(name in word.text for name in TRACKED):
                chars = tuple(source.byte_offset(start + i) for i in word.origin)
            elements.append(Element(word.text, field, whole._replace(editable=exact), chars))
        return elements
    if not isinstance(node, yaml.SequenceNode):
        return None
    elements = []
    for element in node.value:
        if not isinstance(element, yaml.ScalarNode):
            return None
        value, _ = reader.string(Raw(element, source))
        if value is None:
            return None
        start, end, exact = scalar_span(source.text, element)
        exact = exact and value == element.value
        place = Place(source.path, source.byte_offset(start), source.byte_offset(end), exact)
        chars = None
        if exact and any(name in value for name in TRACKED):
            chars = tuple(source.byte_offset(start + i) for i in range(len(value)))
        elements.append(Element(value, field, place, chars))
    return elements


def resolve_start(service: Service, raw: RawService, reader: _Reader) -> None:
    """Set ``service.replaces`` and ``service.command_env`` from its ``entrypoint`` and
    ``command`` (after its ``environment`` is resolved)."""
    found: dict[str, list[Element] | None] = {}
    for field in ("entrypoint", "command"):
        item = raw.start.get(field)
        found[field] = None if item is None else _elements(item, field, reader)
    entrypoint, command = found["entrypoint"], found["command"]
    service.replaces = replaced(
        None if entrypoint is None else [e.text for e in entrypoint],
        None if command is None else [e.text for e in command],
    )
    argv = [*(entrypoint or ()), *(command or ())] if entrypoint else (command or [])
    sources = {item.source.path: item.source for item in raw.start.values() if item is not None}
    for name, setting in effective(read(argv)).items():
        if setting.defers and (name in service.environment or setting.value is None):
            continue  # the environment's value wins
        place = setting.place
        origin = sources[place.path].origin_of_bytes(place.start, place.end, place.editable)
        service.command_env[name] = EnvValue(name, setting.value, origin, setting.origin)
