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
from dfmemlint.rules.values import ValueProblem
from dfmemlint.types import Finding
from dfmemlint.yaml_findings import (
    SYNTAX_CODE,
    WholeFile,
    is_wanted,
    read_suppressions,
    syntax_finding,
    to_finding,
)
from dfmemlint.yamlsource.reader import YamlError, read_stream, without_cycle_collection

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


def is_chart_template(data: bytes) -> bool:
    """Go template actions where YAML has structure: a line or a plain value starting with
    ``{{`` (a quoted ``"{{ .Values.x }}"`` alone parses, and is then an unknown value)."""
    return b"{{" in data and _TEMPLATE_ACTION.search(data) is not None


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
    suppressions = read_suppressions(data, lines)
    ignored = suppressions.everywhere
    if stream.error is not None:
        error = stream.error
        errors: list[Finding] = []
        if is_wanted(SYNTAX_CODE, options, ignored):
            at = lines.line_starts[min(error.line, len(lines.line_starts)) - 1]
            text = lines.line_text(error.line).decode("utf-8", "surrogateescape")
            at += len(text[: error.column - 1].encode("utf-8", "surrogateescape"))
            errors.append(syntax_finding(path, lines, at, f"Not YAML: {error.message}.", options))
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
        if not is_wanted(problem.code, options, ignored):
            continue
        finding = to_finding(path, lines, problem, options)
        if not suppressions.hides(finding, lines):
            findings.append(finding)
    findings.sort(key=lambda f: (f.line, f.column, f.code))
    return ManifestResult(path, data, findings, [], lines, manifest, resolved)
