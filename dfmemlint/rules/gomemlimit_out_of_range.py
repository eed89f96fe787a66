"""DFM007 gomemlimit-out-of-range: 0, under 1 MiB, or too close to the declared limit."""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.dockerfile.reader import encode
from dfmemlint.golang.gomemlimit import MemLimitStatus, judge_gomemlimit
from dfmemlint.golang.headroom import MAX_PERCENT, within_headroom
from dfmemlint.golang.units import compute_gomemlimit, describe_bytes
from dfmemlint.rules.base import MIB, Context, Problem
from dfmemlint.types import Applicability, Edit, Fix, Severity

CODE = "DFM007"
HEADROOM_PERCENT = MAX_PERCENT


def _percent(amount: int, limit: int) -> str:
    """``amount`` as a share of ``limit``, rounded down to a tenth of a percent; "over 95%" when
    that rounding would hide that it is above the headroom threshold."""
    tenths = amount * 1000 // limit
    if tenths <= HEADROOM_PERCENT * 10 < amount * 1000 / limit:
        return f"over {HEADROOM_PERCENT}%"
    whole, tenth = divmod(tenths, 10)
    return f"{whole}.{tenth}%" if tenth else f"{whole}%"


def flaw(amount: int, limit: int | None) -> str | None:
    """What DFM007 finds wrong with ``amount`` bytes of GOMEMLIMIT below a container's memory
    ``limit`` (bytes, None when unknown), as a clause (``under 1 MiB``); None when it finds
    nothing. :func:`judge` flags exactly these values."""
    if amount == 0:
        return "a limit of 0 bytes"
    if amount < MIB:
        return "under 1 MiB"
    if limit is not None and amount >= limit:
        return f"not below the container's memory limit of {describe_bytes(limit)}"
    if limit is not None and not within_headroom(amount, limit):
        return (
            f"{_percent(amount, limit)} of the container's memory limit of "
            f"{describe_bytes(limit)}, above {HEADROOM_PERCENT}%"
        )
    return None


def judge(
    value: str, amount: int, limit: int | None, advice: str
) -> tuple[str, Severity] | None:
    """Judge a valid GOMEMLIMIT ``value`` of ``amount`` bytes against the container's memory
    ``limit`` (bytes, None when unknown), from any format: (message, severity) when it is 0,
    under 1 MiB, not below the limit (error) or above 95 % of it (warning); None when fine.
    ``advice`` is what to set instead (``GOMEMLIMIT=409MiB (0.8 of ...)``)."""
    severity = Severity.ERROR
    if amount == 0:
        message = (
            f"GOMEMLIMIT={value} is a limit of 0 bytes, so the garbage collector runs "
            f"almost continuously. Set {advice}."
        )
    elif amount < MIB:
        message = (
            f"GOMEMLIMIT={value} is {describe_bytes(amount)}, under "
            f"{describe_bytes(MIB)}, so the garbage collector runs almost continuously; a "
            f"unit (MiB, GiB) is probably missing. Set {advice}."
        )
    elif limit is not None and amount >= limit:
        message = (
            f"GOMEMLIMIT={value} is {describe_bytes(amount)}, not below the "
            f"container's memory limit of {describe_bytes(limit)}, so the kernel kills the "
            f"container before the Go runtime collects harder. Set {advice}."
        )
    elif limit is not None and not within_headroom(amount, limit):
        severity = Severity.WARNING
        message = (
            f"GOMEMLIMIT={value} is {_percent(amount, limit)} of the container's "
            "memory limit of "
            f"{describe_bytes(limit)}, leaving under {100 - HEADROOM_PERCENT}% for memory "
            "GOMEMLIMIT does not count (the mapped binary, cgo and other non-Go allocations, "
            f"kernel memory charged to the container, other processes). Set {advice}."
        )
    else:
        return None
    return message, severity


def _fix(ctx: Context, start: int, end: int) -> Fix | None:
    """Set the recommended value (unsafe: it changes the amount), with a declared limit."""
    if ctx.memory_limit is None:
        return None
    try:
        target = compute_gomemlimit(ctx.memory_limit, ctx.ratio)
    except ValueError:
        target = 0
    if not target:
        return None
    new = f"{target // MIB}MiB"
    return Fix(
        f"Set GOMEMLIMIT to {new} ({ctx.ratio} of the declared limit)",
        (Edit(start, end, encode(new)),),
        Applicability.UNSAFE,
    )


def _in_scripts(ctx: Context) -> Iterator[Problem]:
    """The values the entrypoint script assigns (as DFM004 places them: in the Dockerfile for a
    heredoc script, with a fix; in the script's own file for a build-context file, without)."""
    for found in ctx.script_settings:
        verdict = judge_gomemlimit(found.value)
        if verdict.status is not MemLimitStatus.VALID or verdict.bytes is None:
            continue
        source = f" (in the entrypoint script {found.script})"
        judged = judge(found.value + source, verdict.bytes, ctx.memory_limit,
                       ctx.gomemlimit_advice())
        if judged is None:
            continue
        message, severity = judged
        start, end, elsewhere = ctx.script_place(found)
        fix = None
        if elsewhere is None and ctx.dockerfile.data[start:end] == encode(found.value):
            fix = _fix(ctx, start, end)
        yield Problem(start, end, message, fix, severity, elsewhere)


def check(ctx: Context) -> Iterator[Problem]:
    yield from _in_scripts(ctx)
    limit = ctx.memory_limit
    setting = ctx.runtime_settings.get("GOMEMLIMIT")
    # Only the value the running program sees: an ENV overridden on the start command is moot.
    if setting is None:
        return
    verdict = judge_gomemlimit(setting.value)
    if verdict.status is not MemLimitStatus.VALID or verdict.bytes is None:
        return
    start, end, editable, source = setting.value_place(ctx.dockerfile.data)
    judged = judge(setting.value + source, verdict.bytes, limit, ctx.gomemlimit_advice())
    if judged is None:
        return
    message, severity = judged
    yield Problem(start, end, message, _fix(ctx, start, end) if editable else None, severity)
