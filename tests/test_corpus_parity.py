"""Parity with BuildKit's own parser on the shared corpus, and the lossless round trip.

Each corpus file comes with BuildKit's parse (``buildkit.json``, or
``realworld/buildkit/<name>.json``).
``dfmemlint inspect --format json`` must report the same instructions: keyword, lines, flags,
values, heredocs and ONBUILD's inner instruction, or an error where BuildKit rejects the file.
The corpus lives outside the repository (``../shared/corpus``); without it these tests skip.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dfmemlint import cli
from dfmemlint.dockerfile import reader

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus"
NEEDS_CORPUS = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")

INLINE_HASH_ERROR = 'Syntax error - can\'t find = in "#". Must be of the form: name=value'


def corpus_files() -> list[tuple[str, Path, Path | None]]:
    """(id, Dockerfile, oracle or None) for every file of the corpus, in a stable order."""
    if not CORPUS.is_dir():
        return []
    found: list[tuple[str, Path, Path | None]] = []
    realworld = CORPUS / "realworld"
    for path in sorted((realworld / "files").iterdir()):
        found.append(
            (
                path.relative_to(CORPUS).as_posix(),
                path,
                realworld / "buildkit" / f"{path.name}.json",
            )
        )
    for group in ("buildkit-edge", "cases"):
        for folder in sorted((CORPUS / group).iterdir()):
            dockerfile = folder / "Dockerfile"
            if dockerfile.is_file():
                oracle = folder / "buildkit.json"
                rel = dockerfile.relative_to(CORPUS).as_posix()
                found.append((rel, dockerfile, oracle if oracle.is_file() else None))
    return found


FILES = corpus_files()


def _params(with_oracle: bool) -> list[Any]:
    if not FILES:
        return [pytest.param("absent", Path(), None, id="corpus-absent", marks=NEEDS_CORPUS)]
    params = []
    for rel, path, oracle in FILES:
        if with_oracle and oracle is None:
            continue
        params.append(pytest.param(rel, path, oracle, id=rel))
    return params


def inspect_json(path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """One file through the real command line, ``dfmemlint inspect --format json PATH``."""
    assert cli.main(["inspect", "--format", "json", str(path)]) == 0
    out = capsys.readouterr().out
    (info,) = json.loads(out)
    assert isinstance(info, dict)
    return info


def from_buildkit(node: dict[str, Any]) -> dict[str, Any]:
    """A BuildKit node in inspect's shape (BuildKit's null lists are empty lists)."""
    sub = node.get("sub")
    return {
        "keyword": node["cmd"].lower(),
        "start_line": node["start_line"],
        "end_line": node["end_line"],
        "flags": node["flags"] or [],
        "values": node["values"] or [],
        "json": bool((node["attributes"] or {}).get("json")),
        "heredocs": [{"name": h["name"], "content": h["content"]} for h in node["heredocs"] or []],
        "sub": None if not sub else inner(sub, keyword_key="cmd"),
    }


def inner(node: dict[str, Any], *, keyword_key: str = "keyword") -> dict[str, Any]:
    """What is compared of ONBUILD's inner instruction."""
    json_form = node["json"] if "json" in node else (node["attributes"] or {}).get("json")
    return {
        "keyword": node[keyword_key].lower(),
        "flags": node["flags"] or [],
        "values": node["values"] or [],
        "json": bool(json_form),
    }


def from_inspect(ins: dict[str, Any]) -> dict[str, Any]:
    return {
        "keyword": ins["keyword"].lower(),
        "start_line": ins["start_line"],
        "end_line": ins["end_line"],
        "flags": ins["flags"],
        "values": ins["values"],
        "json": ins["json"],
        "heredocs": ins["heredocs"],
        "sub": None if ins["sub"] is None else inner(ins["sub"]),
    }


@NEEDS_CORPUS
def test_corpus_is_complete() -> None:
    realworld = [rel for rel, _, _ in FILES if rel.startswith("realworld/")]
    assert len(realworld) == 534
    # Every file has BuildKit's answer: nothing is left out of the parity test.
    assert [rel for rel, _, oracle in FILES if oracle is None] == []
    assert len(FILES) == 628


@pytest.mark.parametrize(("rel", "path", "oracle"), _params(with_oracle=True))
def test_matches_buildkit(
    rel: str, path: Path, oracle: Path | None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert oracle is not None
    expected = json.loads(oracle.read_text(encoding="utf-8"))
    info = inspect_json(path, capsys)
    if "error" in expected:
        assert info["error"] is not None, f"BuildKit rejects {rel}: {expected['error']}"
        assert info["error"]["message"] == expected["error"]
        return
    assert info["error"] is None
    assert info["escape"] == expected["escape"]
    want = [from_buildkit(node) for node in expected["nodes"]]
    got = [from_inspect(ins) for ins in info["instructions"]]
    assert len(got) == len(want)
    for number, (have, should) in enumerate(zip(got, want, strict=True), start=1):
        assert have == should, f"instruction {number}"


@NEEDS_CORPUS
def test_env_inline_hash_is_rejected(capsys: pytest.CaptureFixture[str]) -> None:
    path = CORPUS / "cases" / "env-inline-hash" / "Dockerfile"
    info = inspect_json(path, capsys)
    assert info["error"] == {"message": INLINE_HASH_ERROR, "line": 2}
    assert info["instructions"][0]["keyword"] == "FROM"


@NEEDS_CORPUS
def test_inline_hash_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    """``#`` mid-line is kept, indented comments are skipped (BuildKit accepts the file)."""
    info = inspect_json(CORPUS / "cases" / "inline-hash" / "Dockerfile", capsys)
    assert info["error"] is None
    assert [(i["keyword"], i["start_line"], i["values"]) for i in info["instructions"]] == [
        ("FROM", 1, ["alpine"]),
        ("RUN", 2, ["echo hi # not a comment"]),
        ("ENV", 5, ["A", "1", "="]),
    ]


@NEEDS_CORPUS
def test_heredoc_under_onbuild(capsys: pytest.CaptureFixture[str]) -> None:
    info = inspect_json(CORPUS / "cases" / "heredoc-onbuild" / "Dockerfile", capsys)
    assert info["error"] is None
    shape = [
        (i["keyword"], i["start_line"], i["end_line"], i["sub"] and i["sub"]["keyword"])
        for i in info["instructions"]
    ]
    assert shape == [
        ("FROM", 1, 1, None),
        ("ONBUILD", 2, 4, "RUN"),
        ("ONBUILD", 5, 7, "COPY"),
        ("RUN", 8, 8, None),
    ]
    onbuild_run, onbuild_copy = info["instructions"][1:3]
    assert onbuild_run["heredocs"] == [{"name": "EOF", "content": "echo onbuild\n"}]
    assert onbuild_run["sub"]["values"] == ["<<EOF"]
    assert onbuild_copy["heredocs"] == [{"name": "EOF", "content": "data\n"}]
    assert onbuild_copy["sub"]["values"] == ["<<EOF", "/x"]
    assert info["instructions"][3]["values"] == ["echo done"]


# --- lossless round trip -------------------------------------------------------------------------


def tokens(ins: reader.Instruction) -> list[reader.Token]:
    found = [*ins.flags, *ins.values, ins.args]
    if ins.sub is not None:
        found += tokens(ins.sub)
    return found


def exact_tokens(ins: reader.Instruction) -> list[tuple[str, reader.Token]]:
    """Tokens whose raw bytes are their value: (kind, token)."""
    found: list[tuple[str, reader.Token]] = [("flag", t) for t in ins.flags]
    if ins.cmd in ("ENV", "ARG", "LABEL"):
        found += [("word", t) for t in ins.values]
    elif ins.json:
        elements = ins.values[1:] if ins.cmd == "HEALTHCHECK" else ins.values
        found += [("json", t) for t in elements]
    if ins.sub is not None:
        found += exact_tokens(ins.sub)
    return found


@pytest.mark.parametrize(("rel", "path", "oracle"), _params(with_oracle=False))
def test_round_trip(rel: str, path: Path, oracle: Path | None) -> None:
    data = path.read_bytes()
    df = reader.read(data)
    pieces = list(df.pieces())
    assert b"".join(data[start:end] for _, start, end in pieces) == data
    position = 0
    for _, start, end in pieces:
        assert start == position
        assert end > start
        position = end
    assert position == len(data)

    starts = df.line_starts
    for ins in df.instructions:
        first = starts[ins.start_line - 1] + (
            3 if ins.start_line == 1 and data.startswith(reader.BOM) else 0
        )
        assert ins.start == first
        assert ins.end == (starts[ins.end_line] if ins.end_line < len(starts) else len(data))
        for token in tokens(ins):
            assert ins.start <= token.start <= token.end <= ins.end, token
        for doc in ins.heredocs:
            assert ins.start < doc.body_start <= doc.body_end < ins.end
        for kind, token in exact_tokens(ins):
            raw = data[token.start : token.end]
            if b"\n" in raw:
                continue  # continued over lines: the span holds the continuation too
            if kind == "json":
                assert json.loads(reader.decode(raw)) == token.value
            elif kind == "flag" and (b'"' in raw or b"'" in raw):
                # Flags are quote-processed, and read byte by byte (hence Latin-1).
                assert raw.replace(b'"', b"").replace(b"'", b"") == token.value.encode("latin-1")
            elif kind == "flag":
                assert raw == token.value.encode("latin-1")
            else:
                assert raw == reader.encode(token.value)
