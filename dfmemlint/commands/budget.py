"""``dfmemlint budget SIZE``: print the memory budget for a container limit (``golang.budget``)."""

from __future__ import annotations

import json

import click

from dfmemlint.commands.options import format_option
from dfmemlint.config import ConfigError, parse_ratio
from dfmemlint.golang.budget import DEFAULT_RATIO, budget_json, budget_text, plan_budget
from dfmemlint.golang.headroom import RATIO_RANGE
from dfmemlint.golang.units import LimitError, parse_memory_limit


def _parse_ratio(text: str) -> float:
    try:
        return parse_ratio(text, "--ratio")
    except ConfigError as exc:
        raise LimitError(str(exc)) from None


@click.command("budget")
@click.argument("size")
@click.option(
    "--ratio",
    default=str(DEFAULT_RATIO),
    show_default=True,
    metavar="R",
    help=f"GOMEMLIMIT as a share of the limit: {RATIO_RANGE}.",
)
@format_option(["text", "json"])
def budget_command(size: str, ratio: str, output_format: str) -> int:
    """Compute GOMEMLIMIT and an RSS alert threshold from a container memory limit SIZE.

    SIZE is the container's memory limit: 512MiB, 512Mi (Kubernetes), 512m (Docker), 1.5Gi, 1e9 or
    plain bytes. A bare 512M is refused: Kubernetes and Docker read it differently.
    """
    try:
        limit = parse_memory_limit(size)
        budget = plan_budget(limit, _parse_ratio(ratio))
    except LimitError as exc:
        click.echo(f"Error: {exc}", err=True)
        return 2
    if output_format == "json":
        click.echo(json.dumps(budget_json(budget), indent=2))
    else:
        click.echo(budget_text(size, budget))
    return 0
