"""Configuration: ``[tool.dfmemlint]`` in pyproject.toml, or ``.dfmemlint.toml`` or
``dfmemlint.toml`` (as ruff reads ``.ruff.toml`` and ``ruff.toml``), found by walking up from each
linted file. Unknown keys and bad values are errors that name the key and the file.

Precedence follows ruff's model (``ruff_workspace/src/configuration.rs``,
``LintConfiguration::as_rule_table``): each file gets the nearest configuration file above it, not
a merge of several; ``--config FILE`` replaces that search and ``--isolated`` skips it. The
command line is one more layer on top: a layer's ``select`` replaces the rules chosen below it
(the lower layer's ``ignore`` included), its ``ignore`` removes rules from what it inherits, and
every other flag replaces the configured value.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from dfmemlint.golang.container_limit import parse_container_limit
from dfmemlint.golang.headroom import RATIO_RANGE, ratio_problem
from dfmemlint.golang.units import LimitError
from dfmemlint.records import Record
from dfmemlint.types import Severity

KNOWN_KEYS = (
    "select",
    "ignore",
    "severity",
    "memory-limit",
    "ratio",
    "fail-on",
    "exclude",
    "extend-exclude",
)
# The lowest severity that fails a run; ``none``: findings never fail it.
FAIL_ON_CHOICES = ("error", "warning", "info", "none")
NEVER_FAIL = Severity.ERROR + 1


class ConfigError(Exception):
    """A configuration problem: one line for the user, exit code 2."""


def invalid_value(name: str) -> str:
    """How every error about one setting starts, wherever it is written: ``Invalid value for
    '--ratio'`` (a flag), ``Invalid value for 'ratio'`` (after the configuration file's path),
    ``Invalid value for 'memory-limit'`` (after a dfmemlint comment's ``path:line``). This is
    click's own wording for the flags it checks (``click.exceptions.BadParameter``:
    ``Invalid value for {param_hint}: {message}``), so ``--format bogus`` and ``--ratio 2`` read
    alike; ruff words its option errors the same way."""
    return f"Invalid value for '{name}'"


_NO_SEVERITY: Mapping[str, Severity] = MappingProxyType({})


class Config(Record):
    """One configuration file's settings (a NamedTuple, not a dataclass: a dataclass generates and
    compiles its methods at import time, and every lint imports this module)."""

    path: str | None = None
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = _NO_SEVERITY
    memory_limit: int | None = None
    ratio: float | None = None
    fail_on: int | None = None  # a Severity, or NEVER_FAIL for ``none``
    exclude: tuple[str, ...] | None = None  # None: the default excludes
    extend_exclude: tuple[str, ...] = ()

    @property
    def directory(self) -> str | None:
        """The directory the file is in (exclude patterns with a ``/`` are relative to it)."""
        return None if self.path is None else os.path.dirname(os.path.abspath(self.path))


def selected_rules(
    layers: Sequence[tuple[frozenset[str] | None, frozenset[str]]],
) -> frozenset[str]:
    """The rules that run, from (select, ignore) layers, lowest precedence first.

    A layer's select (``None``: none given) replaces everything below it; its ignore is then
    removed. So ``--select DFM006`` on the command line runs DFM006 even when the configuration
    ignores it, and ``--ignore`` removes a rule the configuration selects.
    """
    from dfmemlint.rules.catalog import BY_CODE

    enabled = set(BY_CODE)
    for select, ignore in layers:
        if select is not None:
            enabled = set(select)
        enabled -= ignore
    return frozenset(enabled)


def parse_fail_on(value: object, where: str) -> int:
    """``error``, ``warning``, ``info`` (a Severity) or ``none`` (NEVER_FAIL)."""
    choices = ", ".join(FAIL_ON_CHOICES)
    if not isinstance(value, str):
        raise ConfigError(f"{where}: expected one of {choices}, got {value!r}")
    if value.strip().lower() == "none":
        return NEVER_FAIL
    try:
        return Severity.parse(value)
    except ValueError:
        raise ConfigError(f"{where}: unknown severity {value!r} (choose from {choices})") from None


def _patterns(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: expected a list of paths or glob patterns, got {value!r}")
    return tuple(value)


def parse_codes(value: object, where: str) -> frozenset[str]:
    from dfmemlint.rules.catalog import BY_CODE  # not for `budget`, which reads only the ratio

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
        raise ConfigError(
            f"{path}: {invalid_value('severity')}: expected a table of CODE = \"level\", "
            f"got {raw_severity!r}"
        )
    for code, level in raw_severity.items():
        for resolved in parse_codes([code], f"{path}: {invalid_value('severity')}"):
            severity[resolved] = parse_severity(
                level, f"{path}: {invalid_value(f'severity.{code}')}"
            )
    memory_limit = None
    if "memory-limit" in table:
        value = table["memory-limit"]
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ConfigError(
                f"{path}: {invalid_value('memory-limit')}: expected a size like \"512MiB\", "
                f"got {value!r}"
            )
        try:
            memory_limit = parse_container_limit(str(value))
        except LimitError as exc:
            raise ConfigError(f"{path}: {invalid_value('memory-limit')}: {exc}") from None
    return Config(
        path=path,
        select=(
            parse_codes(table["select"], f"{path}: {invalid_value('select')}")
            if "select" in table
            else None
        ),
        ignore=(
            parse_codes(table["ignore"], f"{path}: {invalid_value('ignore')}")
            if "ignore" in table
            else frozenset()
        ),
        severity=severity,
        memory_limit=memory_limit,
        ratio=(
            parse_ratio(table["ratio"], f"{path}: {invalid_value('ratio')}")
            if "ratio" in table
            else None
        ),
        fail_on=(
            parse_fail_on(table["fail-on"], f"{path}: {invalid_value('fail-on')}")
            if "fail-on" in table
            else None
        ),
        exclude=(
            _patterns(table["exclude"], f"{path}: {invalid_value('exclude')}")
            if "exclude" in table
            else None
        ),
        extend_exclude=(
            _patterns(table["extend-exclude"], f"{path}: {invalid_value('extend-exclude')}")
            if "extend-exclude" in table
            else ()
        ),
    )


def _read(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _parse(raw: bytes, path: str) -> dict[str, Any]:
    # Imported here: most runs find no configuration file and need no TOML reader.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        data: dict[str, Any] = tomllib.loads(raw.decode("utf-8"))
        return data
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        # tomllib decodes the whole file as UTF-8 (a TOML file is UTF-8 by definition).
        raise ConfigError(
            f"{path}: not valid TOML: not UTF-8 text (byte {exc.start + 1} of the file)"
        ) from None
    except RecursionError:
        raise ConfigError(f"{path}: not valid TOML: nested too deeply") from None
    except ValueError:  # tomllib converting an integer of over 4,300 digits
        raise ConfigError(f"{path}: not valid TOML: a number too long to read") from None


def _load(path: str) -> dict[str, Any]:
    return _parse(_read(path), path)


# Every way TOML can put a `dfmemlint` key in the `tool` table: a header ([tool.dfmemlint],
# [tool."dfmemlint".severity]), a dotted key at the top (tool.dfmemlint.ratio = …), an inline
# table (tool = {dfmemlint = …}), or a key under a [tool] header (dfmemlint = …). A pyproject.toml
# with none of them is not parsed: most have no dfmemlint table, and parsing costs start-up time.
# The lines are read with bytes methods, blanks and quotes dropped: no pattern is compiled, even
# for a project that names dfmemlint only as a dependency.
_SQUEEZED = b" \t\r\"'"
_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _starts_with_name(text: bytes, name: bytes) -> bool:
    """``text`` starts with ``name`` as a whole word (what ``\\b`` ends)."""
    return text.startswith(name) and (len(text) == len(name) or text[len(name)] not in _WORD)


def may_configure(raw: bytes) -> bool:
    """Whether a pyproject.toml's bytes may hold a ``[tool.dfmemlint]`` table (never a false
    no; a false yes only costs a parse)."""
    if b"dfmemlint" not in raw:
        return False
    table = b""  # the last table header's name, blanks and quotes dropped
    for line in raw.split(b"\n"):
        key = line.translate(None, _SQUEEZED)
        if key.startswith(b"["):
            table = key.lstrip(b"[").split(b"]", 1)[0]
            if _starts_with_name(table, b"tool.dfmemlint"):
                return True
        elif b"dfmemlint" not in key:
            continue
        elif _starts_with_name(key, b"tool.dfmemlint") or (key.startswith(b"tool={") and any(
            _starts_with_name(key[at:], b"dfmemlint") and (at == 0 or key[at - 1] not in _WORD)
            for at in _occurrences(key, b"dfmemlint")
        )) or (table == b"tool" and key.startswith((b"dfmemlint=", b"dfmemlint."))):
            return True
    return False


def _occurrences(text: bytes, word: bytes) -> list[int]:
    found: list[int] = []
    at = text.find(word)
    while at >= 0:
        found.append(at)
        at = text.find(word, at + 1)
    return found


def _tool_table(data: dict[str, Any], path: str) -> dict[str, Any]:
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: 'tool' must be a table")
    return tool


def load_file(path: str, data: dict[str, Any] | None = None) -> Config:
    """``[tool.dfmemlint]`` of a pyproject.toml; the whole file (or its ``[tool.dfmemlint]``) of
    a .dfmemlint.toml. ``data``: the file already parsed."""
    data = _load(path) if data is None else data
    if os.path.basename(path) == "pyproject.toml":
        table = _tool_table(data, path).get("dfmemlint", {})
    else:
        table = _tool_table(data, path).get("dfmemlint", data)
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.dfmemlint] must be a table")
    return _from_table(table, path)


_cache: dict[str, Config] = {}
#: The files that hold only dfmemlint's settings, in the order one directory's are taken (ruff:
#: ``.ruff.toml``, ``ruff.toml``, then ``pyproject.toml``; ``ruff_workspace/src/pyproject.rs``,
#: ``settings_toml``).
OWN_FILES = (".dfmemlint.toml", "dfmemlint.toml")
#: Every file a configuration may come from.
CONFIG_FILES = (*OWN_FILES, "pyproject.toml")


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
        own = next(
            (path for name in OWN_FILES if os.path.isfile(path := os.path.join(directory, name))),
            None,
        )
        if own is not None:
            found = load_file(own)
            break
        candidate = os.path.join(directory, "pyproject.toml")
        if os.path.isfile(candidate):
            raw = _read(candidate)
            if may_configure(raw):
                data = _parse(raw, candidate)
                if "dfmemlint" in _tool_table(data, candidate):
                    found = load_file(candidate, data)
                    break
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    for seen in visited:
        _cache[seen] = found
    return found


class ConfigSource:
    """Where each file's configuration comes from: the nearest file above it (the default), one
    file for every file (``--config FILE``), or none (``--isolated``)."""

    def __init__(self, explicit: str | None = None, isolated: bool = False) -> None:
        self._fixed: Config | None = None
        if isolated:
            self._fixed = Config()
        elif explicit is not None:
            self._fixed = load_file(explicit)

    def for_path(self, path: str) -> Config:
        """The configuration of ``path`` (a file or directory); ConfigError if one is invalid."""
        return self._fixed if self._fixed is not None else find_config(path)
