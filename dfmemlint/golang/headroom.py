"""The acceptable GOMEMLIMIT for a container limit: one definition for DFM007, ``--ratio``, the
configuration's ``ratio`` and ``dfmemlint budget``.

GOMEMLIMIT bounds only the memory the Go runtime manages. The mapped binary, cgo and other
non-Go allocations, kernel memory charged to the container and any other process count against
the container's limit too, so the soft limit needs room below it. The Go GC guide ("A guide to
the Go Garbage Collector", section "Suggested uses") suggests leaving 5-10 % of headroom;
KimMachineGun/automemlimit (``memlimit.go``, ``defaultAUTOMEMLIMIT``) defaults to 0.9 of the
cgroup limit. So:

* a GOMEMLIMIT of at most :data:`MAX_SHARE` (95 %) of the limit is acceptable;
* above that DFM007 warns, and at or above the limit itself it is an error;
* a ratio is usable only if ``0 < ratio <= MAX_SHARE``: then ``floor(limit * ratio)`` in whole
  MiB can never be a value DFM007 flags for headroom.

This module imports nothing from the rest of the package, so ``units`` can use it.
"""

from __future__ import annotations

import math

#: The largest share of the container limit GOMEMLIMIT may take (95 %: at least 5 % headroom).
MAX_PERCENT = 95
#: The range as people read it, for messages.
RATIO_RANGE = "above 0 and at most 0.95"


def ratio_problem(ratio: object) -> str | None:
    """Why ``ratio`` (a float or int, as read from the command line or configuration) is not a
    usable share of the container limit, or ``None`` when it is."""
    if isinstance(ratio, bool) or not isinstance(ratio, (int, float)) or math.isnan(ratio):
        return f"the ratio must be a number {RATIO_RANGE}, not {ratio!r}"
    if ratio <= 0:
        # GOMEMLIMIT = floor(limit * ratio). "A zero limit ... may cause the garbage collector
        # to run nearly continuously" (golang/go src/runtime/debug/garbage.go, SetMemoryLimit);
        # below 0 it is no count of bytes at all.
        result = "GOMEMLIMIT=0, with which the garbage collector runs almost continuously"
        if ratio < 0:
            result = "a negative GOMEMLIMIT, which is no share of the container limit"
        return f"the ratio must be {RATIO_RANGE}, not {ratio!r}: it would give {result}"
    from fractions import Fraction  # only a ratio given by the user is checked

    if math.isinf(ratio) or Fraction(str(ratio)) > Fraction(MAX_PERCENT, 100):
        return (
            f"the ratio must be {RATIO_RANGE}, not {ratio!r}: a GOMEMLIMIT above "
            f"{MAX_PERCENT}% of the container limit leaves too little room for memory the Go "
            "runtime does not count, and DFM007 would flag the value it gives"
        )
    return None


def within_headroom(amount: int, limit: int) -> bool:
    """``amount`` bytes of GOMEMLIMIT leave at least the headroom below ``limit`` bytes."""
    return amount * 100 <= limit * MAX_PERCENT
