"""``dfmemlint alerts``: running it, reading its rules, and the budget's threshold to compare."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from helpers.cli import run_cli


def run_alerts(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``dfmemlint alerts ARGS``: exit code, standard output, standard error."""
    return run_cli(capsys, "alerts", *args)


def rules_of(text: str) -> list[dict[str, Any]]:
    """The rules of the one group of a Prometheus rule file."""
    (group,) = yaml.safe_load(text)["groups"]
    rules: list[dict[str, Any]] = group["rules"]
    return rules


def operator_rules(text: str) -> list[dict[str, Any]]:
    """The rules of the one group of a Prometheus Operator ``PrometheusRule`` resource."""
    resource = yaml.safe_load(text)
    assert resource["kind"] == "PrometheusRule"
    rules: list[dict[str, Any]] = resource["spec"]["groups"][0]["rules"]
    return rules


def budget_threshold(capsys: pytest.CaptureFixture[str], size: str) -> int:
    """The RSS alert threshold ``dfmemlint budget SIZE`` computes, in bytes."""
    code, out, _ = run_cli(capsys, "budget", size, "--format", "json")
    assert code == 0
    threshold: int = json.loads(out)["alert_threshold_bytes"]
    return threshold
