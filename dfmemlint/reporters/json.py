"""Machine-readable output: one JSON array of findings (positions, fixes as byte-offset edits),
after an entry for each path that could not be read."""

from __future__ import annotations

import json

from dfmemlint.dockerfile.reader import displayable
from dfmemlint.reporters import InputProblem, Report
from dfmemlint.types import Applicability, Finding, Fix, Severity


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
    """A path that could not be read (or written), or whose fixes were reverted, in a finding's
    shape (so a reader of the list sees it): no rule code (``code`` is null, as the language
    server's diagnostic for a document it could not lint has none), ``name`` ``input-error``
    (``fix-error`` for reverted fixes), severity ``error``, at line 1, column 1 with nothing
    spanned, as ruff reports an unreadable file (E902 io-error, at 1:1)."""
    return {
        "path": valid_text(problem.path),
        "code": None,
        "name": problem.name,
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


def statistics(report: Report) -> list[dict[str, object]]:
    """``--statistics --format json``: one entry per rule code found, as ruff's
    (``crates/ruff/src/printer.rs``, ``write_statistics``: ``code``, ``name``, ``count``,
    ``fixable``), most frequent first, then by code. ``fixable`` is true when ``--fix`` repairs
    findings of that code (a safe fix: the text table's ``[*]``). The paths that could not be
    read come first, counted under ``"code": null, "name": "input-error"``, as the findings
    format lists them. A run that found nothing gives ``[]``."""
    counts: dict[str, int] = {}
    names: dict[str, str] = {}
    fixable: set[str] = set()
    for finding in report.findings:
        counts[finding.code] = counts.get(finding.code, 0) + 1
        names[finding.code] = finding.name
        if finding.fix is not None and finding.fix.applicability is Applicability.SAFE:
            fixable.add(finding.code)
    entries: list[dict[str, object]] = []
    problems: dict[str, int] = {}
    for problem in report.errors:
        problems[problem.name] = problems.get(problem.name, 0) + 1
    for name, count in problems.items():
        entries.append({"code": None, "name": name, "count": count, "fixable": False})
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        entries.append(
            {"code": code, "name": names[code], "count": count, "fixable": code in fixable}
        )
    return entries


def render_statistics(report: Report) -> str:
    return json.dumps(statistics(report), indent=2, ensure_ascii=False) + "\n"
