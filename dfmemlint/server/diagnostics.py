"""Findings as LSP diagnostics, and byte offsets as LSP positions.

dfmemlint places everything by byte offset into the UTF-8 text; LSP places by line and character,
where a character is a UTF-16 code unit unless client and server agreed on UTF-8 or UTF-32
(``general.positionEncodings``, LSP 3.17 "Position"; pygls' ``PositionCodec`` negotiates it).
Lines end at ``\\r\\n``, ``\\r`` or ``\\n`` (LSP 3.17 "Text Documents"), which is also why a
Dockerfile reader's line numbers (BuildKit splits at ``\\n`` only) are not used here.
"""

from __future__ import annotations

import bisect
import re

from lsprotocol import types

from dfmemlint.reporters.sarif import rule_url
from dfmemlint.server.linting import DocumentLint, Located
from dfmemlint.types import Severity

SOURCE = "dfmemlint"
SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
_LINE_END = re.compile(rb"\r\n|\r|\n")


def _units(text: str, encoding: str) -> int:
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text) + sum(1 for c in text if ord(c) > 0xFFFF)


class LineIndex:
    """Converts between byte offsets of ``data`` and LSP positions in ``encoding``."""

    def __init__(self, data: bytes, encoding: str = types.PositionEncodingKind.Utf16) -> None:
        self.data = data
        self.encoding = encoding
        self.starts = [0] + [m.end() for m in _LINE_END.finditer(data)]
        # Where each line's content ends (before its line ending).
        self.ends = [m.start() for m in _LINE_END.finditer(data)] + [len(data)]

    def position(self, offset: int) -> types.Position:
        offset = max(0, min(offset, len(self.data)))
        line = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        offset = min(offset, self.ends[line])  # inside a CRLF: the end of the line
        prefix = self.data[start:offset].decode("utf-8", "replace")
        return types.Position(line=line, character=_units(prefix, self.encoding))

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(start=self.position(start), end=self.position(end))

    def offset(self, position: types.Position) -> int:
        """The byte offset of an LSP position; a character past the end of its line means the
        end of the line, a line past the end of the text the end of the text (LSP 3.17)."""
        if position.line >= len(self.starts):
            return len(self.data)
        start, end = self.starts[position.line], self.ends[position.line]
        text = self.data[start:end].decode("utf-8", "replace")
        units = 0
        for index, char in enumerate(text):
            if units >= position.character:
                return start + len(text[:index].encode("utf-8", "replace"))
            units += _units(char, self.encoding)
        return end


def to_diagnostic(located: Located, index: LineIndex) -> types.Diagnostic:
    finding = located.finding
    return types.Diagnostic(
        range=index.range(located.start, located.end),
        message=finding.message,
        severity=SEVERITY[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=rule_url(finding.code)),
        source=SOURCE,
    )


def problem_diagnostic(problem: str, index: LineIndex) -> types.Diagnostic:
    """The one diagnostic of a document that could not be linted, on its first line."""
    return types.Diagnostic(
        range=index.range(0, index.ends[0]),
        message=problem,
        severity=types.DiagnosticSeverity.Error,
        source=SOURCE,
    )


def diagnostics(document: DocumentLint, index: LineIndex) -> list[types.Diagnostic]:
    if document.problem is not None:
        return [problem_diagnostic(document.problem, index)]
    return [to_diagnostic(located, index) for located in document.findings]
