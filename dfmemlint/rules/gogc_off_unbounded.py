"""DFM008 gogc-off-unbounded: GOGC=off at runtime with no GOMEMLIMIT."""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.fix.rewrite import add_gomemlimit_fix
from dfmemlint.golang.gomemlimit import MemLimitStatus, judge_gomemlimit
from dfmemlint.rules.base import Context, Problem

CODE = "DFM008"


def unbounded(gogc: str | None, gomemlimit: str | None) -> bool:
    """GOGC is exactly ``off`` and GOMEMLIMIT is unset, empty or ``off`` (any format)."""
    if gogc != "off":
        return False
    if gomemlimit is None:
        return True
    return judge_gomemlimit(gomemlimit).status in (MemLimitStatus.OFF, MemLimitStatus.EMPTY)


def message(where: str, advice: str) -> str:
    """``where``: what runs with it (``the running container``)."""
    return (
        f"GOGC=off reaches {where} with no GOMEMLIMIT, so the garbage collector "
        "never runs and the heap grows until the kernel kills the container. Set "
        f"{advice} alongside it."
    )


def check(ctx: Context) -> Iterator[Problem]:
    gogc = ctx.runtime_settings.get("GOGC")
    if gogc is None:
        return
    if ctx.startup_limit is not None:
        return  # GOMEMLIMIT is set when the container starts
    if ctx.deployment_env and all(
        d.env.get("GOMEMLIMIT") not in (None, "", "off") for d in ctx.deployment_env
    ):
        return  # every Compose service that runs this image sets a GOMEMLIMIT
    limit = ctx.runtime_settings.get("GOMEMLIMIT")
    if not unbounded(gogc.value, None if limit is None else limit.value):
        return
    yield Problem(
        gogc.start,
        gogc.end,
        message("the running container", ctx.gomemlimit_advice()),
        add_gomemlimit_fix(ctx),
    )
