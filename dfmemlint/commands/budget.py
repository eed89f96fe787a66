"""``dfmemlint budget SIZE``: print the memory budget for a container limit (``golang.budget``)."""

from __future__ import annotations

import json
import re

import click

from dfmemlint.commands.alert_options import alert_options
from dfmemlint.commands.options import Command, error, format_option, once
from dfmemlint.config import ConfigError, invalid_value, parse_ratio
from dfmemlint.golang.budget import (
    CONTAINER,
    DEFAULT_RATIO,
    Budget,
    budget_json,
    budget_text,
    plan_budget,
)
from dfmemlint.golang.container_limit import parse_container_limit
from dfmemlint.golang.headroom import RATIO_RANGE
from dfmemlint.golang.units import LimitError


def _parse_ratio(text: str) -> float:
    try:
        return parse_ratio(text, invalid_value("--ratio"))
    except ConfigError as exc:
        raise LimitError(str(exc)) from None


def _parse_size(text: str) -> int:
    try:
        return parse_container_limit(text)
    except LimitError as exc:
        raise LimitError(f"{invalid_value('SIZE')}: {exc}") from None


def _plan(limit: int, ratio: float) -> Budget:
    """The budget; a ratio that leaves under 1 MiB of this limit is a bad ``--ratio``, said as
    every other bad value is (``Invalid value for '--ratio': …``)."""
    try:
        return plan_budget(limit, ratio)
    except LimitError as exc:
        raise LimitError(f"{invalid_value('--ratio')}: {exc}") from None


_NEGATIVE = re.compile(r"-[0-9.]")


class _SizeCommand(Command):
    """``budget -1`` reads ``-1`` as the (negative, refused) size, not as an unknown option."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = {
            name
            for param in self.get_params(ctx)
            if isinstance(param, click.Option) and not param.is_flag
            for name in param.opts
        }
        if "--" not in args:
            for i, arg in enumerate(args):
                follows_option = i > 0 and args[i - 1] in takes_value
                if _NEGATIVE.match(arg) and not follows_option:
                    args = [*args[:i], *args[i + 1 :], "--", arg]
                    break
        return super().parse_args(ctx, args)


@click.command(
    "budget",
    cls=_SizeCommand,
    short_help="GOMEMLIMIT and an RSS alert threshold for a memory limit.",
)
@click.argument("size")
@once(
    "--ratio",
    default=str(DEFAULT_RATIO),
    metavar="R",
    help=f"GOMEMLIMIT as a share of the limit: {RATIO_RANGE}.",
)
@format_option(["text", "json", "prometheus", "prometheus-operator"])
@once(
    "--container",
    default=CONTAINER,
    help="Alert rules: the container's name (cAdvisor label container).",
)
@once("--namespace", default=None, help="Alert rules: the namespace to select.")
@once(
    "--workload",
    default=None,
    metavar="KIND/NAME",
    help="Alert rules: select the pods of this workload (Deployment/api, StatefulSet/db, ...).",
)
@alert_options
def budget_command(
    size: str,
    ratio: str,
    output_format: str,
    container: str,
    namespace: str | None,
    workload: str | None,
    metric: str,
    for_duration: str,
    severity: str,
) -> int:
    """Compute GOMEMLIMIT and an RSS alert threshold from a container memory limit SIZE.

    SIZE is the container's memory limit: 512MiB, 512Mi (Kubernetes), 512m (Docker), 1.5Gi, 1e9 or
    plain bytes. A bare 512M is refused: Kubernetes and Docker read it differently.
    --format prometheus prints the alerting rule for that threshold (prometheus-operator: as a
    PrometheusRule).
    """
    try:
        limit = _parse_size(size)
        ratio_value = _parse_ratio(ratio)
        budget = _plan(limit, ratio_value)
    except LimitError as exc:
        error(str(exc))
        return 2
    if output_format == "json":
        click.echo(json.dumps(budget_json(budget), indent=2))
    elif output_format == "text":
        click.echo(budget_text(size, budget))
    else:
        from dfmemlint.commands.budget_rule import budget_rule

        try:
            text = budget_rule(
                size, budget, container, namespace, workload, metric, for_duration, severity,
                output_format,
            )
        except ValueError as exc:
            error(str(exc))
            return 2
        click.echo(text, nl=False)
    return 0
