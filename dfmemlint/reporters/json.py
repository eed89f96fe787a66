"""Machine-readable output: one JSON array of findings (positions, fixes as byte-offset edits)."""

from __future__ import annotations

import json

from dfmemlint.dockerfile.reader import displayable
from dfmemlint.reporters import Report
from dfmemlint.types import Finding, Fix


def valid_text(text: str) -> str:
    """``text`` as valid Unicode, so any JSON parser accepts it (see ``reader.displayable``)."""
    return displayable(text)


def _fix(fix: Fix) -> dict[str, object]:
    return {
        "applicability": fix.applicability.label,
        "message": valid_text(fix.title),
        "edits": [
            {
                "start": edit.start,
                "end": edit.end,
                "replacement": edit.replacement.decode("utf-8", "replace"),
            }
            for edit in fix.edits
        ],
    }


def finding_to_dict(finding: Finding) -> dict[str, object]:
    return {
        "path": valid_text(finding.path),
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity.label,
        "message": valid_text(finding.message),
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "fix": None if finding.fix is None else _fix(finding.fix),
    }


def render(report: Report, *, color: bool = False) -> str:
    findings = [finding_to_dict(finding) for finding in report.findings]
    return json.dumps(findings, indent=2, ensure_ascii=False) + "\n"
