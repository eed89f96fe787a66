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
