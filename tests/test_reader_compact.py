"""A large file is read compactly (tokens read again from the bytes when asked for, only the
line numbers of comments kept), and that reading is the same as the full one of a small file: on
every corpus file, every test fixture and generated input."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dfmemlint.dockerfile import reader

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"


def described(ins: reader.Instruction) -> dict[str, Any]:
    """Everything a rule can ask of an instruction."""
    return {
        "keyword": ins.keyword,
        "cmd": ins.cmd,
        "span": (ins.start, ins.end, ins.start_line, ins.end_line),
        "original": ins.original,
        "args": ins.args,
        "values": ins.values,
        "flags": ins.flags,
        "json": ins.json,
        "heredocs": ins.heredocs,
        "segments": ins.segments,
        "offsets": [ins.offset_of(i) for i in (*range(0, len(ins.original), 5), len(ins.original))],
        "sub": None if ins.sub is None else described(ins.sub),
    }


def reading(data: bytes) -> dict[str, Any]:
    df = reader.read(data)
    return {
        "instructions": [described(ins) for ins in df.instructions],
        "comments": list(df.comments),
        "line_starts": list(df.line_starts),
        "directives": df.directives,
        "error": df.error,
        "warnings": df.warnings,
        "escape": df.escape,
    }


def compact_reading(data: bytes, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    with monkeypatch.context() as patch:
        patch.setattr(reader, "EAGER_BYTES", -1)
        return reading(data)


def inputs() -> Iterator[Path]:
    """The test fixtures, and the Dockerfiles of the shared corpus when it is there."""
    yield from sorted((ROOT / "tests" / "fixtures").rglob("*Dockerfile"))
    if CORPUS.is_dir():
        for group in ("buildkit-edge", "cases"):
            yield from sorted((CORPUS / group).glob("*/Dockerfile"))
        yield from sorted((CORPUS / "realworld" / "files").iterdir())


def test_compact_reading_is_the_full_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    paths = list(inputs())
    assert len(paths) > 100
    for path in paths:
        data = path.read_bytes()
        assert compact_reading(data, monkeypatch) == reading(data), path


def test_tokens_of_a_large_file_are_read_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reader, "EAGER_BYTES", 10)
    df = reader.read(b"FROM a AS b\nRUN echo hi\nENV A=1\nCOPY --from=b x y\n")
    run = df.instructions[1]
    assert run._values is None  # what is kept is the point here
    assert run.peek_values() == (reader.Token("echo hi", 16, 23),)
    assert run._values is None
    assert run.values == run.peek_values()
    assert run._values is not None
    assert repr(run) == "Instruction('RUN', start=12, end=24)"
    assert df.instructions[3].flags == (reader.Token("--from=b", 37, 45),)


def test_each_instruction_reads_one_at_a_time() -> None:
    data = b"FROM a\nRUN b\n"
    assert [
        (item.cmd, item.start) for item in reader.each_instruction(data)
        if isinstance(item, reader.Instruction)
    ] == [("FROM", 0), ("RUN", 7)]
    assert list(reader.each_instruction(b"# only a comment\n")) == [
        reader.ParseError("file with no instructions", 1)
    ]
    items = list(reader.each_instruction(b"FROM a\nRUN <<EOF\nx\n"))
    assert items[-1] == reader.ParseError("unterminated heredoc", 2)
    assert len(items) == 2
    too_long = b"FROM a\n" + b"#" * (reader.MAX_LINE_BYTES + 1) + b"\n"
    assert list(reader.each_instruction(too_long))[-1] == reader.read(too_long).error


def test_comments_are_read_from_the_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"\xef\xbb\xbf# one\nFROM a\n  # two\r\nRUN b \\\n # three\n c\n"
    expected = [(1, " one"), (3, " two"), (5, " three")]
    assert list(reader.read(data).comments) == expected
    monkeypatch.setattr(reader, "EAGER_BYTES", -1)
    comments = reader.read(data).comments
    assert isinstance(comments, reader.Comments)
    assert list(comments) == expected
    assert len(comments) == 3
    assert comments[1] == (3, " two")
    assert comments[1:] == expected[1:]
