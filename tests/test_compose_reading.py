"""Compose's reading rules, one table per rule: Docker sizes, YAML scalars, interpolation and
the .env format. The expected values were produced by the real code (docker/go-units v0.5.0
``RAMInBytes``, compose-go's ``template.Substitute`` and ``dotenv.UnmarshalWithLookup``,
go.yaml.in/yaml/v4 with ``fmt.Sprint``) built with Go 1.27.3."""

from __future__ import annotations

import math

import pytest

from dfmemlint.compose import dotenv
from dfmemlint.compose.interpolate import Piece, interpolate
from dfmemlint.compose.scalars import Unsupported, compose_text, go_format_float, go_int
from dfmemlint.golang.dockersize import SizeError, compose_unit_bytes, ram_in_bytes

MIB = 1 << 20


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("512MB", 512 * MIB),
        ("512m", 512 * MIB),
        ("512M", 512 * MIB),
        ("512mib", 512 * MIB),
        ("512MiB", 512 * MIB),
        ("512 MiB", 512 * MIB),
        ("1.5g", 1610612736),
        ("32 mb", 32 * MIB),
        ("1_000", 1000),
        ("1e3", 1000),
        (".5g", 512 * MIB),
        ("32", 32),
        ("32b", 32),
        ("32.3", 32),
        ("1.0000001k", 1024),
        ("32Kib", 32 * 1024),
        ("32P", 32 << 50),
    ],
)
def test_ram_in_bytes(text: str, expected: int) -> None:
    assert ram_in_bytes(text) == expected


@pytest.mark.parametrize(
    "text",
    ["512Mi", "16g ", "Inf", "0x10", "-1", "1e400", "NaNb", "", "hello", " 32 ", "32m b",
     "32bm", "32kibb", "inf b", "nan b", "1x", "1__0", "1e"],
)
def test_ram_in_bytes_refuses(text: str) -> None:
    with pytest.raises(SizeError):
        ram_in_bytes(text)


def test_compose_unit_bytes_tries_an_integer_first() -> None:
    assert compose_unit_bytes("-1") == -1
    assert compose_unit_bytes("+5") == 5
    assert compose_unit_bytes(536870912) == 536870912
    assert compose_unit_bytes("512m") == 512 * MIB
    with pytest.raises(SizeError):
        compose_unit_bytes("99999999999999999999")


@pytest.mark.parametrize(
    ("plain", "expected"),
    [
        ("off", "off"), ("yes", "yes"), ("on", "on"), ("012", "10"), ("0x10", "16"),
        ("1e3", "1000"), ("1234567.0", "1.234567e+06"), ("-0", "-0"), ("1_000", "1000"),
        ("0.5", "0.5"), ("0o17", "15"), ("+12", "12"), (".5", "0.5"), ("1e21", "1e+21"),
        ("true", "true"), ("True", "true"), ("TRUE", "true"), ("tRue", "tRue"),
        ("false", "false"), ("~", None), ("null", None), ("", None), (".inf", "+Inf"),
        ("-.inf", "-Inf"), ("-.5", "-0.5"), ("+.5", "0.5"), ("0b101", "5"), ("1.5e3", "1500"),
        ("100.", "100"), ("08", "8"), ("1:20", "1:20"), ("9223372036854775808",
        "9223372036854775808"), ("18446744073709551616", "1.8446744073709552e+19"),
        ("-0.0", "-0"), ("0.0001", "0.0001"), ("0.00001", "1e-05"), ("512MiB", "512MiB"),
        ("-012", "-10"), ("+0x1F", "31"), (".NaN", "NaN"), ("1__0", "10"), ("_1", "_1"),
        ("0", "0"), ("12.25", "12.25"), ("0x", "0x"), ("09", "9"), ("-", "-"),
    ],
)
def test_compose_text_matches_go_yaml_and_fmt(plain: str, expected: str | None) -> None:
    assert compose_text(plain) == expected


def test_compose_text_timestamp_is_unsupported() -> None:
    with pytest.raises(Unsupported):
        compose_text("2001-01-01")


def test_go_int_and_float_edges() -> None:
    assert go_int("512MiB") is None
    assert go_int("") is None
    assert go_int("0x1F") == 31
    assert go_format_float(math.nan) == "NaN"
    assert go_format_float(-1.5e-7) == "-1.5e-07"
    assert go_format_float(123456.5) == "123456.5"


def _nothing(name: str) -> str | None:
    return None


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("${UNSET:-${SET:-x}}", "val"),
        ("${A:-x}}", "x}"),
        ("$1", "$1"),
        ("$$SET", "$SET"),
        ("${SET:+alt}", "alt"),
        ("${A-x}${SET:-y}", "xval"),
        ("${SET?e}", "val"),
        ("${EMPTY:-d}", "d"),
        ("${EMPTY-d}", ""),
        ("${EMPTY+a}", "a"),
        ("${EMPTY:+a}", ""),
        ("pre$SET-post", "preval-post"),
        ("${set}", "low"),
        ("no variables", "no variables"),
    ],
)
def test_interpolate_known(template: str, expected: str) -> None:
    lookup = {"SET": "val", "EMPTY": "", "set": "low"}.get
    assert interpolate(template, lookup).value == expected


@pytest.mark.parametrize(
    ("template", "unknown"),
    [
        ("${UNSET}", ("UNSET",)),
        ("$UNSET", ("UNSET",)),
        ("${UNSET:?required}", ("UNSET",)),
        ("${UNSET?required}", ("UNSET",)),
        ("${EMPTY:?required}", ("EMPTY",)),
        ("${UNSET:+alt}", ("UNSET",)),
        ("${UNSET+alt}", ("UNSET",)),
    ],
)
def test_interpolate_unknown_is_never_guessed(template: str, unknown: tuple[str, ...]) -> None:
    result = interpolate(template, {"EMPTY": ""}.get)
    assert result.value is None
    assert result.unknown == unknown


def test_interpolate_invalid_template() -> None:
    result = interpolate("a ${ b", _nothing)
    assert result.value is None
    assert result.error is not None


def test_interpolate_default_keeps_its_position() -> None:
    result = interpolate("${WORKER_GOMEMLIMIT:-16MiB}", _nothing)
    assert result.value == "16MiB"
    assert result.overridable == ("WORKER_GOMEMLIMIT",)
    assert result.pieces == (Piece("16MiB", 21, 26),)


def test_interpolate_nested_default_and_variable_pieces() -> None:
    result = interpolate("${A:-${B:-512MiB}}x$C", {"C": "!"}.get)
    assert result.value == "512MiBx!"
    assert result.pieces == (Piece("512MiB", 10, 16), Piece("x", 18, 19), Piece("!", -1, -1, "C"))
    assert result.overridable == ("A", "B")


def test_interpolate_escaped_dollar_is_not_editable_text() -> None:
    result = interpolate("$$x", _nothing)
    assert result.pieces == (Piece("$", 0, 2), Piece("x", 2, 3))


def _parse(text: str) -> dict[str, str | None]:
    return {e.key: e.value for e in dotenv.parse(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A=1 # c\n", {"A": "1"}),
        ("A=a#b\n", {"A": "a#b"}),
        ('B="x\\ny" # c\n', {"B": "x\ny"}),
        ("export C='s\\x'\n", {"C": "s\\x"}),
        ("D\n", {"D": None}),
        ("E: 5\n", {"E": "5"}),
        ('G="multi\nline"\n', {"G": "multi\nline"}),
        ("A=1\nH=${A}z\n", {"A": "1", "H": "1z"}),
        ("A=1\nI='${A}'\n", {"A": "1", "I": "${A}"}),
        ("# comment\n\n  K=v  \n", {"K": "v"}),
        ("\ufeffK=v", {"K": "v"}),
        ("K=\n", {"K": ""}),
        ("K=v\r\nL=w\r\n", {"K": "v", "L": "w"}),
        ('Q="a\\"b"\n', {"Q": 'a"b'}),
        ("Q='it\\'s'\n", {"Q": "it's"}),
        ('O="\\0101\\0x\\c\\$X"\n', {"O": "A\\0x\\c$X"}),
        ("K=1\nK=2\n", {"K": "2"}),
        ("U=${NOPE}\n", {"U": None}),
        ("A.b-c[0]=1\n", {"A.b-c[0]": "1"}),
        ("K=v # c\nL=w", {"K": "v", "L": "w"}),
    ],
)
def test_dotenv(text: str, expected: dict[str, str | None]) -> None:
    assert _parse(text) == expected


@pytest.mark.parametrize(
    "text", ["K='unterminated\n", "A B=1\n", "K$=1\n", 'K="x\n']
)
def test_dotenv_refuses(text: str) -> None:
    with pytest.raises(dotenv.DotenvError):
        dotenv.parse(text)


def test_dotenv_positions_and_editability() -> None:
    text = 'A=16MiB\nB="1GiB" # c\nC=\'x\'\nD="a\\tb"\nE=${A}\n'
    entries = {e.key: e for e in dotenv.parse(text)}
    a, b, c, d, e = (entries[k] for k in "ABCDE")
    assert (a.line, text[a.value_start : a.value_end], a.editable) == (1, "16MiB", True)
    assert (b.line, text[b.value_start : b.value_end], b.editable) == (2, "1GiB", True)
    assert (c.line, c.editable) == (3, True)
    assert (d.value, d.editable) == ("a\tb", False)
    assert (e.value, e.editable) == ("16MiB", False)


def test_dotenv_lookup_comes_first() -> None:
    entries = dotenv.parse("A=file\nB=${A}\n", {"A": "shell"}.get)
    assert [e.value for e in entries] == ["file", "shell"]
