"""DFM009 gomemlimit-misspelled: an ENV whose name is a near miss of GOMEMLIMIT.

The Go runtime reads exactly ``GOMEMLIMIT`` (``runtime/mgcpacer.go``, ``readGOMEMLIMIT``:
``gogetenv("GOMEMLIMIT")``; environment names are case-sensitive on Linux), so ``GOMEMLIMT``,
``gomemlimit``, ``GO_MEMLIMIT`` or ``GOMEMLIMIT_`` does nothing at run time. A near miss is a
name that differs from GOMEMLIMIT only in case or underscores, or by one letter added, dropped,
changed or swapped with its neighbour.
"""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.dockerfile.model import EnvSetting
from dfmemlint.rules.base import Context, Problem
from dfmemlint.types import Applicability, Edit, Fix

CODE = "DFM009"
NAME = "GOMEMLIMIT"


def _one_edit_apart(a: str, b: str) -> bool:
    """One letter added, dropped, changed, or two neighbours swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and (
            a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


def is_near_miss(name: str) -> bool:
    """``name`` is not GOMEMLIMIT but looks like a try at it."""
    if name == NAME:
        return False
    upper = name.upper()
    return upper.replace("_", "") == NAME or _one_edit_apart(upper, NAME)


def near_misses(ctx: Context, stages: frozenset[int] | None = None) -> list[EnvSetting]:
    """The ENV assignments of built stages (or of ``stages``) whose name is a near miss."""
    found: list[EnvSetting] = []
    for stage in ctx.graph.stages:
        if stage.index not in ctx.graph.built or (stages is not None and stage.index not in stages):
            continue
        found.extend(env for env in stage.own_env if is_near_miss(env.name))
    return found


def check(ctx: Context) -> Iterator[Problem]:
    data = ctx.dockerfile.data
    for env in near_misses(ctx):
        key = env.key
        fix = None
        same = [e for e in ctx.graph.stages[env.stage].own_env if e.instruction is env.instruction]
        if data[key.start : key.end] == env.name.encode() and not any(e.name == NAME for e in same):
            fix = Fix(
                f"Rename {env.name} to {NAME}",
                (Edit(key.start, key.end, NAME.encode()),),
                Applicability.UNSAFE,
            )
        yield Problem(
            key.start,
            key.end,
            f"ENV {env.name} is not {NAME}: the Go runtime reads only the exact name "
            f"{NAME}, so this sets no memory limit. Rename it to {NAME}.",
            fix,
        )
