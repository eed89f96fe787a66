"""SARIF 2.1.0 for code scanning (GitHub and other SARIF viewers).

Every rule of the catalog is described in ``tool.driver.rules`` with its page from ``rules/``;
results carry real regions (columns in code points), stable ``partialFingerprints`` and the
proposed fixes as line/column regions plus the exact byte ranges. The run's one invocation says
whether every path could be read, and names each that could not (``toolExecutionNotifications``).
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import json
import os
import urllib.parse
from importlib import resources
from pathlib import Path

from dfmemlint import __version__
from dfmemlint.reporters import FIX_ERROR, INPUT_ERROR, InputProblem, Report
from dfmemlint.reporters.json import valid_text
from dfmemlint.rules.catalog import CATALOG, RuleInfo
from dfmemlint.types import Edit, Finding, Fix, Severity

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/dfmemlint/dfmemlint"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "dfmemlint/v1"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
RULE_INDEX = {rule.code: index for index, rule in enumerate(CATALOG)}


def rule_url(code: str) -> str:
    return f"{INFORMATION_URI}/blob/main/rules/{code}.md"


def rule_page(code: str) -> str:
    """The rule's reference page (Markdown), as shipped in the package."""
    page = resources.files("dfmemlint") / "ruledocs" / f"{code}.md"
    return page.read_text(encoding="utf-8")


def _plain_text(markdown: str) -> str:
    """The page without Markdown markup: no heading marks or fences, code blocks indented."""
    lines = []
    in_code = False
    for line in markdown.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif in_code:
            lines.append(f"    {line}" if line else "")
        else:
            lines.append(line.lstrip("#").strip() if line.startswith("#") else line)
    return "\n".join(lines).strip() + "\n"


def _section(markdown: str, title: str) -> str:
    """The paragraphs under ``## title``, each joined into one line."""
    lines = markdown.splitlines()
    start = lines.index(f"## {title}") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    paragraphs: list[list[str]] = [[]]
    for line in lines[start:end]:
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join(" ".join(paragraph) for paragraph in paragraphs if paragraph)


# GitHub code scanning refuses a rule description longer than this.
MAX_DESCRIPTION = 1024


def _description(text: str) -> str:
    """``text``, or as many of its first paragraphs as fit in :data:`MAX_DESCRIPTION` (at least
    the first, cut at a word with an ellipsis when even that is too long)."""
    if len(text) <= MAX_DESCRIPTION:
        return text
    kept = ""
    for paragraph in text.split("\n\n"):
        candidate = f"{kept}\n\n{paragraph}" if kept else paragraph
        if len(candidate) > MAX_DESCRIPTION:
            break
        kept = candidate
    if kept:
        return kept
    return text[: MAX_DESCRIPTION - 1].rsplit(" ", 1)[0] + "\u2026"


def reporting_descriptor(rule: RuleInfo) -> dict[str, object]:
    page = rule_page(rule.code)
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": _description(_section(page, "What it does"))},
        "help": {"text": _plain_text(page), "markdown": page},
        "helpUri": rule_url(rule.code),
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
    }


def artifact_location(path: str) -> dict[str, object]:
    """A path under the current directory as a URI relative to ``%SRCROOT%``; anything else
    as an absolute ``file://`` URI."""
    cwd = os.path.normpath(os.getcwd())
    absolute = os.path.abspath(path)
    try:
        inside = os.path.commonpath([absolute, cwd]) == cwd
    except ValueError:  # pragma: no cover - on another drive (Windows)
        inside = False
    if inside:
        relative = Path(os.path.relpath(absolute, cwd)).as_posix()
        return {"uri": urllib.parse.quote(os.fsencode(relative), safe="/"), "uriBaseId": SRCROOT}
    return {"uri": Path(absolute).as_uri()}


def _directory_uri(directory: Path) -> str:
    uri = directory.as_uri()
    return uri if uri.endswith("/") else uri + "/"


class _LineIndex:
    """Lines and 1-based (line, column in code points) positions of byte offsets, the lines split
    on LF as the reader splits them."""

    def __init__(self, source: bytes) -> None:
        self.source = source
        self.starts = [0]
        newline = source.find(b"\n")
        while newline >= 0:
            self.starts.append(newline + 1)
            newline = source.find(b"\n", newline + 1)

    def text(self, line: int) -> str:
        """The line without its line ending or surrounding blanks ("" past the end)."""
        if not 1 <= line <= len(self.starts):
            return ""
        end = self.starts[line] if line < len(self.starts) else len(self.source)
        return self.source[self.starts[line - 1] : end].decode("utf-8", "surrogateescape").strip()

    def position(self, offset: int) -> tuple[int, int]:
        offset = min(max(offset, 0), len(self.source))
        line = bisect.bisect_right(self.starts, offset)
        start = self.starts[line - 1]
        return line, len(self.source[start:offset].decode("utf-8", "surrogateescape")) + 1


def _deleted_region(edit: Edit, index: _LineIndex) -> dict[str, object]:
    start_line, start_column = index.position(edit.start)
    end_line, end_column = index.position(edit.end)
    return {
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
        "byteOffset": edit.start,
        "byteLength": edit.end - edit.start,
    }


def _replacement(edit: Edit, index: _LineIndex) -> dict[str, object]:
    replacement: dict[str, object] = {"deletedRegion": _deleted_region(edit, index)}
    if edit.replacement:
        try:
            content = {"text": edit.replacement.decode("utf-8")}
        except UnicodeDecodeError:
            content = {"binary": base64.b64encode(edit.replacement).decode("ascii")}
        replacement["insertedContent"] = content
    return replacement


def _fix(fix: Fix, location: dict[str, object], index: _LineIndex) -> dict[str, object]:
    return {
        "description": {"text": valid_text(fix.title)},
        "artifactChanges": [
            {
                "artifactLocation": location,
                "replacements": [_replacement(edit, index) for edit in fix.edits],
            }
        ],
        "properties": {"applicability": fix.applicability.label},
    }


def fingerprint(code: str, uri: str, line_text: str, occurrence: int) -> str:
    """Identifies a finding across runs: the rule, the file, the offending line's text without
    surrounding blanks (not its number, so edits elsewhere in the file keep it) and how many
    findings of the rule on identical lines of that file come before it."""
    key = "\0".join((code, uri, line_text, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def _result(
    finding: Finding, location: dict[str, object], index: _LineIndex, fingerprint_value: str
) -> dict[str, object]:
    result: dict[str, object] = {
        "ruleId": finding.code,
        "ruleIndex": RULE_INDEX[finding.code],
        "level": LEVEL[finding.severity],
        "message": {"text": valid_text(finding.message)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": location,
                    "region": {
                        "startLine": finding.line,
                        "startColumn": finding.column,
                        "endLine": finding.end_line,
                        "endColumn": finding.end_column,
                    },
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint_value},
    }
    if finding.fix is not None:
        result["fixes"] = [_fix(finding.fix, location, index)]
    return result


# The kinds of tool execution notification: a path that could not be read (so not linted) or
# whose fixes could not be written, and a file whose fixes were reverted.
NOTIFICATION_DESCRIPTOR = {
    "id": INPUT_ERROR,
    "shortDescription": {"text": "A path could not be read (missing, unreadable, binary or a "
                         "directory with nothing dfmemlint reads), so it was not linted; or "
                         "its fixes could not be written, so it is as it was."},
    "defaultConfiguration": {"level": "error"},
}
FIX_ERROR_DESCRIPTOR = {
    "id": FIX_ERROR,
    "shortDescription": {"text": "The fixes of a file were reverted (the fixed text did not "
                         "read, or a fix did not remove its finding), so it is as it was."},
    "defaultConfiguration": {"level": "error"},
}
DESCRIPTORS = (NOTIFICATION_DESCRIPTOR, FIX_ERROR_DESCRIPTOR)
DESCRIPTOR_INDEX = {descriptor["id"]: index for index, descriptor in enumerate(DESCRIPTORS)}


def invocation(errors: tuple[InputProblem, ...]) -> dict[str, object]:
    """The run's invocation (SARIF 2.1.0 §3.20): ``executionSuccessful`` false when a path could
    not be read (or a file's fixes were reverted or not written), each such path a
    ``toolExecutionNotifications`` entry (§3.20.21: "runtime conditions detected by the tool
    during the analysis") of level ``error`` at the path's
    artifact location, pointing at the ``input-error`` (or ``fix-error``) notification
    descriptor."""
    notifications = [
        {
            "level": "error",
            "message": {"text": valid_text(f"{problem.path}: {problem.message}")},
            "locations": [
                {"physicalLocation": {"artifactLocation": artifact_location(problem.path)}}
            ],
            "descriptor": {"id": problem.name, "index": DESCRIPTOR_INDEX[problem.name]},
        }
        for problem in errors
    ]
    result: dict[str, object] = {"executionSuccessful": not errors}
    if notifications:
        result["toolExecutionNotifications"] = notifications
    return result


def render(report: Report, *, color: bool = False) -> str:
    files: dict[str, tuple[dict[str, object], _LineIndex]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    results = []
    for finding in report.findings:
        if finding.path not in files:
            source = report.sources.get(finding.path, b"")
            files[finding.path] = (artifact_location(finding.path), _LineIndex(source))
        location, index = files[finding.path]
        uri = str(location["uri"])
        text = index.text(finding.line)
        occurrence = seen.get((uri, finding.code, text), 0)
        seen[(uri, finding.code, text)] = occurrence + 1
        results.append(
            _result(finding, location, index, fingerprint(finding.code, uri, text, occurrence))
        )
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dfmemlint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [reporting_descriptor(rule) for rule in CATALOG],
                        "notifications": list(DESCRIPTORS),
                    }
                },
                "invocations": [invocation(report.errors)],
                "originalUriBaseIds": {SRCROOT: {"uri": _directory_uri(Path.cwd())}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
