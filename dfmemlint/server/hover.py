"""Hover on a GOMEMLIMIT value or a declared memory limit: the value in bytes, its share of the
declared container limit, and the budget for that limit
(:func:`dfmemlint.golang.budget.plan_budget`: GOMEMLIMIT = floor(limit x ratio) in whole MiB,
RSS alert threshold = min(limit x 0.9, GOMEMLIMIT x 1.1)), with where the limit came from.
Every number is computed here, as in ``dfmemlint budget``.

In a Dockerfile the limit is the declared one (comment, configuration, editor setting, Compose
service); in a file that describes containers (a Kubernetes manifest's ``resources.limits.memory``,
a Compose service's limit) it is each container's own, read from the format-neutral records
of :mod:`dfmemlint.containers` that the value rules judge.
"""

from __future__ import annotations

import os
import re
from fractions import Fraction
from typing import TYPE_CHECKING

from dfmemlint.compose.lint import ComposeResult
from dfmemlint.containers import ContainerSettings, GoSetting, MemoryLimit, Place
from dfmemlint.dockerfile.settings import Setting
from dfmemlint.engine import LintResult
from dfmemlint.golang.budget import plan_budget
from dfmemlint.golang.container_limit import parse_memory_limit
from dfmemlint.golang.gomemlimit import MemLimitStatus, judge_gomemlimit
from dfmemlint.golang.units import LimitError, describe_bytes, format_fraction
from dfmemlint.kubernetes.lint import ManifestResult
from dfmemlint.records import Record
from dfmemlint.rules.base import Context
from dfmemlint.server.settings import LIMIT_SOURCE

if TYPE_CHECKING:
    from dfmemlint.formats import Result
    from dfmemlint.positions import TextPositions
    from dfmemlint.server.linting import DocumentLint

_LIMIT_COMMENT = re.compile(rb"#\s*dfmemlint:\s*memory-limit\s*=\s*(?P<value>[^\r\n]*?)\s*$",
                            re.IGNORECASE)
_BASIS = {"limit": "limit x 0.9", "gomemlimit": "GOMEMLIMIT x 1.1"}


class HoverText(Record):
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


def _value_lines(value: str, limit: int | None, whose: str) -> list[str]:
    """What the Go runtime makes of a GOMEMLIMIT ``value``, and its share of ``limit``."""
    judgement = judge_gomemlimit(value)
    lines: list[str] = []
    if judgement.status in (MemLimitStatus.OFF, MemLimitStatus.EMPTY):
        lines.append("- no soft memory limit (the Go runtime's default)")
    elif judgement.status == MemLimitStatus.VALID:
        assert judgement.bytes is not None
        lines.append(f"- {describe_bytes(judgement.bytes)}")
    else:
        lines.append(f"- {judgement.problem}")
    if judgement.bytes is not None and limit is not None:
        lines.append(f"- {share(judgement.bytes, limit)} of {whose}")
    return lines


def _gomemlimit(ctx: Context, setting: Setting) -> str:
    lines = [f"**GOMEMLIMIT={setting.value}**", ""]
    lines.extend(_value_lines(setting.value, ctx.memory_limit, "the declared container limit"))
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


# -- files that describe containers (Kubernetes manifests, Compose files) ---------------------


def containers_of(result: Result) -> list[ContainerSettings]:
    """Every container a linted file describes: a manifest's resolved containers, the services
    of a Compose file or of the projects that read an env file; none for a Dockerfile."""
    if isinstance(result, ManifestResult):
        return [item.settings for item in result.resolved]
    if isinstance(result, ComposeResult):
        return list(result.settings)
    return []


def _same_file(place: Place, path: str) -> bool:
    return os.path.normcase(os.path.abspath(place.path)) == os.path.normcase(
        os.path.abspath(path)
    )


def _where(place: Place | None, path: str, source: TextPositions) -> str:
    if place is None:
        return ""
    if _same_file(place, path):
        return f" on line {source.line_col(place.start)[0]}"
    return f" in {place.path}"


def _limit_line(limit: MemoryLimit | None, path: str, source: TextPositions) -> str:
    if limit is None:
        return "- no memory limit declared for this container: it may use all the node's memory"
    return (
        f"- container memory limit: {describe_bytes(limit.bytes)}, from `{limit.field}: "
        f"{limit.text}`{_where(limit.place, path, source)}"
    )


def _setting_hover(
    item: ContainerSettings, setting: GoSetting, ratio: float, path: str, source: TextPositions
) -> str:
    limit = item.limit
    head = "**GOMEMLIMIT**" if setting.value is None else f"**GOMEMLIMIT={setting.value}**"
    lines = [head, "", f"- {setting.container.describe()}, from {setting.origin}"]
    if setting.value is None:
        lines.append("- the value is not in the linted files")
    else:
        lines.extend(_value_lines(
            setting.value, None if limit is None else limit.bytes, "the container's memory limit"
        ))
    lines.append(_limit_line(limit, path, source))
    if limit is not None:
        lines.extend(budget_lines(limit.bytes, ratio))
    return "\n".join(lines)


def _limit_hover(items: list[ContainerSettings], ratio: float) -> str:
    limit = items[0].limit
    assert limit is not None
    lines = [f"**{limit.field}: {limit.text}**", "", f"- {describe_bytes(limit.bytes)}"]
    for item in items:
        setting = item.get("GOMEMLIMIT")
        who = item.container.describe()
        if setting is None:
            lines.append(f"- {who}: no GOMEMLIMIT reaches it")
            continue
        judgement = judge_gomemlimit(setting.value or "")
        if setting.value is None or judgement.bytes is None:
            lines.append(f"- {who}: GOMEMLIMIT from {setting.origin}")
        else:
            lines.append(
                f"- {who}: GOMEMLIMIT={setting.value} from {setting.origin}, "
                f"{share(judgement.bytes, limit.bytes)} of this limit"
            )
    return "\n".join([*lines, *budget_lines(limit.bytes, ratio)])


def hover_containers(
    containers: list[ContainerSettings],
    path: str,
    source: TextPositions,
    ratio: float,
    offset: int,
) -> HoverText | None:
    """The hover at ``offset`` of the file ``path`` that describes ``containers``: on a
    GOMEMLIMIT value (or the field it is computed from) or on a memory limit; None elsewhere.
    A value several containers share (a ConfigMap's) shows each of them."""

    def under(place: Place | None) -> bool:
        return (
            place is not None and place.start <= offset <= place.end and _same_file(place, path)
        )

    parts: list[str] = []
    span: Place | None = None
    for item in containers:
        setting = item.get("GOMEMLIMIT")
        if setting is not None and under(setting.place):
            parts.append(_setting_hover(item, setting, ratio, path, source))
            span = setting.place
    if span is None:
        limited = [item for item in containers if item.limit and under(item.limit.place)]
        if not limited:
            return None
        assert limited[0].limit is not None
        span = limited[0].limit.place
        parts.append(_limit_hover(limited, ratio))
    assert span is not None
    return HoverText("\n\n---\n\n".join(parts), span.start, span.end)


def hover_document(document: DocumentLint, offset: int) -> HoverText | None:
    """The hover at byte ``offset`` of a linted document, whatever its format."""
    result = document.result
    if result is None or document.options is None:
        return None
    if isinstance(result, LintResult):
        return hover_at(result.context, offset)
    return hover_containers(
        containers_of(result), result.path, result.source, document.options.ratio, offset
    )
