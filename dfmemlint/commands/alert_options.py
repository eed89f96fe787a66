"""Options of the commands that write Prometheus alerting rules (``budget``, ``alerts``).

Their defaults come from :mod:`dfmemlint.alert_defaults`, and a ``--for`` is checked only when
given (the default is a valid duration), so ``dfmemlint budget`` loads no alert-writing code
unless it writes a rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from dfmemlint.alert_defaults import DEFAULT_FOR, DEFAULT_METRIC, DEFAULT_SEVERITY, METRICS
from dfmemlint.commands.options import once

F = TypeVar("F", bound=Callable[..., Any])


def _duration(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if param.name is not None and ctx.get_parameter_source(param.name) is ParameterSource.DEFAULT:
        return value
    from dfmemlint.alerts.promql import DurationError, parse_duration

    try:
        parse_duration(value)
    except DurationError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    return value


def _severity(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not value:
        raise click.BadParameter("cannot be empty", ctx=ctx, param=param)
    return value


def alert_options(function: F) -> F:
    """``--metric``, ``--for`` and ``--severity``."""
    for option in reversed(
        [
            once(
                "--metric",
                type=click.Choice(list(METRICS)),
                default=DEFAULT_METRIC,
                help="cAdvisor series to alert on: container_memory_rss or "
                "container_memory_working_set_bytes.",
            ),
            once(
                "--for",
                "for_duration",
                default=DEFAULT_FOR,
                metavar="DURATION",
                callback=_duration,
                help="How long the series must stay above the threshold (Prometheus duration).",
            ),
            once(
                "--severity",
                default=DEFAULT_SEVERITY,
                callback=_severity,
                help="The alert's severity label.",
            ),
        ]
    ):
        function = option(function)
    return function
