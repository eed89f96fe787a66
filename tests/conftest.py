"""Shared test settings: hypothesis runs 200 examples locally and 1000 on CI (CI=true)."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("default", max_examples=200, deadline=None)
settings.register_profile("ci", max_examples=1000, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "default")
