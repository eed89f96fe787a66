"""DFM008 gogc-off-unbounded: GOGC=off at runtime with no GOMEMLIMIT."""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.fix.rewrite import add_gomemlimit_fix
from dfmemlint.golang.units import MemLimitStatus, judge_gomemlimit
from dfmemlint.rules.base import Context, Problem

CODE = "DFM008"


def check(ctx: Context) -> Iterator[Problem]:
    gogc = ctx.runtime_settings.get("GOGC")
    if gogc is None or gogc.value != "off":
        return
    if ctx.startup_limit is not None:
        return  # GOMEMLIMIT is set when the container starts
    if ctx.deployment_env and all(
        d.env.get("GOMEMLIMIT") not in (None, "", "off") for d in ctx.deployment_env
    ):
        return  # every Compose service that runs this image sets a GOMEMLIMIT
    limit = ctx.runtime_settings.get("GOMEMLIMIT")
    if limit is not None:
        status = judge_gomemlimit(limit.value).status
        if status not in (MemLimitStatus.OFF, MemLimitStatus.EMPTY):
            return
    yield Problem(
        gogc.start,
        gogc.end,
        "GOGC=off reaches the running container with no GOMEMLIMIT, so the garbage collector "
        "never runs and the heap grows until the kernel kills the container. Set "
        f"{ctx.gomemlimit_advice()} alongside it.",
        add_gomemlimit_fix(ctx),
    )
