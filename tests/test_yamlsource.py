"""The YAML reading layer: byte offsets, scalar styles, errors and YAML 1.1 typing."""

from __future__ import annotations

import pytest
import yaml

from dfmemlint.yamlsource import reader
from dfmemlint.yamlsource.reader import plain_scalar_type, read_stream


def _scalar(stream: reader.YamlStream, *keys: str) -> reader.ScalarNode:
    node = reader.get_path(stream.documents[0].root, *keys)
    assert isinstance(node, reader.ScalarNode)
    return node


@pytest.mark.parametrize(
    ("data", "value", "raw"),
    [
        (b'a: "v\xc3\xa9"\nb: plain\n', "plain", b"plain"),
        ('a: "vé"\r\nb: \'€x\'\n'.encode(), "€x", "€x".encode()),
        ("\ufeffa: 1\nb: ünï\n".encode(), "ünï", "ünï".encode()),
        (b"a: {b: flow}\n", None, None),
    ],
)
def test_value_spans_are_byte_exact(data: bytes, value: str | None, raw: bytes | None) -> None:
    stream = read_stream(data)
    assert stream.error is None
    if value is None:
        node = reader.get_path(stream.documents[0].root, "a", "b")
        assert isinstance(node, reader.ScalarNode)
        start, end, exact = stream.value_span(node)
        assert (data[start:end], exact) == (b"flow", True)
        return
    node = _scalar(stream, "b")
    start, end, exact = stream.value_span(node)
    assert data[start:end] == raw
    assert exact


def test_escapes_and_blocks_are_not_editable() -> None:
    data = b'a: "x\\ty"\nb: |\n  text\nc: \'it\'\'s\'\n'
    stream = read_stream(data)
    for key in ("a", "b", "c"):
        assert not stream.value_span(_scalar(stream, key))[2], key


def test_documents_sources_and_spans() -> None:
    data = (
        b"---\n# Source: chart/templates/a.yaml\napiVersion: v1\nkind: A\n"
        b"---\n# Source: chart/templates/b.yaml\napiVersion: v1\nkind: B\n---\nkind: C\n"
    )
    stream = read_stream(data)
    assert [d.source for d in stream.documents] == [
        "chart/templates/a.yaml", "chart/templates/b.yaml", None,
    ]
    first = stream.documents[0]
    assert data[first.start:first.start + 10] == b"apiVersion"


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        (b"a: [1, 2\n", 2, 1),
        (b"a: 1\n b: 2\n", 2, 3),
        (b"a: \xff\n", 1, 4),
    ],
)
def test_errors_have_positions(data: bytes, line: int, column: int) -> None:
    error = read_stream(data).error
    assert error is not None
    assert (error.line, error.column) == (line, column)


def test_helpers_on_other_nodes() -> None:
    stream = read_stream(b"a: [x, y]\nb: ~\nc: {d: 1, d: 2}\n")
    root = stream.documents[0].root
    assert reader.items(reader.get(root, "a"))[1].value == "y"
    assert reader.items(root) == []
    assert reader.get(reader.get(root, "a"), "x") is None
    assert reader.text(reader.get(root, "b")) is None
    assert reader.text(reader.get(root, "a")) is None
    assert reader.text(reader.get_path(root, "c", "d")) == "2"  # the last key wins
    assert len(list(reader.walk(root))) == 13


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("off", "bool"), ("Off", "bool"), ("y", "bool"), ("N", "bool"), ("yes", "bool"),
        ("~", "null"), ("null", "null"), ("", "null"),
        ("100", "int"), ("-5", "int"), ("0x1F", "int"), ("0o17", "int"), ("0755", "int"),
        ("1_000", "int"), ("0b101", "int"),
        ("1.5", "float"), ("1e3", "float"), (".5", "float"), ("08", "float"), (".inf", "float"),
        ("-.Inf", "float"), (".nan", "float"),
        ("2024-01-02", "timestamp"),
        ("512MiB", "str"), ("1024Mi", "str"), ("<<", "str"), (".x", "str"), ("-", "str"),
        ("1.2.3", "str"), ("abc", "str"),
    ],
)
def test_plain_scalar_types_follow_go_yaml_v2(value: str, kind: str) -> None:
    assert plain_scalar_type(value) == kind


def test_same_nodes_from_either_composer() -> None:
    data = "a: 'x'\nb: [1, \"é\"]\n"
    fast = list(yaml.compose_all(data, Loader=yaml.CSafeLoader))
    slow = list(yaml.compose_all(data, Loader=yaml.SafeLoader))
    for one, other in zip(reader.walk(fast[0]), reader.walk(slow[0]), strict=True):
        assert one.start_mark.index == other.start_mark.index
        assert one.end_mark.index == other.end_mark.index
        assert reader.scalar_style(one) == reader.scalar_style(other)


@pytest.mark.parametrize(
    ("written", "kind"),
    [
        # untagged: a plain scalar by its text, a quoted or block one is a string
        ("50", "int"), ("true", "bool"), ("0x10", "int"), ("1e3", "float"), ("~", "null"),
        ("", "null"), ("off", "bool"), ("512MiB", "str"), ('"50"', "str"), ("'true'", "str"),
        ("|\n  50", "str"), ("2024-01-02", "str"), ("2024-01-02T10:00:00Z", "str"),
        # explicit tags: !!str and !!binary take any text, the others must fit it
        ("!!str 50", "str"), ("!!str true", "str"), ("!!str ~", "str"), ("!!str", "str"),
        ("!!binary NTA=", "str"), ('!!int "50"', "int"), ("!!int 0x10", "int"),
        ("!!float 50", "float"), ("!!float '1.5'", "float"), ("!!bool 'off'", "bool"),
        ("!!null ~", "null"), ("!!null ''", "null"), ("!!timestamp 2024-01-02", "str"),
        ("!!int 1e3", "invalid"), ("!!int abc", "invalid"), ("!!bool 1", "invalid"),
        ("!!null 0", "invalid"), ("!!timestamp 50", "invalid"),
        ("!<tag:yaml.org,2002:int> 7", "int"),
        # the non-specific tag and unknown tags leave the text a string
        ("! 50", "str"), ("! true", "str"), ("&a ! 50", "str"), ("! &a 50", "str"),
        ('! "50"', "str"), ("!custom 50", "str"), ("!!seq 50", "str"), ("&a 50", "int"),
    ],
)
def test_scalar_types_as_kubernetes_reads_them(written: str, kind: str) -> None:
    stream = read_stream(f"a: {written}\nb: ok !\n".encode())
    assert stream.error is None
    assert reader.scalar_type(_scalar(stream, "a")) == kind
    assert reader.scalar_type(_scalar(stream, "b")) == "str"


def test_non_specific_tag_in_a_flow_collection_and_through_an_alias() -> None:
    stream = read_stream(b"a: [! 1, 2, !!str 3]\nb: &x ! 4\nc: *x\nd: {e: ! 5}\n")
    root = stream.documents[0].root
    kinds = [reader.scalar_type(node) for node in reader.items(reader.get(root, "a"))]
    assert kinds == ["str", "int", "str"]
    assert reader.scalar_type(_scalar(stream, "c")) == "str"
    assert reader.scalar_type(_scalar(stream, "d", "e")) == "str"


def test_text_of_tagged_nulls() -> None:
    stream = read_stream(b"a: !!str ~\nb: !!null ''\nc: ~\nd: ! ~\n")
    root = stream.documents[0].root
    assert [reader.text(reader.get(root, key)) for key in "abcd"] == ["~", None, None, "~"]
