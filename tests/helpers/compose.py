"""Sample Compose files several test modules lint, fix or inspect (the Compose counterpart of
:func:`helpers.manifests.workload`)."""

from __future__ import annotations


def compose_service(
    rest: str = "",
    *,
    name: str = "api",
    build: str | None = ".",
    image: str | None = None,
    mem_limit: str | None = "512m",
) -> str:
    """A Compose file whose ``services:`` has one service, ``name``: ``build: {build}`` (left out
    when None), then ``image: {image}`` and ``mem_limit: {mem_limit}`` (each left out when None),
    then ``rest``, the rest of that service's mapping: lines indented four spaces
    (``    environment:``), each ending in a newline."""
    lines = [f"services:\n  {name}:\n"]
    for key, value in (("build", build), ("image", image), ("mem_limit", mem_limit)):
        if value is not None:
            lines.append(f"    {key}: {value}\n")
    return "".join(lines) + rest

