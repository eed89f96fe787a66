"""DFM007 gomemlimit-out-of-range: 0, under 1 MiB, or too close to the declared limit."""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.reader import encode
from dfmemlint.rules.base import MIB, Context, Problem
from dfmemlint.types import Applicability, Edit, Fix, Severity
from dfmemlint.units import MemLimitStatus, compute_gomemlimit, describe_bytes, judge_gomemlimit

CODE = "DFM007"
HEADROOM_PERCENT = 95


def check(ctx: Context) -> Iterator[Problem]:
    limit = ctx.memory_limit
    for setting in ctx.settings_named("GOMEMLIMIT"):
        if not setting.runtime:
            continue
        verdict = judge_gomemlimit(setting.value)
        if verdict.status is not MemLimitStatus.VALID or verdict.bytes is None:
            continue
        amount = verdict.bytes
        severity = Severity.ERROR
        if amount == 0:
            message = (
                f"GOMEMLIMIT={setting.value} is a limit of 0 bytes: the garbage collector runs "
                "almost continuously. Set it to about 80-90% of the container's memory limit."
            )
        elif amount < MIB:
            message = (
                f"GOMEMLIMIT={setting.value} is {describe_bytes(amount)}, under 1 MiB: the "
                "garbage collector runs almost continuously. A unit is probably missing "
                "(MiB or GiB)."
            )
        elif limit is not None and amount >= limit:
            message = (
                f"GOMEMLIMIT={setting.value} ({describe_bytes(amount)}) is not below the "
                f"container's memory limit of {describe_bytes(limit)}: the kernel kills the "
                "container before the Go runtime starts collecting harder."
            )
        elif limit is not None and amount * 100 > limit * HEADROOM_PERCENT:
            severity = Severity.WARNING
            percent = amount * 100 // limit
            message = (
                f"GOMEMLIMIT={setting.value} is {percent}% of the container's memory limit of "
                f"{describe_bytes(limit)}, leaving under {100 - HEADROOM_PERCENT}% for memory "
                "the Go heap limit does not count (stacks, cgo, the OS). Leave 10-20% headroom."
            )
        else:
            continue
        fix = None
        if limit is not None and setting.editable:
            try:
                target = compute_gomemlimit(limit, ctx.ratio)
            except ValueError:
                target = 0
            if target:
                new = f"{target // MIB}MiB"
                fix = Fix(
                    f"Set GOMEMLIMIT to {new} ({ctx.ratio} of the declared limit)",
                    (Edit(setting.start, setting.end, encode(new)),),
                    Applicability.UNSAFE,
                )
        yield Problem(setting.start, setting.end, message, fix, severity)
