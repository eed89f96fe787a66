"""Every folder of Python modules under ``dfmemlint/`` is a regular package with a docstring.

A folder without ``__init__.py`` is still importable as a namespace package, so nothing else
notices it; tools that walk packages (setuptools' ``find_packages``, mypy, documentation
generators) may skip it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import dfmemlint

ROOT = Path(dfmemlint.__file__).parent


def test_every_python_folder_is_a_package_with_a_docstring() -> None:
    modules = [path for path in ROOT.rglob("*.py") if "__pycache__" not in path.parts]
    folders = sorted({path.parent for path in modules})
    assert ROOT / "compose" in folders
    problems = []
    for folder in folders:
        init = folder / "__init__.py"
        if not init.is_file():
            problems.append(f"{folder.relative_to(ROOT.parent)}: no __init__.py")
            continue
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        if not docstring or not docstring.strip():
            problems.append(f"{init.relative_to(ROOT.parent)}: no docstring")
    assert problems == []


def _development_table() -> dict[str, str]:
    """README's Development table: first cell (names in backticks) -> the row's text."""
    readme = (ROOT.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Development", 1)[1]
    rows = {}
    for line in section.splitlines():
        if line.startswith("| `"):
            first, rest = line[2:].split(" | ", 1)
            rows[first] = rest
    return rows


def test_readme_development_table_names_every_package_and_module() -> None:
    rows = _development_table()
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")}
    named = {cell.strip("`/") for first in rows for cell in first.split(", ")}
    assert packages - named == set(), "packages the Development table does not list"
    top_modules = {path.stem for path in ROOT.glob("*.py")} - {"__init__", "__main__"}
    mentioned = " ".join(rows) + " ".join(rows.values())
    missing = [m for m in sorted(top_modules) if f"`{m}`" not in mentioned]
    assert missing == [], "top-level modules the Development table does not name"
    for first, text in rows.items():
        if not first.endswith("/`"):
            continue
        package = ROOT / first.strip("`/")
        modules = {path.stem for path in package.glob("*.py")} - {"__init__"}
        if package.name == "rules":  # one module per rule, not named one by one
            modules = {"catalog", "base"}
        unnamed = [m for m in sorted(modules) if f"`{m}`" not in text]
        assert unnamed == [], f"{first}: modules the table does not name"
