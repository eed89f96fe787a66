"""README's alerting-rule example is what the tool prints."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from dfmemlint.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def examples() -> list[tuple[str, str]]:
    """Each ``$ dfmemlint alerts …`` and ``… --format prometheus…`` block: (command, output)."""
    found = re.findall(
        r"^```yaml\n\$ (dfmemlint (?:alerts |[^\n]*--format prometheus)[^\n]*)\n(.*?)^```$",
        README,
        re.M | re.S,
    )
    assert len(found) == 3, "README shows two alerts examples and one of budget --format prometheus"
    return found


@pytest.mark.parametrize(("command", "output"), examples())
def test_readme_rules_are_what_the_tool_prints(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: str, output: str
) -> None:
    monkeypatch.chdir(ROOT)
    assert main(shlex.split(command)[1:]) == 0
    assert capsys.readouterr().out == output
