"""DFM004 gomemlimit-malformed: a GOMEMLIMIT value the Go runtime rejects."""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.dockerfile.reader import encode
from dfmemlint.dockerfile.settings import Setting
from dfmemlint.golang.gomemlimit import MemLimitJudgement, MemLimitStatus, judge_gomemlimit
from dfmemlint.golang.headroom import MAX_PERCENT, within_headroom
from dfmemlint.golang.units import format_size
from dfmemlint.rules.base import Context, Problem
from dfmemlint.types import Applicability, Edit, Fix, shown

CODE = "DFM004"
_UNCOUNTED = "GOMEMLIMIT does not count"
_BAD = (MemLimitStatus.MALFORMED, MemLimitStatus.VERSION_DEPENDENT)


def _where(setting: Setting) -> str:
    if setting.runtime:
        return "every Go process in this image exits at start-up"
    if setting.kind in ("arg", "env"):
        return "every Go command that later RUN steps of this stage start (go build included) exits"
    return "the Go commands this step starts (go build included) exit"


def _capped(ctx: Context, setting: Setting, suggestion: str) -> tuple[str, str]:
    """The respelling, or the recommended value when a container limit is declared and the
    respelling would leave too little headroom below it (DFM007 would flag it): (value, why)."""
    limit = ctx.memory_limit
    amount = judge_gomemlimit(suggestion).bytes
    if not setting.runtime or limit is None or amount is None or within_headroom(amount, limit):
        return suggestion, ""
    recommended = ctx.recommended_gomemlimit
    if recommended is None:
        return suggestion, ""
    return format_size(recommended), (
        f" ({ctx.ratio:g} of the declared {format_size(limit)} memory limit; "
        f"{too_much(suggestion, amount, limit, 'declared')})"
    )


def too_much(suggestion: str, amount: int, limit: int, whose: str) -> str:
    """Why the respelling ``suggestion`` (``amount`` bytes) does not fit a memory ``limit``
    (bytes) that it does not leave the headroom below: it exceeds the limit, equals it, or
    leaves under the headroom share (100 - MAX_PERCENT, from ``golang.headroom``). ``whose``
    names the limit (``declared``, ``container's``)."""
    named = f"the {whose} {format_size(limit)} memory limit"
    if amount > limit:
        return f"{suggestion} would exceed {named}"
    if amount == limit:
        return f"{suggestion} would equal {named}, leaving nothing for memory {_UNCOUNTED}"
    return f"{suggestion} would leave under {100 - MAX_PERCENT}% of it for memory {_UNCOUNTED}"


def describe(
    value: str,
    verdict: MemLimitJudgement,
    where: str,
    source: str = "",
    suggestion: str | None = None,
    why: str = "",
) -> str:
    """The message for a GOMEMLIMIT ``value`` that ``verdict`` found malformed or
    version-dependent, from any format: ``where`` says who dies (``every Go process in this
    image exits at start-up``), ``source`` where the value came from, ``suggestion`` (and
    ``why``) what to write instead."""
    if suggestion is not None:
        hint = f" Use {suggestion}{why}."
    else:
        hint = " Write a whole number of bytes, or one with a KiB, MiB, GiB or TiB suffix."
    if verdict.status is MemLimitStatus.VERSION_DEPENDENT:
        return f"GOMEMLIMIT={shown(value)}{source}: {verdict.problem}{hint}"
    return (
        f"GOMEMLIMIT={shown(value)}{source} is not a value the Go runtime accepts "
        f"({verdict.reason}); {where} with 'malformed GOMEMLIMIT'.{hint}"
    )


def is_bad(verdict: MemLimitJudgement) -> bool:
    """Malformed, or fatal in some Go releases."""
    return verdict.status in _BAD


def check(ctx: Context) -> Iterator[Problem]:
    reported: set[tuple[int, int]] = set()
    for setting in ctx.settings_named("GOMEMLIMIT"):
        if not setting.resolved:
            continue  # the shell expands it when the command runs
        verdict = judge_gomemlimit(setting.value)
        if verdict.status not in _BAD:
            continue
        start, end, editable = setting.start, setting.end, setting.editable
        source = ""
        if setting.via_arg is not None and setting.via_arg.token is not None:
            start, end = setting.via_arg.token.start, setting.via_arg.token.end
            editable = ctx.dockerfile.data[start:end] == encode(setting.value)
            source = f" (from the default of ARG {setting.via_arg.name})"
        if (start, end) in reported:
            continue
        reported.add((start, end))
        fix = None
        suggestion, why = None, ""
        if verdict.suggestion is not None:
            suggestion, why = _capped(ctx, setting, verdict.suggestion)
            if editable:
                fix = Fix(
                    f"Replace {shown(setting.value)} with {suggestion}{why}",
                    (Edit(start, end, encode(suggestion)),),
                    Applicability.SAFE if verdict.suggestion_safe else Applicability.UNSAFE,
                )
        message = describe(setting.value, verdict, _where(setting), source, suggestion, why)
        yield Problem(start, end, message, fix)
