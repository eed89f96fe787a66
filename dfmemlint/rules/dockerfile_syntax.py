"""DFM000 dockerfile-syntax: the file is not a Dockerfile BuildKit accepts.

Either BuildKit's parser rejects it, or a line starts with a word that is not an instruction
(BuildKit parses it, then stops with "unknown instruction"; usually a line continuation is
missing on the line above).
"""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.rules.base import Context, Problem

CODE = "DFM000"
INSTRUCTIONS = frozenset(
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK",
        "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME",
        "WORKDIR",
    }
)


def check(ctx: Context) -> Iterator[Problem]:
    df = ctx.dockerfile
    error = df.error
    if error is not None:
        line = min(max(error.line, 1), len(df.line_starts))
        start = df.line_starts[line - 1]
        yield Problem(
            start,
            start,
            f"BuildKit cannot read this Dockerfile: {error.message} (line {error.line}). "
            "`docker build` fails here; fix the syntax first.",
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
