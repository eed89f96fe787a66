"""DFM017 dfmemlint-comment: a ``# dfmemlint:`` comment that does not do what it says.

The comments are read by ``engine.read_pragmas``; this rule reports what it found wrong, at the
offending text of the comment:

* ``memory-limit=SIZE`` with a value ``--memory-limit`` and the configuration refuse
  (``golang.container_limit.parse_container_limit``): ambiguous (``512M``: Kubernetes reads M
  as 10^6, Docker as 2^20), unreadable (``abc``), or outside 4 MiB-16 TiB (``512`` bytes,
  ``2Pi``). The comment then declares no limit: an error, so the run fails as it does on the
  command line;
* an ``ignore=``/``global ignore=`` naming no rule code (a warning: the suppression it was meant
  to make does not happen), as ruff's RUF102 ``invalid-rule-code`` does for ``# noqa``
  (``crates/ruff_linter/src/rules/ruff/rules/invalid_rule_code.rs``);
* a ``# dfmemlint:`` comment with a setting that does not exist (``disable=DFM001``), a warning.

An ``ignore=`` comment that suppresses nothing is DFM017 too, found by the engine once every
other rule has reported (:mod:`dfmemlint.ignore_comments`).
"""

from __future__ import annotations

from collections.abc import Iterator

from dfmemlint.rules.base import Context, Problem

CODE = "DFM017"


def check(ctx: Context) -> Iterator[Problem]:
    yield from ctx.comment_problems
