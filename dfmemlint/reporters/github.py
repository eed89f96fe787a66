"""GitHub Actions workflow commands: one annotation per path that could not be read, then one per
finding, grouped per file.

Each line is exactly what ``@actions/core`` prints for ``core.error(message, {title, file,
startLine, endLine, startColumn, endColumn})`` (and ``warning``/``notice``), and the groups are
``core.startGroup(path)`` / ``core.endGroup()``: the same property order, the same skipping of
empty properties and the same escaping (``packages/core/src/command.ts``).
"""

from __future__ import annotations

from dfmemlint.reporters import InputProblem, Report
from dfmemlint.types import Finding, Severity

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, properties: dict[str, str | int | None], message: str) -> str:
    """``::command key=value,…::message`` as ``issueCommand`` builds it (without the line end).

    Like ``@actions/core``, a property whose value is falsy (``None``, ``""``, ``0``) is left out.
    """
    text = "::" + command
    if properties:
        text += " " + ",".join(
            f"{key}={escape_property(str(value))}" for key, value in properties.items() if value
        )
    return f"{text}::{escape_data(message)}"


def annotation(finding: Finding) -> str:
    # GitHub's endColumn is the last column of the annotation (the runner reads col == endColumn as
    # one character and fills a missing endColumn with col); ours is exclusive. Columns are only
    # meaningful, and only kept by GitHub, when the annotation starts and ends on one line.
    one_line = finding.line == finding.end_line
    return workflow_command(
        COMMAND[finding.severity],
        {
            "title": f"{finding.code} {finding.name}",
            "file": finding.path,
            "line": finding.line,
            "endLine": finding.end_line,
            "col": finding.column if one_line else None,
            "endColumn": max(finding.column, finding.end_column - 1) if one_line else None,
        },
        finding.message,
    )


def error_annotation(problem: InputProblem) -> str:
    """``core.error("PATH: why", {title: "input-error", file: PATH})``: a path that could not be
    read or written (``fix-error``: whose fixes were reverted). The message names the path too:
    a file that does not exist cannot hold the annotation, and GitHub then shows it with the
    run, where only the message says which."""
    return workflow_command(
        "error",
        {"title": problem.name, "file": problem.path},
        f"{problem.path}: {problem.message}",
    )


def render(report: Report, *, color: bool = False) -> str:
    """An annotation for each path that could not be read, then a group of annotations for the
    findings of each file."""
    by_path: dict[str, list[Finding]] = {}
    for finding in report.findings:
        by_path.setdefault(finding.path, []).append(finding)
    lines: list[str] = [error_annotation(problem) for problem in report.errors]
    for path, findings in by_path.items():
        lines.append(workflow_command("group", {}, path))
        lines.extend(annotation(finding) for finding in findings)
        lines.append(workflow_command("endgroup", {}, ""))
    return "".join(line + "\n" for line in lines)
