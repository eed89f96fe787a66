"""Read a YAML stream into nodes that know their exact place in the file's bytes.

PyYAML's composer does the reading (its C composer over libyaml when the wheel has it, the same
composer in pure Python otherwise): a well-kept library beats a hand-written YAML reader, and its
node tree keeps what a fixer needs and a plain ``load`` throws away: each node's start and end
mark, a scalar's style (plain, single- or double-quoted, block) and its text exactly as written.

PyYAML counts positions in characters; edits splice bytes, so :class:`ByteMap` turns a character
index into a byte offset (the identity for ASCII files, a per-line computation otherwise).

Kubernetes reads YAML 1.1 (sigs.k8s.io/yaml converts YAML to JSON with its fork of go-yaml v2;
``vendor/sigs.k8s.io/yaml/yaml.go`` ``yamlToJSON`` in kubernetes/kubernetes), so an unquoted
scalar's type follows go-yaml v2's ``resolve`` (``resolve.go``): see :func:`plain_scalar_type`.
A node keeps what that resolution needs: its explicit tag as written (``!!str 50`` has the str
tag), ``""`` for an untagged plain scalar (go-yaml's empty tag with ``implicit`` set), the str tag
for an untagged quoted or block scalar, and ``"!"`` for the non-specific tag; :func:`scalar_type`
answers with the type the JSON sent to the API server has.
Nodes are never converted to Python values here: a rule asks for the text of the scalars it needs.
"""

from __future__ import annotations

import bisect
import contextlib
import gc
import re
from collections.abc import Iterator

__all__ = [
    "PLAIN_TAG", "ByteMap", "Document", "MappingNode", "Node", "ScalarNode", "SequenceNode",
    "YamlError", "YamlStream", "get", "get_path", "items", "plain_scalar_type", "read_stream",
    "scalar_style", "scalar_type", "text", "walk",
]

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from dfmemlint.records import Record

try:  # libyaml's composer: the same nodes, several times faster
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - the PyPI wheels ship libyaml
    from yaml import SafeLoader as _BaseLoader

_STR_TAG = "tag:yaml.org,2002:str"
PLAIN_TAG = ""  # an untagged plain scalar: its type is resolved from its text
_NON_SPECIFIC_TAG = "!"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"


class _Loader(_BaseLoader):  # type: ignore[misc]
    """A composer that does not resolve implicit tags. PyYAML's resolver is pure Python, run on
    every scalar (its regular expressions took most of the reading time), and its tags are YAML
    1.1 as PyYAML reads it, not as go-yaml v2 does: :func:`scalar_type` answers that for the few
    scalars a rule asks about. The composer calls this only for a node without a tag or with the
    non-specific ``!``; ``implicit[0]`` (libyaml's ``plain_implicit``) is set for a plain scalar
    (and for ``!``, which :func:`_mark_non_specific` tells apart afterwards)."""

    def resolve(self, kind: type, value: object, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return PLAIN_TAG if implicit[0] else _STR_TAG
        return _SEQ_TAG if kind is SequenceNode else _MAP_TAG


_SOURCE_COMMENT = re.compile(rb"^# Source: (.+?)\r?$", re.MULTILINE)


class YamlError(Record):
    """Why the stream is not YAML, and where (1-based line and column)."""

    message: str
    line: int
    column: int


class ByteMap:
    """Character index (as PyYAML counts) to byte offset, for one decoded text."""

    def __init__(self, text: str, data: bytes) -> None:
        self._ascii = len(text) == len(data)
        self._text = text
        self._char_starts: list[int] = []
        self._byte_starts: list[int] = []
        if not self._ascii:
            char = byte = 0
            for line in text.splitlines(keepends=True):
                self._char_starts.append(char)
                self._byte_starts.append(byte)
                char += len(line)
                byte += len(line.encode("utf-8", "surrogateescape"))

    def offset(self, index: int) -> int:
        if self._ascii:
            return index
        line = max(bisect.bisect_right(self._char_starts, index) - 1, 0)
        if not self._char_starts:
            return 0
        start = self._char_starts[line]
        return self._byte_starts[line] + len(
            self._text[start:index].encode("utf-8", "surrogateescape")
        )


class Document(Record):
    root: Node  # the document's top node (a MappingNode for a Kubernetes object)
    start: int  # byte span of the document's content
    end: int
    source: str | None  # the template named by Helm's ``# Source:`` comment above it


class YamlStream(Record):
    data: bytes
    documents: tuple[Document, ...]
    bytemap: ByteMap
    error: YamlError | None  # the stream is not YAML: documents holds those read before

    def span(self, node: Node) -> tuple[int, int]:
        """Byte span of ``node`` as written (a quoted scalar includes its quotes)."""
        return (
            self.bytemap.offset(node.start_mark.index),
            self.bytemap.offset(node.end_mark.index),
        )

    def value_span(self, node: ScalarNode) -> tuple[int, int, bool]:
        """Byte span of a scalar's value without its quotes, and whether those bytes are exactly
        the value (no escapes, folding or block indicators), so that an edit may replace them."""
        start, end = self.span(node)
        raw = self.data[start:end]
        style = scalar_style(node)
        if style in ('"', "'") and len(raw) >= 2 and raw[:1] == raw[-1:] == style.encode():
            inner = raw[1:-1]
            exact = inner.decode("utf-8", "surrogateescape") == node.value
            return start + 1, end - 1, exact
        if style == "":
            return start, end, raw.decode("utf-8", "surrogateescape") == node.value
        return start, end, False


def scalar_style(node: Node) -> str:
    """``""`` plain, ``"'"`` or ``'"'`` quoted, ``"|"`` or ``">"`` block (the C composer says
    ``""`` and the Python one ``None`` for plain)."""
    return getattr(node, "style", None) or ""


def get(node: Node | None, key: str) -> Node | None:
    """The value of ``key`` in a mapping node (the last one, as go-yaml v2 keeps it); None when
    ``node`` is not a mapping or has no such key."""
    if not isinstance(node, MappingNode):
        return None
    found = None
    for key_node, value in node.value:
        if isinstance(key_node, ScalarNode) and key_node.value == key:
            found = value
    return found


def items(node: Node | None) -> list[Node]:
    """The entries of a sequence node; ``[]`` for anything else."""
    return list(node.value) if isinstance(node, SequenceNode) else []


def text(node: Node | None) -> str | None:
    """A scalar's text as the YAML means it (quotes and escapes resolved); None otherwise or for
    a null (``~``, ``null``, empty, ``!!null``)."""
    if not isinstance(node, ScalarNode):
        return None
    if scalar_type(node) == "null":
        return None
    return str(node.value)


def get_path(node: Node | None, *keys: str) -> Node | None:
    for key in keys:
        node = get(node, key)
    return node


_YAML11_BOOL = frozenset(
    word
    for words in ("y yes", "n no", "true", "false", "on", "off")
    for base in words.split(" ")
    for word in (base, base.capitalize(), base.upper())
)
_YAML11_NULL = frozenset(["", "~", "null", "Null", "NULL"])
_YAML11_FLOAT_WORDS = frozenset(
    sign + word for sign in ("", "+", "-") for word in (".inf", ".Inf", ".INF")
) | {".nan", ".NaN", ".NAN"}
_GO_INT = re.compile(
    r"[-+]?(?:0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|0|[1-9][0-9]*)"
)
_YAML_STYLE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?")


def plain_scalar_type(value: str) -> str:
    """What go-yaml v2 (``resolve`` in ``resolve.go``) makes of an unquoted scalar: ``"bool"``,
    ``"null"``, ``"int"``, ``"float"``, ``"timestamp"`` or ``"str"``.

    The table of words (``y``, ``yes``, ``on``, ``off`` … are booleans: YAML 1.1), then for text
    starting with a digit or sign: a timestamp, ``strconv.ParseInt(s, 0, 64)`` with ``_`` removed
    (decimal, ``0x``, ``0o``, octal ``0…``, ``0b``), then a YAML-style float."""
    if value in _YAML11_BOOL:
        return "bool"
    if value in _YAML11_NULL:
        return "null"
    if value in _YAML11_FLOAT_WORDS or value == "<<":
        return "float" if value != "<<" else "str"
    if not value or value[0] not in "+-0123456789.":
        return "str"
    if value[0] == ".":
        return "float" if _YAML_STYLE_FLOAT.fullmatch(value) else "str"
    if _TIMESTAMP.fullmatch(value):
        return "timestamp"
    plain = value.replace("_", "")
    if _GO_INT.fullmatch(plain):
        return "int"
    if _YAML_STYLE_FLOAT.fullmatch(plain):
        return "float"
    return "str"


_TAG_PREFIX = "tag:yaml.org,2002:"
_RESOLVABLE = frozenset(("bool", "int", "float", "null", "timestamp"))


def scalar_type(node: ScalarNode) -> str:
    """The type Kubernetes' YAML reading gives a scalar: ``"str"``, ``"bool"``, ``"int"``,
    ``"float"``, ``"null"``, or ``"invalid"`` when its explicit tag does not fit its text (go-yaml
    fails the whole document: ``cannot decode !!str `abc` as a !!int``).

    go-yaml v2 as forked in sigs.k8s.io/yaml: ``decoder.scalar`` (``goyaml.v2/decode.go``) takes
    a scalar with no tag and no ``implicit`` flag (quoted, block) as a string, and otherwise calls
    ``resolve(tag, value)`` (``goyaml.v2/resolve.go``). ``resolve`` returns any tag other than the
    empty one, ``!!str``, ``!!bool``, ``!!int``, ``!!float``, ``!!null`` and ``!!timestamp``
    unchanged with the text as a string (so ``! 50``, ``!custom 50`` are strings); ``!!str`` and
    ``!!binary`` accept any text; another explicit tag must match what the text resolves to (an
    integer may be a ``!!float``). ``decoder.scalar`` keeps a timestamp as its text when the target
    is ``interface{}``, as ``yamlToJSONTarget`` (sigs.k8s.io/yaml ``yaml.go``) decodes, so
    ``2024-01-02`` reaches the API server as a string."""
    tag = node.tag
    if tag == PLAIN_TAG:  # (libyaml marks a quoted scalar plain when it is tagged "!")
        kind = plain_scalar_type(str(node.value)) if scalar_style(node) == "" else "str"
        return "str" if kind == "timestamp" else kind
    if not tag.startswith(_TAG_PREFIX) or tag[len(_TAG_PREFIX):] not in _RESOLVABLE:
        return "str"  # !!str, !!binary, "!", local and unknown tags
    wanted = tag[len(_TAG_PREFIX):]
    found = plain_scalar_type(str(node.value))
    if found == wanted or (wanted == "float" and found == "int"):
        return "str" if wanted == "timestamp" else wanted
    return "invalid"


def _mark_non_specific(root: Node, text: str) -> None:
    """Give the plain scalars written with the non-specific tag ``!`` that tag (libyaml reports
    them as plain and untagged). A plain scalar cannot start with ``!`` or ``&``, so a node whose
    text does is written with a tag or an anchor before its value."""
    for node in walk(root):
        if isinstance(node, ScalarNode) and node.tag == PLAIN_TAG:
            at = node.start_mark.index
            if text[at : at + 1] not in ("!", "&"):
                continue
            properties = text[at : node.end_mark.index].split(None, 2)
            if any(word == _NON_SPECIFIC_TAG for word in properties[:2]):
                node.tag = _NON_SPECIFIC_TAG


_NON_SPECIFIC = re.compile(r"(?:^|[\s,\[{:?-])!(?=[\s])")


def _error(exc: yaml.YAMLError) -> YamlError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    message = f"{context}: {problem}" if context else str(problem)
    if mark is None:  # pragma: no cover - PyYAML's reading errors all carry a mark
        return YamlError(message, 1, 1)
    return YamlError(message, mark.line + 1, mark.column + 1)


def _decode(data: bytes) -> tuple[str, int]:
    """The text PyYAML reads and the byte length of a UTF-8 byte order mark it skips."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    return data[bom:].decode("utf-8"), bom


def read_stream(data: bytes) -> YamlStream:
    """Compose every document of ``data`` (UTF-8, as Kubernetes requires).

    Never raises for bad input: a stream that is not UTF-8 or not YAML gets ``error`` set (with
    the documents read before the error)."""
    try:
        text, bom = _decode(data)
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        empty = ByteMap("", b"")
        return YamlStream(data, (), empty, YamlError("not UTF-8 text", line, column))
    bytemap = _ShiftedByteMap(text, data[bom:], bom) if bom else ByteMap(text, data)
    sources = [(m.start(), m.group(1).decode("utf-8", "replace").strip())
               for m in _SOURCE_COMMENT.finditer(data)] if b"# Source:" in data else []
    documents: list[Document] = []
    with without_cycle_collection():
        error = _compose(text, bytemap, sources, documents)
    return YamlStream(data, tuple(documents), bytemap, error)


def _compose(
    text: str, bytemap: ByteMap, sources: list[tuple[int, str]], documents: list[Document]
) -> YamlError | None:
    """Append the documents of ``text`` to ``documents``; the error that stopped reading."""
    previous_end = 0
    next_source = 0  # the first ``# Source:`` comment not yet passed: one pass over them all
    non_specific = "!" in text and _NON_SPECIFIC.search(text) is not None
    try:
        for root in yaml.compose_all(text, Loader=_Loader):
            if root is None:  # pragma: no cover - compose_all yields nodes only
                continue
            if non_specific:
                _mark_non_specific(root, text)
            start = bytemap.offset(root.start_mark.index)
            end = bytemap.offset(root.end_mark.index)
            source = None
            while next_source < len(sources) and sources[next_source][0] < start:
                at, name = sources[next_source]
                if previous_end <= at:
                    source = name
                next_source += 1
            documents.append(Document(root, start, end, source))
            previous_end = end
    except yaml.YAMLError as exc:
        return _error(exc)
    return None


@contextlib.contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Pause Python's cyclic garbage collector. The nodes of a big stream and their marks are
    hundreds of thousands of small objects that hold no reference cycles; with the collector
    on, its repeated passes over them made reading and linting a 10,000-document stream several
    times slower (and not linear). Reference counting still frees everything."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class _ShiftedByteMap(ByteMap):
    """A :class:`ByteMap` for text that followed a byte order mark."""

    def __init__(self, text: str, data: bytes, shift: int) -> None:
        super().__init__(text, data)
        self._shift = shift

    def offset(self, index: int) -> int:
        return super().offset(index) + self._shift


def walk(node: Node) -> Iterator[Node]:
    """``node`` and every node below it (depth first, document order)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, MappingNode):
            for key, value in reversed(current.value):
                stack.append(value)
                stack.append(key)
        elif isinstance(current, SequenceNode):
            stack.extend(reversed(current.value))
