"""README names every test file that skips without ``../shared``."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_names_the_tests_that_need_shared() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"Without `\.\./shared`(.*?)\.\s", readme, re.S)
    assert match is not None
    named = set(re.findall(r"`(test_\w+\.py)`", match.group(1)))
    needing = {
        path.name
        for path in (ROOT / "tests").glob("test_*.py")
        if re.search(r"""["']shared["']|shared/""", path.read_text(encoding="utf-8"))
        and "skip" in path.read_text(encoding="utf-8")
        and path.name != Path(__file__).name
    }
    assert needing - named == set()
    assert named <= {path.name for path in (ROOT / "tests").glob("test_*.py")}
