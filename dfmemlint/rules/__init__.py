"""Rules: one module per rule, each with ``CODE`` and a ``check(ctx)`` generator of problems.

An explicit registry (no plugin discovery); identities live in ``catalog``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from dfmemlint.rules import (
    dfmemlint_comment,
    dockerfile_syntax,
    env_cache_bust,
    go_too_old,
    gogc_off_unbounded,
    gomemlimit_build_only,
    gomemlimit_malformed,
    gomemlimit_missing,
    gomemlimit_misspelled,
    gomemlimit_out_of_range,
    gomemlimit_overrides_deployment,
    gomemlimit_wrong_stage,
)
from dfmemlint.rules.base import Context, Problem

Check = Callable[[Context], Iterator[Problem]]

REGISTRY: dict[str, Check] = {
    module.CODE: module.check
    for module in (
        dockerfile_syntax,
        gomemlimit_build_only,
        gomemlimit_wrong_stage,
        env_cache_bust,
        gomemlimit_malformed,
        go_too_old,
        gomemlimit_missing,
        gomemlimit_out_of_range,
        gogc_off_unbounded,
        gomemlimit_misspelled,
        gomemlimit_overrides_deployment,
        dfmemlint_comment,
    )
}
