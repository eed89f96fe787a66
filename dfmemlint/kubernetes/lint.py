"""Lint a Kubernetes manifest stream: read it, resolve every container's environment, run the
value rules (DFM004, DFM007, DFM008) on each container and the Kubernetes rules (DFM010-DFM014)
on the stream, and stamp code, severity and exact position on what they find.

Helm chart templates (``{{ … }}`` actions) are not YAML until rendered: such a file is skipped
and counted, and the note says to lint ``helm template`` output instead. Comments work as in
Dockerfiles: ``# dfmemlint: ignore=DFM007`` on the comment line(s) directly above the finding's
line, ``# dfmemlint: global ignore=…`` anywhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from dfmemlint.engine import EditableRanges, LintOptions
from dfmemlint.kubernetes import model
from dfmemlint.kubernetes.environment import ManifestContext, Resolved, resolve_all
from dfmemlint.positions import Lines
from dfmemlint.rules import (
    downward_api_divisor,
    downward_api_no_limit,
    duplicate_env,
    env_value_not_string,
    memory_millibytes,
    values,
)
from dfmemlint.rules.catalog import BY_CODE
from dfmemlint.rules.values import ValueProblem
from dfmemlint.types import Finding
from dfmemlint.yamlsource.reader import YamlError, read_stream, without_cycle_collection

SYNTAX_CODE = "DFM015"
MANIFEST_RULES: dict[str, Callable[[ManifestContext], Iterator[ValueProblem]]] = {
    module.CODE: module.check
    for module in (
        downward_api_divisor,
        downward_api_no_limit,
        duplicate_env,
        memory_millibytes,
        env_value_not_string,
    )
}
_TEMPLATE_ACTION = re.compile(rb"^[ \t]*(?:-[ \t]+)?\{\{|:[ \t]+\{\{", re.MULTILINE)
_PRAGMA = re.compile(
    rb"^[ \t]*#[ \t]*dfmemlint:[ \t]*(global[ \t]+ignore|ignore)[ \t]*=(.*?)\r?$",
    re.MULTILINE | re.IGNORECASE,
)
_COMMENT_LINE = re.compile(rb"[ \t]*#")
TEMPLATE_NOTE = (
    "skipped: a Helm chart template ('{{ }}' actions are not YAML until rendered); lint the "
    "output of `helm template` instead"
)


@dataclass
class ManifestResult:
    path: str
    data: bytes
    findings: list[Finding]
    notes: list[str]
    lines: Lines
    manifest: model.Manifest | None = None
    resolved: list[Resolved] = field(default_factory=list)
    error: YamlError | None = None
    template: bool = False  # a chart template: skipped

    @property
    def source(self) -> Lines:
        return self.lines

    @property
    def syntax_error(self) -> str | None:
        if self.error is None:
            return None
        return f"a file that is not YAML ({self.error.message}, line {self.error.line})"

    def editable_ranges(self) -> EditableRanges:
        return WholeFile(len(self.data))


class WholeFile(EditableRanges):
    """Every byte of a manifest may be edited: YAML has no parser directives and no stages
    that are not built."""

    def __init__(self, size: int) -> None:
        self.ranges = [(0, size)]
        self._starts = [0]


def is_chart_template(data: bytes) -> bool:
    """Go template actions where YAML has structure: a line or a plain value starting with
    ``{{`` (a quoted ``"{{ .Values.x }}"`` alone parses, and is then an unknown value)."""
    return b"{{" in data and _TEMPLATE_ACTION.search(data) is not None


def _codes(text: bytes) -> set[str]:
    codes: set[str] = set()
    for raw in re.split(r"[,\s]+", text.decode("utf-8", "replace")):
        code = raw.strip().upper()
        if code == "ALL":
            codes.update(BY_CODE)
        elif code in BY_CODE:
            codes.add(code)
    return codes


def _suppressions(data: bytes, lines: Lines) -> tuple[set[str], dict[int, set[str]]]:
    """(codes ignored in the whole file, comment line -> codes)."""
    global_codes: set[str] = set()
    by_line: dict[int, set[str]] = {}
    if b"dfmemlint" not in data:
        return global_codes, by_line
    for match in _PRAGMA.finditer(data):
        codes = _codes(match.group(2))
        if match.group(1).lower().startswith(b"global"):
            global_codes |= codes
        else:
            by_line[lines.line_col(match.start())[0]] = codes
    return global_codes, by_line


def _suppressed(finding: Finding, lines: Lines, by_line: dict[int, set[str]]) -> bool:
    line = finding.line - 1
    while line >= 1 and _COMMENT_LINE.match(lines.line_text(line)):
        if finding.code in by_line.get(line, ()):
            return True
        line -= 1
    return False


def _finding(path: str, lines: Lines, problem: ValueProblem, options: LintOptions) -> Finding:
    info = BY_CODE[problem.code]
    line, column = lines.line_col(problem.place.start)
    end_line, end_column = lines.line_col(max(problem.place.end, problem.place.start))
    severity = options.severity.get(info.code, problem.severity or info.severity)
    return Finding(path, info.code, info.name, severity, problem.message, line, column,
                   end_line, end_column, problem.fix)


def _wanted(code: str, options: LintOptions, ignored: set[str]) -> bool:
    if options.select is not None and code not in options.select:
        return False
    return code not in options.ignore and code not in ignored


def not_a_manifest(path: str, data: bytes) -> ManifestResult:
    """The result for a YAML file that holds no Kubernetes object: nothing found, nothing read."""
    return ManifestResult(path, data, [], [], Lines(data))


def lint_manifest(path: str, data: bytes, options: LintOptions) -> ManifestResult:
    """Lint one manifest file (a stream of documents), in one pass over it."""
    with without_cycle_collection():
        return _lint(path, data, options)


def _lint(path: str, data: bytes, options: LintOptions) -> ManifestResult:
    lines = Lines(data)
    if is_chart_template(data):
        return ManifestResult(path, data, [], [f"{path}: {TEMPLATE_NOTE}"], lines, template=True)
    stream = read_stream(data)
    ignored, by_line = _suppressions(data, lines)
    if stream.error is not None:
        error = stream.error
        errors: list[Finding] = []
        if _wanted(SYNTAX_CODE, options, ignored):
            at = lines.line_starts[min(error.line, len(lines.line_starts)) - 1]
            text = lines.line_text(error.line).decode("utf-8", "surrogateescape")
            at += len(text[: error.column - 1].encode("utf-8", "surrogateescape"))
            info = BY_CODE[SYNTAX_CODE]
            errors.append(Finding(
                path, SYNTAX_CODE, info.name, options.severity.get(SYNTAX_CODE, info.severity),
                f"Not YAML: {error.message}.", *lines.line_col(at), *lines.line_col(at),
            ))
        return ManifestResult(path, data, errors, [], lines, error=error)
    manifest = model.read(path, stream)
    resolved = resolve_all(manifest)
    ctx = ManifestContext(manifest, resolved, options.ratio)
    problems: list[ValueProblem] = []
    for item in resolved:
        problems.extend(values.check(item.settings, options.ratio))
    for rule in MANIFEST_RULES.values():
        problems.extend(rule(ctx))
    findings: list[Finding] = []
    seen: set[tuple[str, int, int]] = set()
    for problem in problems:
        key = (problem.code, problem.place.start, problem.place.end)
        if key in seen or problem.place.path != path:
            continue
        seen.add(key)
        if not _wanted(problem.code, options, ignored):
            continue
        finding = _finding(path, lines, problem, options)
        if not _suppressed(finding, lines, by_line):
            findings.append(finding)
    findings.sort(key=lambda f: (f.line, f.column, f.code))
    return ManifestResult(path, data, findings, [], lines, manifest, resolved)
