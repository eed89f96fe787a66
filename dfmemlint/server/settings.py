"""The editor's settings for the language server, and how they combine with configuration files.

An editor sends settings in ``initializationOptions`` (``initialize``) and again in
``workspace/didChangeConfiguration``. Either may be the settings object itself or wrap it in
``{"dfmemlint": {...}}`` (the shape VS Code, Neovim and Helix send for a section named
``dfmemlint``) or ``{"settings": {...}}`` (ruff-lsp's ``initialize`` handler in
astral-sh/ruff-lsp ``ruff_lsp/server.py`` accepts that shape). Keys:

* ``memoryLimit`` (also ``memory-limit``): the container's memory limit, as ``--memory-limit``;
* ``ratio``: GOMEMLIMIT as a share of that limit, as ``--ratio``;
* ``select`` / ``ignore``: rule codes, a list or a comma-separated string, as ``--select`` and
  ``--ignore``.

They play the part of the command line: configuration (``[tool.dfmemlint]`` or
``.dfmemlint.toml``, discovered per file as the command line does) fills in what they leave out,
and a ``memoryLimit`` setting wins over a ``# dfmemlint: memory-limit=`` comment, as
``--memory-limit`` does. A bad value is a :class:`~dfmemlint.config.ConfigError` naming the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dfmemlint.config import (
    Config,
    ConfigError,
    invalid_value,
    parse_codes,
    parse_ratio,
    selected_rules,
)
from dfmemlint.engine import LintOptions
from dfmemlint.golang.container_limit import parse_container_limit
from dfmemlint.golang.units import LimitError

SECTION = "dfmemlint"
#: What a limit set in the editor is called where the hover says where the limit came from.
LIMIT_SOURCE = "the editor setting dfmemlint.memoryLimit"
_KEYS = {
    "memoryLimit": "memory_limit",
    "memory-limit": "memory_limit",
    "memory_limit": "memory_limit",
    "ratio": "ratio",
    "select": "select",
    "ignore": "ignore",
}


@dataclass(frozen=True)
class ClientSettings:
    """The editor's overrides; ``None`` (or empty) leaves the configuration's value."""

    memory_limit: int | None = None  # bytes
    ratio: float | None = None
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()


def _unwrap(raw: object) -> Mapping[str, object]:
    """The settings object inside what the client sent (see the module docstring)."""
    if not isinstance(raw, Mapping):
        return {}
    for key in (SECTION, "settings"):
        inner = raw.get(key)
        if isinstance(inner, Mapping):
            return inner
    return raw


def parse_settings(raw: object) -> ClientSettings:
    """Read the editor's settings. Unknown keys are left for other tools sharing the object;
    a bad value raises ConfigError worded as the command line words a refused value
    (:func:`dfmemlint.config.invalid_value`), naming the setting as the editor shows it:
    ``Invalid value for 'dfmemlint.ratio': the ratio must be …``."""
    table = _unwrap(raw)
    values: dict[str, object] = {}
    names: dict[str, str] = {}  # field -> the setting's name, as the client wrote its key
    for key, value in table.items():
        field = _KEYS.get(key)
        if field is not None and value is not None:
            values[field] = value
            names[field] = invalid_value(f"{SECTION}.{key}")
    memory_limit = None
    if "memory_limit" in values:
        value = values["memory_limit"]
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise ConfigError(
                f"{names['memory_limit']}: expected a size like \"512MiB\", got {value!r}"
            )
        try:
            memory_limit = parse_container_limit(str(value))
        except LimitError as exc:
            raise ConfigError(f"{names['memory_limit']}: {exc}") from None
    ratio = parse_ratio(values["ratio"], names["ratio"]) if "ratio" in values else None
    select = parse_codes(values["select"], names["select"]) if "select" in values else None
    ignore = parse_codes(values["ignore"], names["ignore"]) if "ignore" in values else frozenset()
    return ClientSettings(memory_limit, ratio, select, ignore)


def lint_options(config: Config, settings: ClientSettings) -> LintOptions:
    """Options for one file: the editor's settings over the file's configuration, with the
    precedence ``dfmemlint.commands.check._options`` gives the command line (a ``select``
    replaces the configuration's selection; an ``ignore`` removes rules from it)."""
    from_editor = settings.memory_limit is not None
    return LintOptions(
        select=selected_rules(
            [(config.select, config.ignore), (settings.select, settings.ignore)]
        ),
        severity=config.severity,
        memory_limit=settings.memory_limit if from_editor else config.memory_limit,
        memory_limit_source=LIMIT_SOURCE if from_editor else (config.path or ""),
        memory_limit_from_cli=from_editor,
        ratio=settings.ratio if settings.ratio is not None else (config.ratio or 0.8),
    )
