"""Loading a script of ``benchmarks/`` as a module, for the tests that keep its report true."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType


def load_script(path: Path, *, register: bool = False) -> ModuleType:
    """The script at ``path`` imported as a module named after its file; with ``register``, also
    entered in ``sys.modules`` (a dataclass defined in it needs that)."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    if register:
        sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@contextmanager
def loaded_script(path: Path) -> Iterator[ModuleType]:
    """:func:`load_script`, entered in ``sys.modules`` while the block runs."""
    try:
        yield load_script(path, register=True)
    finally:
        sys.modules.pop(path.stem, None)
