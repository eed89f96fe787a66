"""The Compose files of the issue that asked for Compose support, shared by the tests that read,
lint and fix them."""

from __future__ import annotations

ISSUE_API = """\
services:
  api:
    build: .
    environment:
      GOMEMLIMIT: 512MB          # Go rejects MB; and 512 MiB would be 100 % of the limit
    deploy:
      resources:
        limits:
          memory: 512M
"""

ISSUE_WORKER = """\
services:
  worker:
    image: example/worker
    mem_limit: 20m
    environment:
      - GOMEMLIMIT=${WORKER_GOMEMLIMIT:-16MiB}
"""
