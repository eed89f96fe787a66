"""README's alerting-rule example is what the tool prints."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from dfmemlint.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def examples() -> list[tuple[str, str]]:
    """Each ``$ dfmemlint … --format prometheus…`` block of README: (command, output)."""
    found = re.findall(
        r"^```yaml\n\$ (dfmemlint [^\n]*--format prometheus[^\n]*)\n(.*?)^```$", README, re.M | re.S
    )
    assert found, "README shows no alerting-rule example"
    return found


@pytest.mark.parametrize(("command", "output"), examples())
def test_readme_rules_are_what_the_tool_prints(
    capsys: pytest.CaptureFixture[str], command: str, output: str
) -> None:
    assert main(shlex.split(command)[1:]) == 0
    assert capsys.readouterr().out == output
