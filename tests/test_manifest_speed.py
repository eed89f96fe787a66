"""A big manifest stream is linted in about the time PyYAML takes to load it, and linearly.

The stream is the one ``benchmarks/manifests.py`` generates (``helm template``-like output).
CPU time of this process, best of three, so that other work on the machine does not count; the
full-size numbers are in ``benchmarks/manifests.md``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import yaml
from helpers.scripts import load_script

from dfmemlint.engine import LintOptions
from dfmemlint.kubernetes.lint import lint_manifest

ROOT = Path(__file__).resolve().parents[1]


def _benchmark() -> ModuleType:
    return load_script(ROOT / "benchmarks" / "manifests.py")


def _cpu(work: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        work()
        best = min(best, time.process_time() - start)
    return best


def _lint(data: bytes) -> Callable[[], object]:
    return lambda: lint_manifest("stream.yaml", data, LintOptions())


def test_lint_takes_at_most_three_times_pyyaml_load() -> None:
    data = _benchmark().stream(1_000)
    text = data.decode()
    load = _cpu(lambda: list(yaml.load_all(text, Loader=yaml.CSafeLoader)))
    lint = _cpu(_lint(data))
    assert lint <= 3 * load, (lint, load)
    result = lint_manifest("stream.yaml", data, LintOptions())
    assert len(result.findings) == 50  # one GOMEMLIMIT in ten of the 500 Deployments


def test_lint_time_grows_linearly() -> None:
    stream = _benchmark().stream
    small = _cpu(_lint(stream(1_000)))
    large = _cpu(_lint(stream(2_000)))
    assert large / small < 3, (small, large)
