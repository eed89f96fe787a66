"""dfmemlint: lint and fix Go memory settings in Dockerfiles, Kubernetes manifests and Compose
files."""

from __future__ import annotations

__version__ = "0.1.0"
