"""``--fix --memory-limit 512MiB`` (with and without ``--unsafe-fixes``) on every real-world
Dockerfile of the shared corpus: no crash, no revert, the result reads, its instructions are the
original ones except those a fix edited, moved or added, and a second run changes nothing.

Skipped when ``../shared/corpus`` is absent (a fresh clone has no ``../shared``).
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from dfmemlint.dockerfile import reader
from dfmemlint.engine import LintOptions
from dfmemlint.fix.fixer import fix_file
from dfmemlint.fix.write import write_atomic

CORPUS = Path(__file__).parents[1].parent / "shared" / "corpus"
FILES_DIR = CORPUS / "realworld" / "files"
FILES = sorted(p for p in FILES_DIR.glob("*") if p.is_file()) if FILES_DIR.is_dir() else []
OPTIONS = LintOptions(
    memory_limit=512 << 20, memory_limit_source="--memory-limit", memory_limit_from_cli=True
)
TUNING = ("GOMEMLIMIT", "GOGC", "GOMAXPROCS", "GODEBUG")

pytestmark = pytest.mark.skipif(not FILES, reason="no shared corpus at ../shared/corpus")

Shape = tuple[str, tuple[str, ...]]


def _shapes(df: reader.Dockerfile) -> list[tuple[Shape, int, int]]:
    return [(
        (ins.cmd, tuple(token.value for token in ins.values)), ins.start, ins.end
    ) for ins in df.instructions]


def _touched(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= end and start <= e for s, e in spans)


def _instruction_changes(
    before: reader.Dockerfile, after: reader.Dockerfile, spans: list[tuple[int, int]]
) -> list[str]:
    """What changed between the instruction lists that no applied fix accounts for."""
    old = _shapes(before)
    new = _shapes(after)
    matcher = difflib.SequenceMatcher(a=[s for s, _, _ in old], b=[s for s, _, _ in new])
    removed = [old[i][0] for tag, i1, i2, _, _ in matcher.get_opcodes() if tag != "equal"
               for i in range(i1, i2)]
    problems: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        for shape, start, end in old[i1:i2]:
            if not _touched(start, end, spans):
                problems.append(f"{shape[0]} changed or removed but no fix touched it: {shape}")
        for shape, _, _ in new[j1:j2]:
            cmd, values = shape
            added_env = cmd == "ENV" and all(values[k] in TUNING for k in range(0, len(values), 3))
            moved = shape in removed
            edited = tag == "replace" and any(cmd == o[0][0] for o in old[i1:i2])
            if not (added_env or moved or edited):
                problems.append(f"{cmd} appeared without a fix that adds it: {shape}")
    return problems


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_fix_realworld(path: Path, unsafe: bool, tmp_path: Path) -> None:
    copy = tmp_path / "Dockerfile"
    original = path.read_bytes()
    copy.write_bytes(original)

    outcome = fix_file(str(copy), original, OPTIONS, unsafe=unsafe)
    assert outcome.error is None, outcome.error
    before = reader.read(original)
    if before.error is not None:
        assert outcome.data == original
        return
    after = reader.read(outcome.data)
    assert after.error is None, after.error
    spans = [(a.start, a.end) for a in outcome.applied]
    assert _instruction_changes(before, after, spans) == []

    if outcome.changed:
        write_atomic(str(copy), outcome.data)
    fixed = copy.read_bytes()
    assert fixed == (outcome.data if outcome.changed else original)
    again = fix_file(str(copy), fixed, OPTIONS, unsafe=unsafe)
    assert again.error is None, again.error
    assert again.data == fixed
    assert again.fixed == []
