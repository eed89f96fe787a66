"""README's speed section states what benchmarks/results.md measured (bench.py writes that file;
every number here is read from it, none is typed by hand)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = (ROOT / "benchmarks" / "results.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
X = "\u00d7"  # README writes ratios with the multiplication sign


def _row(label: str) -> list[str]:
    """The cells of the results table row that starts with ``label``."""
    match = re.search(rf"^\| {re.escape(label)} \| (.*) \|$", RESULTS, re.M)
    assert match is not None, label
    return [cell.strip() for cell in match.group(1).split("|")]


def _bullet(start: str) -> str:
    match = re.search(rf"^\* {re.escape(start)}.*$", RESULTS, re.M)
    assert match is not None, start
    return match.group(0)


def _speed_section() -> str:
    match = re.search(r"^## Speed and memory\n(.*?)^## ", README, re.M | re.S)
    assert match is not None
    return match.group(1)


def test_one_file_and_start_up_figures() -> None:
    section = _speed_section()
    wall, _cpu, memory = _row("dfmemlint")
    h_wall, _h_cpu, h_memory = _row("hadolint")
    assert f"| one typical Dockerfile | {wall}, {memory} | {h_wall}, {h_memory} |" in section
    ratio = re.search(r"dfmemlint / hadolint: \*\*([0-9.]+)x\*\* \(target <= 1.5x: ([^)]*)\)",
                      RESULTS)
    assert ratio is not None
    assert f"| {ratio.group(1)}{X} slower | ≤ 1.5{X}: {ratio.group(2)} |" in section
    start_up = re.search(
        r"\(`python -c 'import click'`, ([0-9,]+ ms)\): one file \*\*([+-][0-9,]+ ms)\*\* "
        r"\(`dfmemlint FILE`, its text report; target <= \+15 ms: ([^)]*)\), "
        r"\*\*([+-][0-9,]+ ms)\*\* with `--format json` \(target <= \+15 ms: ([^)]*)\), "
        r"`dfmemlint --version` \*\*([+-][0-9,]+ ms)\*\* \(target <= \+5 ms: ([^)]*)\)",
        RESULTS,
    )
    assert start_up is not None
    click, over, over_verdict, json_over, json_verdict, version, version_verdict = (
        start_up.groups()
    )
    assert (
        f"| start-up over `python -c 'import click'` ({click}) | one file {over} "
        f"(`--format json` {json_over}), `--version` {version} | | | ≤ +15 ms: {over_verdict} "
        f"(JSON: {json_verdict}); ≤ +5 ms: {version_verdict} |"
    ) in section


def test_corpus_figures() -> None:
    section = _speed_section()
    corpus = re.search(r"^## \(b\) Real-world corpus: (\d+) files", RESULTS, re.M)
    assert corpus is not None
    d_wall, _d_cpu, d_memory = _corpus_row("dfmemlint")
    h_wall, _h_cpu, h_memory = _corpus_row("hadolint")
    speed = re.search(
        r"dfmemlint is \*\*(\d+)x\*\* faster \(target >= 10x: ([^)]*)\); in CPU time (\d+)x",
        RESULTS,
    )
    assert speed is not None
    assert (
        f"| {corpus.group(1)} real-world Dockerfiles, one invocation | {d_wall}, {d_memory} | "
        f"{h_wall}, {h_memory} | {speed.group(1)}{X} faster ({speed.group(3)}{X} in CPU time) | "
        f"≥ 10{X}: {speed.group(2)} |"
    ) in section


def _corpus_row(label: str) -> list[str]:
    part = RESULTS.split("## (b)", 1)[1]
    match = re.search(rf"^\| {re.escape(label)} \| (.*) \|$", part, re.M)
    assert match is not None, label
    return [cell.strip() for cell in match.group(1).split("|")]


def test_where_the_start_up_goes() -> None:
    """README's account of the single-file time is results.md's, number for number."""
    match = re.search(
        r"Of dfmemlint's ([0-9,]+ ms): ([0-9,]+ ms) is the interpreter's own start-up \(`python "
        r"-c pass`\), ([0-9,]+ ms) importing click, ([+-][0-9,]+ ms) the command line "
        r"\(`dfmemlint --version`\), and the remaining ([0-9,-]+ ms) importing the linter",
        _bullet("Of dfmemlint's"),
    )
    assert match is not None
    total, python, click, command_line, linter = match.groups()
    section = " ".join(_speed_section().split())
    assert (
        f"Of the {total} of one file, {python} is Python's own start-up, {click} importing "
        f"click, {command_line} the command line and {linter} importing the linter and linting"
    ) in section


def test_peak_memory_figures() -> None:
    """README's account of section (d), peak memory on 10 MiB files, is results.md's."""
    rows = re.findall(
        r"^\| (stages of the typical file|900-byte LABELs) \| (lint|fix) \| [0-9,]+ \| [^|]+ \| "
        r"[^|]+ \| ([0-9.]+)x \| ([^|]+) \|$",
        RESULTS,
        re.M,
    )
    ratio = {(shape, mode): value for shape, mode, value, _ in rows}
    assert len(ratio) == 4
    section = " ".join(_speed_section().split())
    stages = "stages of the typical file"
    labels = "900-byte LABELs"
    assert (
        f"peak at {ratio[stages, 'lint']}{X} (lint) and {ratio[stages, 'fix']}{X} (fix), a file "
        f"of {labels} at {ratio[labels, 'lint']}{X} and {ratio[labels, 'fix']}{X}, all four "
        "within the target"
    ) in section
    assert [verdict.strip() for *_, verdict in rows] == ["met"] * 4
