"""DFM006 gomemlimit-missing: the final image runs a Go binary and no GOMEMLIMIT reaches it."""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.rewrite import add_gomemlimit_fix
from dfmemlint.rules.base import Context, Problem
from dfmemlint.settings import start_command

CODE = "DFM006"


def check(ctx: Context) -> Iterator[Problem]:
    final = ctx.graph.final_stage
    if final is None or not ctx.runs_go or "GOMEMLIMIT" in ctx.runtime_settings:
        return
    anchor = start_command(ctx.graph)
    if anchor is None or anchor.start < final.from_instruction.start:
        anchor = final.from_instruction
    start, end = ctx.instruction_line_span(anchor)
    builders = ", ".join(s.label for s in ctx.go_build_stages)
    yield Problem(
        start,
        end,
        f"This image runs a Go binary (built in stage {builders}) and no GOMEMLIMIT reaches it, "
        "so the Go runtime ignores the container's memory limit and can be OOM-killed. Declare "
        "the limit (--memory-limit or '# dfmemlint: memory-limit=512MiB') and run --fix to set "
        "GOMEMLIMIT from it.",
        add_gomemlimit_fix(ctx),
    )
