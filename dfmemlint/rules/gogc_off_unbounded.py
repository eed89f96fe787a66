"""DFM008 gogc-off-unbounded: GOGC=off at runtime with no GOMEMLIMIT."""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.fix.rewrite import add_gomemlimit_fix
from dfmemlint.golang.gomemlimit import MemLimitStatus, gogc_turns_gc_off, judge_gomemlimit
from dfmemlint.rules.base import Context, Problem

CODE = "DFM008"


def unbounded(gogc: str | None, gomemlimit: str | None) -> bool:
    """GOGC turns the collector off (``off``, or a negative number: :func:`gogc_turns_gc_off`)
    and GOMEMLIMIT is unset, empty or ``off`` (any format)."""
    if gogc is None or not gogc_turns_gc_off(gogc):
        return False
    if gomemlimit is None:
        return True
    return judge_gomemlimit(gomemlimit).status in (MemLimitStatus.OFF, MemLimitStatus.EMPTY)


def message(where: str, advice: str, gogc: str = "off") -> str:
    """``where``: what runs with it (``the running container``); ``gogc``: the value."""
    negative = "" if gogc == "off" else " (a negative GOGC turns the collector off, as off does)"
    return (
        f"GOGC={gogc}{negative} reaches {where} with no GOMEMLIMIT, so the garbage collector "
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
        message("the running container", ctx.gomemlimit_advice(), gogc.value),
        add_gomemlimit_fix(ctx),
    )
