"""Fixes of manifests, on the corpus (``../shared/corpus/manifests``) and on every YAML fixture:
the YAML is the same apart from the edited values (both parsed, leaf by leaf), fixing again
changes nothing, and no finding appears that was not there before."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from dfmemlint.engine import LintOptions
from dfmemlint.fix.fixer import fix_file
from dfmemlint.formats import lint
from dfmemlint.kubernetes.lint import ManifestResult
from dfmemlint.yamlsource.reader import MappingNode, Node, ScalarNode, SequenceNode, read_stream

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "manifests"
YAML_KINDS = ("k8s", "helm-rendered")


def _corpus() -> list[Path]:
    if not (CORPUS / "manifest.tsv").is_file():
        return []
    with open(CORPUS / "manifest.tsv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [CORPUS / "files" / row["saved_name"] for row in rows if row["kind"] in YAML_KINDS]


FILES = _corpus() + sorted((ROOT / "tests" / "fixtures").glob("*/*.yaml"))


def _leaves(data: bytes) -> Iterator[tuple[tuple[object, ...], str, int, int]]:
    """(path, text, start, end) of every scalar, its path made of keys and list indexes."""
    stream = read_stream(data)
    assert stream.error is None

    Leaf = tuple[tuple[object, ...], str, int, int]

    def walk(node: Node, path: tuple[object, ...]) -> Iterator[Leaf]:
        if isinstance(node, ScalarNode):
            start, end = stream.span(node)
            yield path, str(node.value), start, end
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                yield from walk(value, (*path, str(key.value)))
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                yield from walk(item, (*path, index))

    for number, document in enumerate(stream.documents):
        yield from walk(document.root, (number,))


def _touched(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any((start < span_end and span_start < end) or span_start == start
               for span_start, span_end in spans)


def _same_apart_from_edits(before: bytes, after: bytes, spans: list[tuple[int, int]]) -> None:
    """Every scalar that no fix touched (``spans``: what the fixes replaced, in ``before``) is
    at the same path with the same text after; a path that is new after lies in an entry the
    fixes edited (a ``valueFrom:`` replaced by a literal ``value:``)."""
    old = list(_leaves(before))
    new = {path: text for path, text, _, _ in _leaves(after)}
    kept = {path: text for path, text, start, end in old if not _touched(start, end, spans)}
    assert {path: new.get(path) for path in kept} == kept
    # The env entry a literal fix rewrote: three levels above the downward API's ``resource``.
    edited_entries = {
        path[:-levels]
        for path, _, start, end in old
        if _touched(start, end, spans)
        for levels in (1, 2, 3)
    }
    old_paths = {path for path, _, _, _ in old}
    for path in set(new) - old_paths:
        assert path[:-1] in edited_entries, path


def _codes(result: object) -> set[tuple[str, str]]:
    assert isinstance(result, ManifestResult)
    return {(f.code, f.message.split(" ", 1)[0]) for f in result.findings}


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixes_keep_the_yaml_and_converge(path: Path, unsafe: bool) -> None:
    data = path.read_bytes()
    before = lint(path.name, data, LintOptions())
    if not isinstance(before, ManifestResult) or before.error is not None or before.template:
        pytest.skip("not a readable manifest")
    outcome = fix_file(path.name, data, LintOptions(), unsafe=unsafe)
    assert outcome.error is None
    _same_apart_from_edits(data, outcome.data, [(a.start, a.end) for a in outcome.applied])
    current = outcome.data
    again = fix_file(path.name, current, LintOptions(), unsafe=unsafe)
    assert again.error is None
    assert again.data == current  # idempotent
    after = lint(path.name, current, LintOptions())
    assert _codes(after) <= _codes(before)  # no new finding
