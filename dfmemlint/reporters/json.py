"""Machine-readable output: one JSON array of findings (positions, fixes as byte-offset edits),
after an entry for each path that could not be read."""

from __future__ import annotations

import json

from dfmemlint.dockerfile.reader import displayable
from dfmemlint.reporters import INPUT_ERROR, InputProblem, Report
from dfmemlint.types import Finding, Fix, Severity


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


def error_to_dict(problem: InputProblem) -> dict[str, object]:
    """A path that could not be read, in a finding's shape (so a reader of the list sees it):
    no rule code (``code`` is null, as the language server's diagnostic for a document it could
    not lint has none), ``name`` ``input-error``, severity ``error``, at line 1, column 1 with
    nothing spanned, as ruff reports an unreadable file (E902 io-error, at 1:1)."""
    return {
        "path": valid_text(problem.path),
        "code": None,
        "name": INPUT_ERROR,
        "severity": Severity.ERROR.label,
        "message": valid_text(problem.message),
        "line": 1,
        "column": 1,
        "end_line": 1,
        "end_column": 1,
        "fix": None,
    }


def render(report: Report, *, color: bool = False) -> str:
    """One array: the paths that could not be read (:func:`error_to_dict`) first, then the
    findings."""
    entries = [error_to_dict(problem) for problem in report.errors]
    entries.extend(finding_to_dict(finding) for finding in report.findings)
    return json.dumps(entries, indent=2, ensure_ascii=False) + "\n"
