"""Configuration: ``[tool.dfmemlint]`` in pyproject.toml or ``.dfmemlint.toml``, found by walking
up from each linted file. Unknown keys and bad values are errors that name the key and the file."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any

from dfmemlint.golang.headroom import RATIO_RANGE, ratio_problem
from dfmemlint.golang.units import LimitError, parse_memory_limit
from dfmemlint.rules.catalog import BY_CODE
from dfmemlint.types import Severity

KNOWN_KEYS = ("select", "ignore", "severity", "memory-limit", "ratio", "fail-on")


class ConfigError(Exception):
    """A configuration problem: one line for the user, exit code 2."""


@dataclass(frozen=True)
class Config:
    path: str | None = None
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    severity: dict[str, Severity] = field(default_factory=dict)
    memory_limit: int | None = None
    ratio: float | None = None
    fail_on: Severity | None = None


def parse_codes(value: object, where: str) -> frozenset[str]:
    items: list[object]
    if isinstance(value, str):
        items = [part for part in value.split(",") if part.strip()]
    elif isinstance(value, list):
        items = value
    else:
        raise ConfigError(f"{where}: expected a list of rule codes, got {value!r}")
    codes: set[str] = set()
    for item in items:
        if not isinstance(item, str):
            raise ConfigError(f"{where}: expected a rule code, got {item!r}")
        code = item.strip().upper()
        if code == "ALL":
            codes.update(BY_CODE)
            continue
        matching = {c for c in BY_CODE if c.startswith(code)} if code.startswith("DFM") else set()
        if not matching:
            raise ConfigError(
                f"{where}: unknown rule code {item!r} (known: {', '.join(sorted(BY_CODE))})"
            )
        codes |= matching
    return frozenset(codes)


def parse_ratio(value: object, where: str) -> float:
    """A ratio in the acceptable range (``dfmemlint.golang.headroom``), from config or a flag."""
    try:
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            raise ValueError
        ratio = float(value)
    except ValueError:
        message = f"{where}: the ratio must be a number {RATIO_RANGE}, not {value!r}"
        raise ConfigError(message) from None
    problem = ratio_problem(ratio)
    if problem is not None:
        raise ConfigError(f"{where}: {problem}")
    return ratio


def parse_severity(value: object, where: str) -> Severity:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected error, warning or info, got {value!r}")
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _from_table(table: dict[str, Any], path: str) -> Config:
    for key in table:
        if key not in KNOWN_KEYS:
            raise ConfigError(
                f"{path}: unknown key {key!r} in dfmemlint configuration "
                f"(known: {', '.join(KNOWN_KEYS)})"
            )
    severity: dict[str, Severity] = {}
    raw_severity = table.get("severity", {})
    if not isinstance(raw_severity, dict):
        raise ConfigError(f"{path}: 'severity' must be a table of CODE = \"level\"")
    for code, level in raw_severity.items():
        for resolved in parse_codes([code], f"{path}: severity"):
            severity[resolved] = parse_severity(level, f"{path}: severity.{code}")
    memory_limit = None
    if "memory-limit" in table:
        value = table["memory-limit"]
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ConfigError(f"{path}: 'memory-limit' must be a size like \"512MiB\"")
        try:
            memory_limit = parse_memory_limit(str(value))
        except LimitError as exc:
            raise ConfigError(f"{path}: memory-limit: {exc}") from None
    return Config(
        path=path,
        select=parse_codes(table["select"], f"{path}: select") if "select" in table else None,
        ignore=(
            parse_codes(table["ignore"], f"{path}: ignore") if "ignore" in table else frozenset()
        ),
        severity=severity,
        memory_limit=memory_limit,
        ratio=parse_ratio(table["ratio"], f"{path}: ratio") if "ratio" in table else None,
        fail_on=(
            parse_severity(table["fail-on"], f"{path}: fail-on") if "fail-on" in table else None
        ),
    )


def _load(path: str) -> dict[str, Any]:
    # Imported here: most runs find no configuration file and need no TOML reader.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        with open(path, "rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
            return data
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _tool_table(data: dict[str, Any], path: str) -> dict[str, Any]:
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table")
    return tool


def load_file(path: str) -> Config:
    """``[tool.dfmemlint]`` of a pyproject.toml; the whole file (or its ``[tool.dfmemlint]``) of
    a .dfmemlint.toml."""
    data = _load(path)
    if os.path.basename(path) == "pyproject.toml":
        table = _tool_table(data, path).get("dfmemlint", {})
    else:
        table = _tool_table(data, path).get("dfmemlint", data)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.dfmemlint] must be a table")
    return _from_table(table, path)


_cache: dict[str, Config] = {}


def clear_cache() -> None:
    """Forget the configurations found so far (they are read once per directory and run)."""
    _cache.clear()


def find_config(start: str) -> Config:
    """The nearest configuration above ``start`` (a file or directory), or an empty one."""
    directory = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    visited: list[str] = []
    found = Config()
    while True:
        if directory in _cache:
            found = _cache[directory]
            break
        visited.append(directory)
        candidate = os.path.join(directory, ".dfmemlint.toml")
        if os.path.isfile(candidate):
            found = load_file(candidate)
            break
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            data = _load(candidate)
            if "dfmemlint" in _tool_table(data, candidate):
                found = load_file(candidate)
                break
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    for seen in visited:
        _cache[seen] = found
    return found
