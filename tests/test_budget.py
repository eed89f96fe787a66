"""`dfmemlint budget`: GOMEMLIMIT and the RSS alert threshold from a container limit."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from helpers.cli import run_cli

from dfmemlint.cli import cli
from dfmemlint.commands.budget import budget_command
from dfmemlint.golang.budget import Budget, kubernetes_memory, plan_budget
from dfmemlint.golang.container_limit import parse_memory_limit
from dfmemlint.golang.gomemlimit import parse_go_byte_count
from dfmemlint.golang.units import LimitError

MiB = 2**20

# (SIZE as typed, the limit in bytes worked out by hand)
SIZES: list[tuple[str, int]] = [
    ("512MiB", 512 * 2**20),
    ("1GiB", 1024 * 2**20),
    ("256Mi", 256 * 2**20),
    ("2g", 2 * 1024 * 2**20),
    ("1.5Gi", 1536 * 2**20),
    ("1e9", 10**9),
]


def expected_budget(limit: int, ratio_num: int = 8, ratio_den: int = 10) -> tuple[int, int, str]:
    """GOMEMLIMIT bytes, alert threshold and basis from first principles."""
    gomemlimit = limit * ratio_num // ratio_den // 2**20 * 2**20
    by_limit = limit * 9 // 10
    by_gomemlimit = gomemlimit * 11 // 10
    basis = "limit" if by_limit <= by_gomemlimit else "gomemlimit"
    return gomemlimit, min(by_limit, by_gomemlimit), basis


@pytest.mark.parametrize(("size", "limit"), SIZES)
def test_plan_budget(size: str, limit: int) -> None:
    assert parse_memory_limit(size) == limit
    gomemlimit, threshold, basis = expected_budget(limit)
    budget = plan_budget(limit, 0.8)
    assert budget == Budget(
        limit_bytes=limit,
        ratio=0.8,
        gomemlimit_bytes=gomemlimit,
        gomemlimit=f"{gomemlimit // 2**20}MiB",
        alert_threshold_bytes=threshold,
        alert_threshold_basis="limit" if basis == "limit" else "gomemlimit",
    )


def test_512mib_by_hand() -> None:
    # 512 MiB * 0.8 = 409.6 MiB -> 409 MiB; 409 MiB * 1.1 = 449.9 MiB < 512 MiB * 0.9 = 460.8 MiB.
    budget = plan_budget(512 * MiB)
    assert budget.gomemlimit == "409MiB"
    assert budget.gomemlimit_bytes == 428_867_584
    assert budget.alert_threshold_bytes == 471_754_342
    assert budget.alert_threshold_basis == "gomemlimit"


def test_high_ratio_makes_the_limit_the_bound() -> None:
    limit = 1024 * MiB
    gomemlimit, threshold, basis = expected_budget(limit, 9, 10)
    budget = plan_budget(limit, 0.9)
    assert basis == "limit"
    assert (budget.gomemlimit_bytes, budget.alert_threshold_bytes) == (gomemlimit, threshold)
    assert budget.alert_threshold_basis == "limit"


def test_plan_budget_refuses_what_compute_refuses() -> None:
    with pytest.raises(LimitError):
        plan_budget(MiB, 0.8)
    with pytest.raises(LimitError):
        plan_budget(512 * MiB, 1.5)


@pytest.mark.parametrize(
    ("limit", "quantity"),
    [(512 * MiB, "512Mi"), (2**30, "1024Mi"), (10**9, "1000000000"), (MiB + 1, str(MiB + 1))],
)
def test_kubernetes_memory(limit: int, quantity: str) -> None:
    assert kubernetes_memory(limit) == quantity


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    return run_cli(capsys, "budget", *args)


@pytest.mark.parametrize(("size", "limit"), SIZES)
def test_cli_json(capsys: pytest.CaptureFixture[str], size: str, limit: int) -> None:
    code, out, err = run(capsys, size, "--format", "json")
    assert (code, err) == (0, "")
    data: dict[str, Any] = json.loads(out)
    gomemlimit, threshold, _ = expected_budget(limit)
    assert data["limit_bytes"] == limit
    assert data["ratio"] == 0.8
    assert data["gomemlimit_bytes"] == gomemlimit
    assert data["alert_threshold_bytes"] == threshold
    # The GOMEMLIMIT string is valid for every Go release and means the same bytes.
    assert parse_go_byte_count(data["gomemlimit"], go_minor=21) == gomemlimit
    assert parse_go_byte_count(data["gomemlimit"], go_minor=26) == gomemlimit

    snippets = data["snippets"]
    assert snippets["dockerfile"] == f"ENV GOMEMLIMIT={data['gomemlimit']}"
    # Inline, a runtime GOMEMLIMIT (the Kubernetes env below) still wins over the default.
    assert snippets["dockerfile_inline"] == (
        f"CMD GOMEMLIMIT=${{GOMEMLIMIT:-{data['gomemlimit']}}} exec /app"
    )
    assert "env" not in snippets["dockerfile"] + snippets["dockerfile_inline"].replace("exec", "")
    container = yaml.safe_load(snippets["kubernetes"])
    memory = container["resources"]["limits"]["memory"]
    assert str(memory) == (f"{limit // MiB}Mi" if limit % MiB == 0 else str(limit))
    assert container["env"] == [{"name": "GOMEMLIMIT", "value": data["gomemlimit"]}]
    assert snippets["prometheus"].startswith("container_memory_rss{")
    assert snippets["prometheus"].endswith(f"}} > {threshold}")


def test_cli_text_shows_the_arithmetic(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "512MiB")
    assert (code, err) == (0, "")
    limit = 512 * MiB
    gomemlimit, threshold, _ = expected_budget(limit)
    for fragment in [
        f"{limit:,} bytes (512 MiB)",
        f"{limit:,} * 0.8 = {limit * 8 // 10:,}.{limit * 8 % 10} bytes",  # 429,496,729.6
        f"{gomemlimit // MiB} MiB = {gomemlimit:,} bytes",
        f"GOMEMLIMIT={gomemlimit // MiB}MiB",
        f"{limit:,} * 0.9 = {limit * 9 // 10:,}.{limit * 9 % 10} -> {limit * 9 // 10:,} bytes",
        f"{gomemlimit:,} * 1.1 = {gomemlimit * 11 // 10:,}.{gomemlimit * 11 % 10}",
        f"threshold        = {threshold:,} bytes",
        "from GOMEMLIMIT * 1.1",
        "CMD GOMEMLIMIT=${GOMEMLIMIT:-409MiB} exec /app",
        "ENV GOMEMLIMIT=409MiB",
        "memory: 512Mi",
        'value: "409MiB"',
        f'container_memory_rss{{container="app"}} > {threshold}',
    ]:
        assert fragment in out, fragment
    # The seed's mistake: 450,971,566 bytes is 430.1 MiB, and no "473 MiB" appears anywhere.
    assert "473 MiB" not in out


def test_cli_text_for_a_limit_that_is_not_whole_mib(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "1e9")
    assert code == 0
    assert "1,000,000,000 bytes (953.7 MiB)" in out
    assert "memory: 1000000000" in out
    # limit * 0.9 is whole here, so no rounding step is shown for it.
    assert "1,000,000,000 * 0.9 = 900,000,000 bytes (858.3 MiB)" in out


def test_cli_text_for_whole_mib_steps(capsys: pytest.CaptureFixture[str]) -> None:
    # 5 MiB * 0.8 = 4 MiB exactly: no rounding anywhere in the GOMEMLIMIT steps.
    code, out, _ = run(capsys, "5MiB")
    assert code == 0
    assert f"floor       = {4 * MiB:,} bytes = 4 MiB" in out
    assert "GOMEMLIMIT=4MiB" in out


def test_cli_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "1GiB", "--ratio", "0.9", "--format", "json")
    assert code == 0
    data = json.loads(out)
    gomemlimit, threshold, basis = expected_budget(2**30, 9, 10)
    assert (data["gomemlimit_bytes"], data["alert_threshold_bytes"]) == (gomemlimit, threshold)
    assert data["alert_threshold_basis"] == basis == "limit"
    assert data["ratio"] == 0.9


def test_cli_refuses_an_ambiguous_size(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "512M")
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("Error: Invalid value for 'SIZE': 512M is ambiguous: ")
    assert f"{512 * 10**6:,} bytes" in err
    assert f"{512 * 2**20:,} bytes" in err


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["0"], "more than 0"),
        (["1MiB"], "under 4 MiB"),
        (["512"], "did you mean 512MiB?"),
        (["4"], "did you mean 4MiB?"),
        (["17Ti"], "over 16 TiB"),
        (["4MiB", "--ratio", "0.1"], "under the 1 MiB"),
        (["512MiB", "--ratio", "1.5"], "ratio"),
        (["512MiB", "--ratio", "0"], "ratio"),
        (["512MiB", "--ratio", "abc"], "ratio"),
        (["512MiB", "--ratio", "nan"], "ratio"),
        (["lots"], "cannot read"),
    ],
)
def test_cli_bad_input(capsys: pytest.CaptureFixture[str], args: list[str], fragment: str) -> None:
    code, out, err = run(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.startswith("Error: ")
    assert err.count("\n") == 1
    assert fragment in err


def test_cli_runner_exit_codes() -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["budget", "256Mi"], standalone_mode=False)
    assert ok.exception is None
    assert ok.return_value == 0
    assert "GOMEMLIMIT=204MiB" in ok.output
    refused = runner.invoke(budget_command, ["512M"], standalone_mode=False)
    assert refused.return_value == 2


def test_cli_help() -> None:
    result = CliRunner().invoke(cli, ["budget", "--help"])
    assert result.exit_code == 0
    assert "--ratio" in result.output
    assert "SIZE" in result.output


@pytest.mark.parametrize("size", ["2", "3", "0", "4194303", "65537"])
def test_cli_no_hint_that_would_be_refused(capsys: pytest.CaptureFixture[str], size: str) -> None:
    """A bare number whose MiB reading is still under 4 MiB gets no "did you mean" hint: the
    suggested value would be refused in turn; nor one whose MiB reading is over 64 GiB
    (4194303 is bytes just under 4 MiB, not 4 TiB)."""
    code, out, err = run(capsys, size)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "did you mean" not in err
