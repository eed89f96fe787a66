"""Sample Kubernetes workloads several test modules lint, fix or inspect."""

from __future__ import annotations


def workload(
    container: str, *, name: str = "api", image: str = "example/api", kind: str = "Deployment"
) -> str:
    """A ``kind`` named ``name`` (``apps/v1``) whose pod template runs one container, also named
    ``name``, of ``image``; ``container`` is the rest of that container's mapping: lines indented
    ten spaces (``          env:``), each ending in a newline."""
    return (
        f"apiVersion: apps/v1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n  template:\n"
        f"    spec:\n      containers:\n        - name: {name}\n          image: {image}\n"
        f"{container}"
    )
