"""DFM004's advice when the respelled GOMEMLIMIT does not fit the container's memory limit: the
clause after the recommended value says what is true of the respelling, in every format (and
in the language server's diagnostic and quick-fix title): above the limit it would exceed it,
at the limit it would equal it, just below it it would leave under the headroom share."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types

from dfmemlint.config import clear_cache
from dfmemlint.engine import LintOptions
from dfmemlint.formats import lint
from dfmemlint.golang.gomemlimit import judge_gomemlimit
from dfmemlint.golang.headroom import MAX_PERCENT, within_headroom
from dfmemlint.golang.units import MIB, compute_gomemlimit, format_size
from dfmemlint.server import actions
from dfmemlint.server.diagnostics import LineIndex, diagnostics
from dfmemlint.server.linting import lint_document
from dfmemlint.server.settings import ClientSettings

# (GOMEMLIMIT as written, what Go would accept, container limit in MiB, the expected clause)
CASES = [
    ("512MB", "512MiB", 384, "would exceed the {whose} 384MiB memory limit"),
    ("1GB", "1GiB", 256, "would exceed the {whose} 256MiB memory limit"),
    ("600MB", "600MiB", 512, "would exceed the {whose} 512MiB memory limit"),
    ("512MB", "512MiB", 512, "would equal the {whose} 512MiB memory limit, leaving nothing for "
     "memory GOMEMLIMIT does not count"),
    ("512MB", "512MiB", 520, f"would leave under {100 - MAX_PERCENT}% of it for memory "
     "GOMEMLIMIT does not count"),
]
IDS = ["above", "above-gib", "above-600", "equal", "just-below"]


@pytest.fixture(autouse=True)
def _fresh_config() -> None:
    clear_cache()


def _expected(
    written: str, respelled: str, limit_mib: int, clause: str, whose: str,
    field: str = "memory limit",
) -> str:
    """The fix title; ``field`` names the limit (``mem_limit`` for a Compose service)."""
    limit = limit_mib * MIB
    amount = judge_gomemlimit(respelled).bytes
    assert amount is not None
    # The cases are what they claim to be.
    assert not within_headroom(amount, limit)
    assert (amount > limit, amount == limit) == (
        clause.startswith("would exceed"), clause.startswith("would equal")
    )
    target = format_size(compute_gomemlimit(limit, 0.8))
    return (
        f"Replace {written} with {target} (0.8 of the {whose} {format_size(limit)} {field}; "
        f"{respelled} {clause.format(whose=whose)})"
    )


def _dockerfile(value: str) -> bytes:
    return f'FROM scratch\nCOPY app /app\nENV GOMEMLIMIT={value}\nCMD ["/app"]\n'.encode()


def _compose(value: str, limit_mib: int) -> bytes:
    return (
        f'services:\n  app:\n    image: app\n    mem_limit: {limit_mib}m\n'
        f'    environment:\n      GOMEMLIMIT: "{value}"\n'
    ).encode()


def _manifest(value: str, limit_mib: int) -> bytes:
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: app\n          image: app\n"
        f'          env:\n            - name: GOMEMLIMIT\n              value: "{value}"\n'
        f"          resources:\n            limits:\n              memory: {limit_mib}Mi\n"
    ).encode()


def _only_dfm004(path: str, data: bytes, options: LintOptions) -> tuple[str, str]:
    findings = [f for f in lint(path, data, options).findings if f.code == "DFM004"]
    [finding] = findings
    assert finding.fix is not None
    return finding.message, finding.fix.title


@pytest.mark.parametrize(("written", "respelled", "limit_mib", "clause"), CASES, ids=IDS)
def test_dockerfile(written: str, respelled: str, limit_mib: int, clause: str) -> None:
    options = LintOptions(memory_limit=limit_mib * MIB)
    message, title = _only_dfm004("Dockerfile", _dockerfile(written), options)
    expected = _expected(written, respelled, limit_mib, clause, "declared")
    assert title == expected
    assert expected.removeprefix(f"Replace {written} with ") in message


@pytest.mark.parametrize(("written", "respelled", "limit_mib", "clause"), CASES, ids=IDS)
def test_compose(written: str, respelled: str, limit_mib: int, clause: str) -> None:
    message, title = _only_dfm004("compose.yaml", _compose(written, limit_mib), LintOptions())
    expected = _expected(written, respelled, limit_mib, clause, "service's", "mem_limit")
    assert title == expected
    assert expected.removeprefix(f"Replace {written} with ") in message
    assert "would leave under" not in message or clause.startswith("would leave")


@pytest.mark.parametrize(("written", "respelled", "limit_mib", "clause"), CASES, ids=IDS)
def test_kubernetes(written: str, respelled: str, limit_mib: int, clause: str) -> None:
    # A Kubernetes quantity "512M" would be ambiguous; "512MB" is not a quantity suffix.
    message, title = _only_dfm004(
        "deploy.yaml", _manifest(written, limit_mib), LintOptions()
    )
    expected = _expected(written, respelled, limit_mib, clause, "container's")
    assert title == expected
    assert expected.removeprefix(f"Replace {written} with ") in message


@pytest.mark.parametrize(("written", "respelled", "limit_mib", "clause"), CASES, ids=IDS)
def test_language_server(
    written: str, respelled: str, limit_mib: int, clause: str, tmp_path: Path
) -> None:
    path = tmp_path / "compose.yaml"
    text = _compose(written, limit_mib).decode()
    document = lint_document(str(path), text, ClientSettings())
    index = LineIndex(document.data)
    expected = _expected(written, respelled, limit_mib, clause, "service's", "mem_limit")
    [diagnostic] = [d for d in diagnostics(document, index) if d.code == "DFM004"]
    assert expected.removeprefix(f"Replace {written} with ") in diagnostic.message
    whole = index.range(0, len(document.data))
    titles = [a.title for a in actions.code_actions(
        document, index, "u", 1, whole, [types.CodeActionKind.QuickFix]
    )]
    assert f"DFM004: {expected}" in titles
