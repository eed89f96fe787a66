"""Properties of the reader on generated input: it never raises, and the file comes back byte for
byte from its pieces, with every instruction covering whole lines."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_reader_compact import reading

from dfmemlint.commands.inspect import inspect_json
from dfmemlint.dockerfile import model, reader

KEYWORDS = [
    "FROM",
    "RUN",
    "ENV",
    "ARG",
    "LABEL",
    "COPY",
    "ADD",
    "CMD",
    "ENTRYPOINT",
    "ONBUILD",
    "HEALTHCHECK",
    "USER",
    "WORKDIR",
    "EXPOSE",
    "SHELL",
    "VOLUME",
    "STOPSIGNAL",
    "MAINTAINER",
    "from",
    "Run",
    "BOGUS",
]
FLAGS = [
    "--from=a",
    "--mount=type=cache,target=/x",
    "--platform=$P",
    "--link",
    "--chown='a b'",
    "--",
]
WORD_CHARS = list("abcXY019=$-_./:'\"\\`#[]{},<>* \u00e9\u2003")
HEREDOC_NAMES = ["EOF", "'EOF'", '"X"', "-EOF", 'E"O"F', "3<<EOF"]

words = st.text(alphabet=st.sampled_from(WORD_CHARS), max_size=10)
eols = st.sampled_from(["\n", "\r\n"])


@st.composite
def instruction(draw: st.DrawFn, escape: str) -> list[str]:
    """The physical lines of one instruction."""
    keyword = draw(st.sampled_from(KEYWORDS))
    if keyword.upper() == "ONBUILD":
        keyword += " " + draw(st.sampled_from(["RUN", "COPY", "ENV"]))
    indent = draw(st.sampled_from(["", "  ", "\t"]))
    parts = [
        keyword,
        *draw(st.lists(st.sampled_from(FLAGS), max_size=2)),
        *draw(st.lists(words, max_size=4)),
    ]
    if draw(st.booleans()):
        parts.append(json.dumps(draw(st.lists(words, max_size=3))))
    lines = [indent + " ".join(parts)]
    for _ in range(draw(st.integers(0, 2))):
        lines[-1] += escape + draw(st.sampled_from(["", " ", " \t"]))
        lines += draw(st.lists(st.sampled_from(["# c", "   # GOGC=1", "", "  "]), max_size=2))
        lines.append(" " + " ".join(draw(st.lists(words, min_size=1, max_size=3))))
    if keyword.split()[-1].upper() in ("RUN", "COPY", "ADD") and draw(st.booleans()):
        marker = draw(st.sampled_from(HEREDOC_NAMES))
        lines[-1] += " <<" + marker
        name = marker.replace("3<<", "").strip("-").replace("'", "").replace('"', "")
        lines += draw(
            st.lists(
                st.sampled_from(["echo hi", "FROM x", "ENV GOGC=1", "# c", "\\", ""]), max_size=3
            )
        )
        lines.append(("\t" if marker.startswith("-") else "") + name)
    return lines


@st.composite
def dockerfiles(draw: st.DrawFn) -> bytes:
    escape = draw(st.sampled_from(["\\", "`"]))
    lines: list[str] = []
    if escape == "`" or draw(st.booleans()):
        lines += draw(
            st.lists(
                st.sampled_from(["# syntax=docker/dockerfile:1", "# check=skip=all"]), max_size=1
            )
        )
        lines.append(draw(st.sampled_from(["# escape=", "#escape=", "  # ESCAPE = "])) + escape)
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(
            st.sampled_from(["instruction", "instruction", "instruction", "comment", "blank"])
        )
        if kind == "instruction":
            lines += draw(instruction(escape))
        elif kind == "comment":
            lines.append(draw(st.sampled_from(["# a comment", "  # GOMEMLIMIT=1GiB", "#"])))
        else:
            lines.append(draw(st.sampled_from(["", "   ", "\t"])))
    mode = draw(st.sampled_from(["lf", "crlf", "mixed"]))
    text = ""
    for number, line in enumerate(lines):
        last = number == len(lines) - 1
        eol = {"lf": "\n", "crlf": "\r\n"}.get(mode) or draw(eols)
        text += line + ("" if last and draw(st.booleans()) else eol)
    bom = "\ufeff" if draw(st.booleans()) else ""
    return (bom + text).encode()


FRAGMENTS = [
    b"FROM a",
    b"RUN ",
    b"ENV A=",
    b"COPY ",
    b"ONBUILD ",
    b"\\",
    b"`",
    b"\n",
    b"\r\n",
    b"\r",
    b"<<EOF",
    b"<<-",
    b"EOF",
    b"#",
    b"# escape=`",
    b" ",
    b"\t",
    b'["',
    b'"]',
    b"[",
    b"]",
    b",",
    b"1",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\x00",
    b"\xc3",
    b"${",
    b"}",
    b"=",
    b"--x=",
    b"'",
    b'"',
    b"\xc2\xa0",
    b"\xc2\x85",
]


def check(data: bytes) -> None:
    df = reader.read(data)
    pieces = list(df.pieces())
    assert b"".join(data[start:end] for _, start, end in pieces) == data
    position = 0
    for _, start, end in pieces:
        assert start == position < end
        position = end
    assert position == len(data)
    starts = df.line_starts
    for ins in df.instructions:
        bom = 3 if ins.start_line == 1 and data.startswith(reader.BOM) else 0
        assert ins.start == starts[ins.start_line - 1] + bom
        assert ins.end == (starts[ins.end_line] if ins.end_line < len(starts) else len(data))
        tokens = [*ins.flags, *ins.values, ins.args]
        if ins.sub is not None:
            tokens += [*ins.sub.flags, *ins.sub.values, ins.sub.args]
        for token in tokens:
            assert ins.start <= token.start <= token.end <= ins.end
        for doc in ins.heredocs:
            assert ins.start < doc.body_start <= doc.body_end < ins.end
    graph = model.build(df)
    json.dumps(inspect_json("Dockerfile", data, graph))


@given(dockerfiles())
def test_generated_dockerfiles_round_trip(data: bytes) -> None:
    check(data)


@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40).map(b"".join))
def test_dockerfile_fragments_never_raise(data: bytes) -> None:
    check(data)


@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    check(data)


@given(dockerfiles())
def test_compact_reading_is_the_full_reading(data: bytes) -> None:
    """A large file's reading (tokens read again from the bytes when asked for) is the same as
    a small file's (tokens placed at once)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(reader, "EAGER_BYTES", -1)
        compact = reading(data)
    assert compact == reading(data)
