"""Shared test settings: hypothesis runs 200 examples locally and 1000 on CI (CI=true); the
``project`` and ``isolated_cli`` fixtures. Helpers the test modules import are in
``tests/helpers``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from dfmemlint import config

settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("ci", max_examples=1000, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "default")


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    """``tmp_path`` as the working directory (a Compose project's folder) for the test."""
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


@pytest.fixture
def isolated_cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A command-line run unaffected by the caller's colour variables and by configuration read
    in an earlier test (``pytestmark = pytest.mark.usefixtures("isolated_cli")``)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    config.clear_cache()
    yield
    config.clear_cache()
