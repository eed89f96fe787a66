"""Machine-readable output: one JSON array of findings (positions, fixes as byte-offset edits)."""

from __future__ import annotations

import json

from dfmemlint.reporters import Report
from dfmemlint.types import Finding, Fix


def valid_text(text: str) -> str:
    """``text`` as valid Unicode: bytes kept as lone surrogates by ``surrogateescape`` (from an
    undecodable path, message or replacement) become U+FFFD, so any JSON parser accepts them."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        except UnicodeEncodeError:  # a surrogate that no byte produced
            return text.encode("utf-8", "replace").decode("utf-8")
    return text


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
