"""DFM000 dockerfile-syntax: the file is not a Dockerfile BuildKit accepts."""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.rules.base import Context, Problem

CODE = "DFM000"


def check(ctx: Context) -> Iterator[Problem]:
    error = ctx.dockerfile.error
    if error is None:
        return
    df = ctx.dockerfile
    line = min(max(error.line, 1), len(df.line_starts))
    start = df.line_starts[line - 1]
    yield Problem(
        start,
        start,
        f"BuildKit cannot read this Dockerfile: {error.message} (line {error.line}). "
        "`docker build` fails here; fix the syntax first.",
    )
