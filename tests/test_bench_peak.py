"""benchmarks/bench.py section (d) measures the peak memory of dfmemlint alone: its child is
started by a small go-between, so the benchmark's own resident set is not the floor of the peak
(on Linux a child's ru_maxrss starts from the memory of the process that started it)."""

from __future__ import annotations

import os
import resource
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from helpers.scripts import loaded_script

ROOT = Path(__file__).resolve().parents[1]
MIB = 1 << 20

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in KiB, Linux's")


@pytest.fixture(scope="module")
def bench() -> Iterator[ModuleType]:
    with loaded_script(ROOT / "benchmarks" / "bench.py") as module:
        yield module


def test_the_peak_is_the_childs_own(bench: ModuleType, tmp_path: Path) -> None:
    ballast = bytearray(96 * MIB)
    ballast[:: resource.getpagesize()] = b"x" * len(ballast[:: resource.getpagesize()])
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >= 96 * 1024
    command = [sys.executable, "-c", "pass"]
    apart = bench.run_apart(command, dict(os.environ), str(tmp_path))
    # An interpreter that does nothing stays far below the memory of the process measuring it.
    assert apart.max_rss_kib < 48 * 1024, apart
    assert apart.wall > 0
    assert apart.cpu > 0
    big = [sys.executable, "-c", f"b = bytearray({64 * MIB}); b[::4096] = b'x' * {16 * 1024}"]
    assert bench.run_apart(big, dict(os.environ), str(tmp_path)).max_rss_kib >= 64 * 1024
    del ballast


def test_a_failing_child_stops_the_benchmark(bench: ModuleType) -> None:
    with pytest.raises(SystemExit, match="exited with 2"):
        bench.run_apart([sys.executable, "-c", "raise SystemExit(2)"], dict(os.environ), ".")
    one = bench.run_apart([sys.executable, "-c", "raise SystemExit(1)"], dict(os.environ), ".")
    assert one.max_rss_kib > 0  # exit 1 (findings) is a normal run
