"""DFM000 dockerfile-syntax: the file is not a Dockerfile BuildKit accepts.

Either BuildKit's parser rejects it, or a line starts with a word that is not an instruction
(BuildKit parses it, then stops with "unknown instruction"; usually a line continuation is
missing on the line above).
"""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.dockerfile.reader import MAX_LINE_BYTES
from dfmemlint.rules.base import Context, Problem

CODE = "DFM000"
INSTRUCTIONS = frozenset(
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
        "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
        "WORKDIR",
    }
)


def _first_too_long_line(data: bytes) -> int | None:
    start = 0
    number = 1
    while start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if end - start > MAX_LINE_BYTES:
            return number
        start = end + 1
        number += 1
    return None


def check(ctx: Context) -> Iterator[Problem]:
    df = ctx.dockerfile
    error = df.error
    if error is not None:
        line = min(max(error.line, 1), len(df.line_starts))
        hint = ""
        too_long = _first_too_long_line(df.data)
        if too_long is not None and too_long <= line:
            # BuildKit stops reading at such a line, and says only "file with no instructions"
            # when it is the first: name the real cause.
            line = too_long
            hint = (
                f" Line {too_long} is longer than the {MAX_LINE_BYTES:,} bytes BuildKit reads in "
                "one line, so nothing from it on is read; split it with line continuations."
            )
        start = df.line_starts[line - 1]
        yield Problem(
            start,
            start,
            f"BuildKit cannot read this Dockerfile: {error.message} (line {error.line}). "
            f"`docker build` fails here; fix the syntax first.{hint}",
        )
        return
    for ins in df.instructions:
        if ins.cmd in INSTRUCTIONS:
            continue
        start, end = ctx.keyword_span(ins)
        yield Problem(
            start,
            end,
            f"'{ins.keyword}' is not a Dockerfile instruction, so `docker build` stops here with "
            f"'unknown instruction'. If this line continues the previous one, end that line "
            f"with the escape character {df.escape}.",
        )
