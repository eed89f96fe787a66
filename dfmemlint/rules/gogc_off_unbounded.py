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


def message(
    where: str, advice: str, gogc: str = "off", gomemlimit: str | None = None, source: str = ""
) -> str:
    """``where``: what runs with it (``the running container``); ``gogc``: the value;
    ``gomemlimit``: the GOMEMLIMIT that reaches it too (``off`` or empty: set, but no limit,
    as ``runtime/debug.SetMemoryLimit``'s math.MaxInt64 default), None when none does;
    ``source``: where the GOGC value came from (`` (from --build-arg …)``), if not where it is."""
    negative = "" if gogc == "off" else " (a negative GOGC turns the collector off, as off does)"
    if gomemlimit is None:
        limit, then = "with no GOMEMLIMIT", "alongside it"
    elif gomemlimit == "":
        limit, then = "with GOMEMLIMIT set empty, which sets no limit", "instead"
    else:
        limit, then = f"with GOMEMLIMIT={gomemlimit}, which sets no limit", "instead"
    return (
        f"GOGC={gogc}{source}{negative} reaches {where} {limit}, so the garbage collector never "
        f"runs and the heap grows until the kernel kills the container. Set {advice} {then}."
    )


def runtime_gogc(ctx: Context) -> str | None:
    """The GOGC the running program sees, when this rule judges it: none is judged when
    GOMEMLIMIT is set as the container starts or every Compose service running the image sets
    one."""
    gogc = ctx.runtime_settings.get("GOGC")
    if gogc is None:
        return None
    if ctx.startup_limit is not None:
        return None  # GOMEMLIMIT is set when the container starts
    if ctx.deployment_env and all(
        d.env.get("GOMEMLIMIT") not in (None, "", "off") for d in ctx.deployment_env
    ):
        return None  # every Compose service that runs this image sets a GOMEMLIMIT
    return gogc.value


def check(ctx: Context) -> Iterator[Problem]:
    if runtime_gogc(ctx) is None:
        return
    gogc = ctx.runtime_settings["GOGC"]
    limit = ctx.runtime_settings.get("GOMEMLIMIT")
    if not unbounded(gogc.value, None if limit is None else limit.value):
        return
    # A value from --build-arg is in no file: reported at the ARG it sets, saying so.
    start, end, source = gogc.start, gogc.end, ""
    if gogc.build_arg is not None:
        start, end, _, source = gogc.value_place(ctx.dockerfile.data)
    yield Problem(
        start,
        end,
        message(
            "the running container", ctx.gomemlimit_advice(), gogc.value,
            None if limit is None else limit.value, source,
        ),
        add_gomemlimit_fix(ctx),
    )
