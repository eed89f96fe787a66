"""The records that flow through the pipeline: edits, fixes and findings."""

from __future__ import annotations

import enum

from dfmemlint.records import Record


def shown(value: str) -> str:
    """A value quoted from a file, for a message people read: as written, unless it starts or
    ends with whitespace, which a terminal does not show; then in quotes with escapes
    (Python's ``repr``: ``'400MiB '``, ``'\\t512MiB'``), so ``Replace '400MiB ' with 400MiB``
    says what changes."""
    if value == value.strip():
        return value
    return repr(value)


class Severity(enum.IntEnum):
    """How bad a finding is; higher is worse (so ``>=`` compares with ``--fail-on``)."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            choices = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose from {choices})") from None


class Applicability(enum.IntEnum):
    """How safe a fix is (ruff's model)."""

    DISPLAY_ONLY = 1
    UNSAFE = 2
    SAFE = 3

    @property
    def label(self) -> str:
        return self.name.lower().replace("_", "-")


class Edit(Record):
    """Replace ``data[start:end]`` of the original file bytes with ``replacement``."""

    start: int
    end: int
    replacement: bytes


class Fix(Record):
    title: str
    edits: tuple[Edit, ...]
    applicability: Applicability


class Finding(Record):
    """One problem in one file. Lines and columns are 1-based; ``end_column`` is exclusive."""

    path: str
    code: str
    name: str
    severity: Severity
    message: str
    line: int
    column: int
    end_line: int
    end_column: int
    fix: Fix | None = None
