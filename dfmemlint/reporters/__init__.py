"""Reporters turn findings into text for people and machines; each module has ``render``."""

from __future__ import annotations

from typing import NamedTuple

from dfmemlint.types import Finding


class Report(NamedTuple):
    """Everything a reporter may show.

    ``findings`` are in file order then position order; ``sources`` maps each path to the bytes
    that were linted (for source lines, carets and SARIF fixes). Lines are 1-based; columns are
    1-based Unicode code points within the line (the line decoded as UTF-8 with
    ``surrogateescape``), and ``end_column`` is exclusive.
    """

    findings: tuple[Finding, ...]
    sources: dict[str, bytes]
    files_checked: int
