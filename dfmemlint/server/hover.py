"""Hover on a GOMEMLIMIT value or a declared memory limit: the value in bytes, its share of the
declared container limit, and the budget for that limit
(:func:`dfmemlint.golang.budget.plan_budget`: GOMEMLIMIT = floor(limit x ratio) in whole MiB,
RSS alert threshold = min(limit x 0.9, GOMEMLIMIT x 1.1)), with where the limit came from.
Every number is computed here, as in ``dfmemlint budget``.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import NamedTuple

from dfmemlint.dockerfile.settings import Setting
from dfmemlint.golang.budget import plan_budget
from dfmemlint.golang.units import (
    LimitError,
    MemLimitStatus,
    describe_bytes,
    format_fraction,
    judge_gomemlimit,
    parse_memory_limit,
)
from dfmemlint.rules.base import Context
from dfmemlint.server.settings import LIMIT_SOURCE

_LIMIT_COMMENT = re.compile(rb"#\s*dfmemlint:\s*memory-limit\s*=\s*(?P<value>[^\r\n]*?)\s*$",
                            re.IGNORECASE)
_BASIS = {"limit": "limit x 0.9", "gomemlimit": "GOMEMLIMIT x 1.1"}


class HoverText(NamedTuple):
    """Markdown for a hover, with the byte span of the text it describes."""

    markdown: str
    start: int
    end: int


def share(part: int, whole: int) -> str:
    """``part`` as a percentage of ``whole``, one decimal (``79.9 %``)."""
    return f"{format_fraction(Fraction(round(Fraction(part * 1000, whole)), 10))} %"


def _source(ctx: Context) -> str:
    source = ctx.memory_limit_source
    if source == LIMIT_SOURCE:
        return source
    if source.startswith(f"{ctx.path}:"):
        return f"the `# dfmemlint: memory-limit=` comment on line {source.rsplit(':', 1)[1]}"
    if source.endswith(".toml"):
        return f"the configuration in `{source}`"
    return f"the Compose {source}"  # "service api, compose.yaml:9" (compose/link.py)


def budget_lines(limit: int, ratio: float) -> list[str]:
    """The budget for a container limit of ``limit`` bytes, as Markdown list items."""
    try:
        budget = plan_budget(limit, ratio)
    except LimitError as exc:
        return [f"- no budget: {exc}"]
    return [
        f"- budget at ratio {ratio:g}: `GOMEMLIMIT={budget.gomemlimit}` "
        f"({describe_bytes(budget.gomemlimit_bytes)}, {share(budget.gomemlimit_bytes, limit)} "
        "of the limit)",
        f"- RSS alert threshold: {describe_bytes(budget.alert_threshold_bytes)}, from "
        f"min(limit x 0.9, GOMEMLIMIT x 1.1) = {_BASIS[budget.alert_threshold_basis]}",
    ]


def _declared(ctx: Context) -> list[str]:
    if ctx.memory_limit is None:
        return [
            "- no container memory limit declared: add `# dfmemlint: memory-limit=SIZE`, "
            "`memory-limit` in the configuration, or the editor setting `dfmemlint.memoryLimit`"
        ]
    return [
        f"- declared container limit: {describe_bytes(ctx.memory_limit)}, from {_source(ctx)}",
        *budget_lines(ctx.memory_limit, ctx.ratio),
    ]


def _gomemlimit(ctx: Context, setting: Setting) -> str:
    judgement = judge_gomemlimit(setting.value)
    lines = [f"**GOMEMLIMIT={setting.value}**", ""]
    if judgement.status in (MemLimitStatus.OFF, MemLimitStatus.EMPTY):
        lines.append("- no soft memory limit (the Go runtime's default)")
    elif judgement.status == MemLimitStatus.VALID:
        assert judgement.bytes is not None
        lines.append(f"- {describe_bytes(judgement.bytes)}")
    else:
        lines.append(f"- {judgement.problem}")
    if judgement.bytes is not None and ctx.memory_limit is not None:
        lines.append(
            f"- {share(judgement.bytes, ctx.memory_limit)} of the declared container limit"
        )
    if not setting.runtime:
        lines.append("- does not reach the running container of the final image")
    lines.extend(_declared(ctx))
    return "\n".join(lines)


def _limit_comment(ctx: Context, value: str, line: int) -> str:
    lines = [f"**memory-limit={value}**", ""]
    try:
        limit = parse_memory_limit(value)
    except LimitError as exc:
        return "\n".join([*lines, f"- not a size dfmemlint reads: {exc}"])
    lines.append(f"- {describe_bytes(limit)}")
    if ctx.memory_limit_source != f"{ctx.path}:{line}":
        lines.append(f"- not in force: the limit in force comes from {_source(ctx)}")
    return "\n".join([*lines, *budget_lines(limit, ctx.ratio)])


def hover_at(ctx: Context, offset: int) -> HoverText | None:
    """The hover for the byte at ``offset`` of the linted text, or None when it is not on a
    GOMEMLIMIT setting or a ``memory-limit`` comment."""
    for setting in ctx.settings:
        if setting.name == "GOMEMLIMIT" and setting.assign_start <= offset <= setting.assign_end:
            return HoverText(_gomemlimit(ctx, setting), setting.start, setting.end)
    df = ctx.dockerfile
    for line, _ in df.comments:
        start = df.line_starts[line - 1]
        text = df.line_text(line)
        if not start <= offset <= start + len(text):
            continue
        match = _LIMIT_COMMENT.search(text)
        if match is None:
            return None
        value = match.group("value").decode("utf-8", "replace")
        return HoverText(
            _limit_comment(ctx, value, line),
            start + match.start("value"),
            start + match.end("value"),
        )
    return None
