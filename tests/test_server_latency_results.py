"""benchmarks/server-latency.md (and README's sentence about it) are what
``benchmarks/server_latency.py`` makes of the samples it recorded, for today's workload."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from helpers.scripts import loaded_script

from dfmemlint import formats
from dfmemlint.engine import LintOptions, lint

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "server-latency.md"


@pytest.fixture(scope="module")
def script() -> Iterator[ModuleType]:
    with loaded_script(ROOT / "benchmarks" / "server_latency.py") as module:
        yield module


def test_results_are_rendered_from_their_samples(script: ModuleType) -> None:
    text = RESULTS.read_text(encoding="utf-8")
    report = script.parse(text)
    assert script.render(report) == text
    assert len(report.typing_ms) == 200
    assert len(report.manifest_typing_ms) == 200
    assert report.hadolint_ms is not None  # measured beside hadolint in the same run


def test_results_measured_todays_dockerfile(script: ModuleType) -> None:
    report = script.parse(RESULTS.read_text(encoding="utf-8"))
    text = script.make_dockerfile()
    assert text.count("\n") == report.lines == 200
    assert hashlib.sha256(text.encode()).hexdigest() == report.sha256
    found = lint("Dockerfile", text.encode(), LintOptions()).findings
    assert len(found) == report.diagnostics
    assert "ENV GOMEMLIMIT=512MiB" in text.split("\n")


def test_results_measured_todays_manifest(script: ModuleType) -> None:
    report = script.parse(RESULTS.read_text(encoding="utf-8"))
    text = script.make_manifest()
    assert text.count("\n") == report.manifest_lines == 2000
    assert hashlib.sha256(text.encode()).hexdigest() == report.manifest_sha256
    result = formats.lint("deploy.yaml", text.encode(), LintOptions())
    assert result.syntax_error is None
    assert len(result.findings) == report.manifest_diagnostics
    assert "              value: 409MiB" in text.split("\n")


def test_readme_quotes_the_results(script: ModuleType) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8").replace("\n", " ")
    assert script.summary(script.parse(RESULTS.read_text(encoding="utf-8"))) in readme


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        ([3.0], 3.0),
        ([float(n) for n in range(1, 21)], 19.0),
        ([float(n) for n in range(100, 0, -1)], 95.0),
    ],
)
def test_p95_is_nearest_rank(script: ModuleType, samples: list[float], expected: float) -> None:
    assert script.p95(samples) == expected
