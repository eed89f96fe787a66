"""External tools and optional packages some tests need: without them the test skips, except
under ``CI=true`` (``.ci/run`` installs them all), where it fails."""

from __future__ import annotations

import os
import shutil
from typing import NoReturn

import pytest


def unavailable(reason: str) -> NoReturn:
    """Skip the test for ``reason``; under ``CI=true`` fail it instead."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (required when CI=true)", pytrace=False)
    pytest.skip(reason)


def promtool() -> str:
    """Prometheus's promtool: ``DFMEMLINT_PROMTOOL``, else ``promtool`` on PATH (Debian's
    ``prometheus`` package; ``.ci/install-promtool``)."""
    path = os.environ.get("DFMEMLINT_PROMTOOL") or shutil.which("promtool")
    if not path:
        unavailable("promtool not found: set DFMEMLINT_PROMTOOL or put it on PATH")
    return path
