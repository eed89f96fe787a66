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

from dfmemlint.containers import Container
from dfmemlint.engine import EditableRanges, LintOptions
from dfmemlint.golang.units import format_size
from dfmemlint.kubernetes import kustomize, model
from dfmemlint.kubernetes.configmaps import ConfigMapTable, ManifestIndex
from dfmemlint.kubernetes.environment import ManifestContext, Resolved, resolve, resolve_all
from dfmemlint.positions import Lines
from dfmemlint.rules import (
    downward_api_divisor,
    downward_api_no_limit,
    duplicate_env,
    env_value_not_string,
    gomemlimit_overrides_deployment,
    memory_millibytes,
    values,
)
from dfmemlint.rules.values import ValueProblem
from dfmemlint.types import Finding
from dfmemlint.yaml_findings import (
    SYNTAX_CODE,
    Suppressions,
    WholeFile,
    is_wanted,
    read_suppressions,
    syntax_finding,
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
# DFM016 judges Dockerfiles (against the Compose services that build them) and manifests alike.
MANIFEST_RULES[gomemlimit_overrides_deployment.CODE] = (
    gomemlimit_overrides_deployment.check_manifest
)
_TEMPLATE_ACTION = re.compile(rb"^[ \t]*(?:-[ \t]+)?\{\{|:[ \t]+\{\{", re.MULTILINE)
TEMPLATE_NOTE = (
    "skipped: a Helm chart template ('{{ }}' actions are not YAML until rendered); lint the "
    "output of `helm template` instead"
)
# A YAML file given by path that formats.detect reads as neither format.
NOT_READ_NOTE = (
    "skipped: neither a Kubernetes manifest (top-level apiVersion: and kind:) nor a Compose "
    "file (top-level services:); nothing to lint"
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
    unread: bool = False  # neither a manifest nor a Compose file: its note shows with --verbose
    # The other files a container's settings were read from (a ConfigMap there), by path.
    others: dict[str, Lines] = field(default_factory=dict)
    # The kustomize patches written in this file, as inspect shows them.
    patches: list[kustomize.PatchView] = field(default_factory=list)

    def lines_of(self, path: str) -> Lines:
        """The lines of this file or of another file a setting was read from."""
        return self.others.get(path, self.lines)

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
    """The result for a YAML file that holds no Kubernetes object: nothing found, nothing read,
    and a note that says so (:data:`NOT_READ_NOTE`), shown with ``--verbose`` (the pre-commit
    hooks pass every staged YAML file: most are neither, and say nothing)."""
    return ManifestResult(path, data, [], [f"{path}: {NOT_READ_NOTE}"], Lines(data), unread=True)


def lint_manifest(path: str, data: bytes, options: LintOptions) -> ManifestResult:
    """Lint one manifest file (a stream of documents), in one pass over it."""
    with without_cycle_collection():
        return _lint(path, data, options)


def _lint(path: str, data: bytes, options: LintOptions) -> ManifestResult:
    lines = Lines(data)
    if is_chart_template(data):
        return ManifestResult(path, data, [], [f"{path}: {TEMPLATE_NOTE}"], lines, template=True)
    index = options.manifests
    manifest = None if index is None else index.reuse(path, data)
    stream = read_stream(data) if manifest is None else manifest.stream
    suppressions = read_suppressions(data, lines, path)
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
    if manifest is None:
        manifest = model.read(path, stream)
    definers = [] if index is None else index.definers(path)
    namespace = None if index is None else index.namespace
    table = ConfigMapTable([manifest, *definers], namespace)
    patched = kustomize.judge(path, stream, options, list(definers), namespace)
    # A patch file a kustomization applies is judged as that patch, not as a workload.
    resolved = [] if patched.is_patch else resolve_all(manifest, table)
    ctx = ManifestContext(manifest, resolved, options.ratio)
    # Each problem with the container it was found for (None: a rule on the stream).
    problems: list[tuple[ValueProblem, Container | None]] = []
    readers = list(resolved)
    if index is not None and manifest.config_maps:
        readers.extend(consumers(index, manifest, table))
    readers.extend(copies(readers, table))
    # Smallest limit first: a value several containers read is judged, and its fix computed,
    # against the smallest of their limits, so the fix fits every one of them.
    readers.sort(key=_limit_order)
    for item in readers:
        found = values.check(item.settings, options.ratio)
        problems.extend((problem, item.settings.container) for problem in found)
    for rule in MANIFEST_RULES.values():
        problems.extend((problem, None) for problem in rule(ctx))
    problems.extend(patched.problems)
    relocate = getattr(manifest.placer, "relocate", None)  # a kustomization's env files
    if relocate is not None:
        problems = [(relocate(problem), container) for problem, container in problems]
    problems.extend((problem, None) for problem in suppressions.problems)
    findings = _findings(path, lines, problems, options, suppressions, _shared(path, readers))
    findings = sorted(
        [*findings, *suppressions.unused(path, data, lines, options)],
        key=lambda f: (f.line, f.column, f.code),
    )
    used = {s.place.path for item in resolved for s in item.settings.settings.values()}
    used.update(
        place.path for view in patched.patches for item in view.containers
        for place in [
            *(s.place for s in item.settings.values()),
            *([] if item.limit is None or item.limit.place is None else [item.limit.place]),
        ]
    )
    used.update(view.patch.at.path for view in patched.patches if view.patch is not None)
    others = {m.path: Lines(m.stream.data) for m in table.manifests if m.path in used - {path}}
    others.update(_patch_lines(patched, used - {path} - set(others)))
    return ManifestResult(
        path, data, findings, [], lines, manifest, resolved, others=others,
        patches=patched.patches,
    )


def _patch_lines(patched: kustomize.Judged, paths: set[str]) -> dict[str, Lines]:
    """The lines of the other files a patched container's values were read from (its base)."""
    from dfmemlint.kubernetes.kustomization import read_file

    found: dict[str, Lines] = {}
    for path in paths:
        data = read_file(path)
        if data is not None:
            found[path] = Lines(data)
    return found


def _findings(
    path: str,
    lines: Lines,
    problems: list[tuple[ValueProblem, Container | None]],
    options: LintOptions,
    suppressions: Suppressions,
    shared: dict[tuple[int, int], list[Resolved]] | None = None,
) -> list[Finding]:
    """One finding per problem written in this file; a value several containers read (a
    ConfigMap's) is reported once, naming the others too (``shared``: the containers that
    read each value written in this file, by its span, smallest limit first)."""
    ignored = suppressions.everywhere
    first: dict[tuple[str, int, int], tuple[ValueProblem, Container | None]] = {}
    also: dict[tuple[str, int, int], list[str]] = {}
    for problem, container in problems:
        if problem.place.path != path:
            continue
        key = (problem.code, problem.place.start, problem.place.end)
        if key not in first:
            first[key] = (problem, container)
        elif container is not None and container != first[key][1]:
            also.setdefault(key, []).append(container.describe())
    findings: list[Finding] = []
    for key, (problem, _container) in first.items():
        if not is_wanted(problem.code, options, ignored):
            continue
        readers = (shared or {}).get(key[1:], [])
        if len(readers) > 1:
            problem = problem._replace(message=problem.message + _also(readers, _container))
        elif key in also:  # pragma: no cover - every reader of a value is in ``shared``
            names = list(dict.fromkeys(also[key]))
            problem = problem._replace(
                message=f"{problem.message} Also read by {', '.join(names)}."
            )
        finding = suppressions.stamp(path, lines, problem, options)
        if finding is not None:
            findings.append(finding)
    findings.sort(key=lambda f: (f.line, f.column, f.code))
    return findings


def consumers(
    index: ManifestIndex, manifest: model.Manifest, table: ConfigMapTable
) -> Iterator[Resolved]:
    """The containers of the run's other files, resolved with this file's ConfigMaps as they
    are now (a fix may have changed them): a value they read from here is reported here,
    naming the container and its file."""
    for other in index.consumers(manifest.path):
        for pod in other.pods:
            here = pod._replace(workload=pod.workload._replace(path=other.path))
            for spec in pod.containers:
                yield resolve(other, here, spec, table)


def copies(readers: list[Resolved], table: ConfigMapTable) -> Iterator[Resolved]:
    """Each reader again for every other copy of a ConfigMap value it reads (the ConfigMap
    written twice with the same value, in one file or several): the value rules judge each
    copy as they judge the first, so every copy is reported and fixed alike, and the copies
    still agree after ``--fix``."""
    for item in readers:
        namespace = item.pod.workload.namespace
        for variable, setting in item.settings.settings.items():
            for place in table.copies(setting.place, namespace):
                moved = {**item.settings.settings, variable: setting._replace(place=place)}
                yield item._replace(settings=item.settings._replace(settings=moved))


def _limit_order(item: Resolved) -> tuple[bool, int]:
    """Containers with a memory limit first, smallest first; those without last."""
    limit = item.settings.limit
    return (limit is None, 0 if limit is None else limit.bytes)


def _shared(path: str, readers: list[Resolved]) -> dict[tuple[int, int], list[Resolved]]:
    """The containers that read each setting written in ``path``, by the setting's span."""
    found: dict[tuple[int, int], list[Resolved]] = {}
    for item in readers:
        for setting in item.settings.settings.values():
            if setting.place.path == path:
                span = (setting.place.start, setting.place.end)
                holders = found.setdefault(span, [])
                if all(h.settings.container != item.settings.container for h in holders):
                    holders.append(item)
    return found


def _also(readers: list[Resolved], judged: Container | None) -> str:
    """`` Also read by …`` for a value several containers read, each with its memory limit,
    and, when the limits differ, that the advice uses the smallest of them."""
    others = [item for item in readers if item.settings.container != judged]
    named = ", ".join(
        item.settings.container.describe() + _limit_text(item) for item in others
    )
    limits = {item.settings.limit.bytes for item in readers if item.settings.limit is not None}
    text = f" Also read by {named}."
    if len(limits) > 1:
        text += (
            " It is judged against the smallest memory limit of the containers that read "
            "it, so the value it advises fits every one of them."
        )
    return text


def _limit_text(item: Resolved) -> str:
    limit = item.settings.limit
    if limit is None:
        return " (no memory limit)"
    return f" (memory limit {format_size(limit.bytes)})"
