"""What ``docker compose`` gives each service's container, as dfmemlint reads it: the
environment (each variable's value and where it is written), the memory limit and the
Dockerfile the service builds. :mod:`dfmemlint.compose.project` reads a project into these
records; :mod:`dfmemlint.compose.merge` merges its files first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dfmemlint.compose.source import Origin, SourceText
from dfmemlint.records import Record


class Note(str):
    """A note that states a cause (a Compose file that cannot be read) and what follows from it
    here, ``"{cause}; {consequence}"``. The command line says each cause once per run: not at
    all when the file's own lint reports it (a DFM015 finding), and with the consequences of
    every pass that met it joined (``commands/check.py``)."""

    cause: str
    consequence: str

    def __new__(cls, cause: str, consequence: str) -> Note:
        note = super().__new__(cls, f"{cause}; {consequence}")
        note.cause = cause
        note.consequence = consequence
        return note


class ComposeError(ValueError):
    """A Compose file that cannot be read (not YAML, not a mapping, a repeated key); ``path``
    and ``at`` (a byte offset into that file) say where, when known."""

    def __init__(self, message: str, path: str | None = None, at: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.at = at


class EnvValue(Record):
    """The value one variable gets in a service's container, and where it was written."""

    name: str
    value: str | None  # None: unknown (the shell gives it) or no value at all
    origin: Origin  # the text that sets it: a YAML scalar, or a .env / env_file value
    via: str  # "environment", "env_file" or ".env" (a key without value resolved there)
    #: Variables the ``.env`` file does not set whose default gave the value: the shell running
    #: ``docker compose`` may set them and change it.
    overridable: tuple[str, ...] = ()
    #: For a value written in another file (``.env``, an ``env_file``): the Compose scalar that
    #: brings it in (``${GOMEMLIMIT}``, a bare ``- GOMEMLIMIT``, the ``env_file:`` entry).
    brought_by: Origin | None = None
    #: Written as a list-form entry (``- KEY=value``): compose-go ``types/mapping.go``
    #: ``MappingWithEquals.DecodeMapstructure`` cuts the entry at its first ``=`` and keeps the
    #: rest as the value, quotes included (``- GOMEMLIMIT="400MiB"`` is ``"400MiB"``).
    list_entry: bool = False
    #: Written in a block ``environment`` (one entry a line), not a flow ``{…}`` or ``[…]``.
    in_block: bool = False
    #: Written with Compose's ``$$`` escape for a ``$`` (the value is the text after it).
    escaped: bool = False


class MemoryLimit(Record):
    bytes: int
    key: str  # "mem_limit" or "deploy.resources.limits.memory"
    written: str  # the value after interpolation, as Compose reads it
    origin: Origin


@dataclass
class Service:
    name: str
    origin: Origin  # the service's key in the file that defines it first
    environment: dict[str, EnvValue] = field(default_factory=dict)
    memory_limit: MemoryLimit | None = None
    memswap_limit: int | None = None
    #: The Dockerfile the service builds (an absolute, normalised path), if it is a local file.
    dockerfile: str | None = None
    dockerfile_origin: Origin | None = None
    #: GOMEMLIMIT/GOGC as the service's command line (``entrypoint``/``command``) sets them for
    #: the program, over ``environment`` (``via`` says which field, and ``sh -c script``); a value
    #: that defers to the environment (``${GOMEMLIMIT:-409MiB}``) is here only when
    #: ``environment`` does not set the variable (:mod:`dfmemlint.compose.command`).
    command_env: dict[str, EnvValue] = field(default_factory=dict)
    #: What of the image's start command the service replaces: ``"entrypoint"``, ``"cmd"``.
    replaces: frozenset[str] = frozenset()

    def runtime_value(self, name: str) -> EnvValue | None:
        """The value of ``name`` the service's program starts with: its command line's, else its
        environment's (None: neither sets it; the image's ``ENV`` may)."""
        return self.command_env.get(name) or self.environment.get(name)


@dataclass
class Project:
    files: list[str]
    directory: str
    services: dict[str, Service]
    notes: list[str]
    sources: dict[str, SourceText]
