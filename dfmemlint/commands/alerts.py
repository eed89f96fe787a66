"""``dfmemlint alerts PATH...``: Prometheus alerting rules for the Go containers the files define.

One rule per container with a known memory limit and GOMEMLIMIT (``dfmemlint.alerts.compose``),
at the budget's threshold (``dfmemlint.alerts.rules``). The rule file goes to standard output; the
containers that get no rule are listed, with why, as comments at its top and on standard error.
Exit 0 when the rules were written, 2 for unreadable input or options.

Each file's format is decided as every command decides it (:func:`dfmemlint.formats.detect`):
a file with a top-level ``apiVersion`` and ``kind`` is a manifest even if it also has a
``services:`` key, and a ``services:`` that holds a list (GitLab CI's) is no Compose file.
Compose files: named on the command line (a default-named one with its override file, as
``docker compose`` reads them), or found in directories: the default-named project of each
directory, and any other ``*.yml``/``*.yaml`` file whose top-level ``services:`` holds a
mapping, alone. Kubernetes manifests (``dfmemlint.alerts.kubernetes``): ``*.yml``/``*.yaml``
files with a top-level ``apiVersion`` and ``kind`` (``helm template`` output too), named or
found; a container's GOMEMLIMIT is read from the ConfigMaps of all of them, as a lint of the
same paths reads it (``dfmemlint.kubernetes.configmaps``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import click

from dfmemlint.alert_defaults import METRICS
from dfmemlint.alerts.rules import (
    FORMATS,
    AlertOptions,
    AlertRule,
    AlertTarget,
    build_rule,
    render,
)
from dfmemlint.alerts.targets import Skipped
from dfmemlint.commands.alert_options import alert_options
from dfmemlint.commands.options import Command, error, once, warn
from dfmemlint.files import InputError, default_exclusion
from dfmemlint.formats import Format, detect, read_head
from dfmemlint.reporters import printable

if TYPE_CHECKING:
    from dfmemlint.kubernetes.configmaps import ManifestIndex
    from dfmemlint.yamlsource.reader import YamlStream

_YAML = (".yml", ".yaml")


def _format_of(path: str) -> Format | None:
    """The format of the file at ``path``, decided as every command decides it
    (:func:`dfmemlint.formats.detect`); None for a file that cannot be read."""
    try:
        data = read_head(path)
    except OSError:
        return None
    return detect(path, data)


def _raise(exc: InputError) -> None:
    raise exc


def inputs(
    paths: Iterable[str], error: Callable[[InputError], None] = _raise
) -> list[tuple[str, list[str]]]:
    """What to read, in order: ``("compose", files of one project, base first)`` or
    ``("kubernetes", [manifest])``. ``error`` hears of each path that does not exist and each
    named file that is neither (by default it raises the InputError); the others are read."""
    from dfmemlint.compose.names import is_compose_name, project_files, project_of

    found: list[tuple[str, list[str]]] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(
                    d for d in dirs if default_exclusion(os.path.join(root, d), True) is None
                )
                project = project_files(root)
                if project:
                    found.append(("compose", project))
                built = _built_resources(root)
                for name in sorted(files):
                    full = os.path.normpath(os.path.join(root, name))
                    if not name.lower().endswith(_YAML) or is_compose_name(name) or (
                        full in built
                    ):
                        continue
                    fmt = _format_of(full)
                    if fmt is Format.COMPOSE:
                        found.append(("compose", [full]))
                    elif fmt is Format.KUBERNETES:
                        found.append(("kubernetes", [full]))
        elif not os.path.isfile(path):
            error(InputError.at(path, "no such file or directory"))
        elif (fmt := _format_of(path)) is Format.COMPOSE:
            found.append(("compose", project_of(os.path.normpath(path))))
        elif fmt is Format.KUBERNETES:
            found.append(("kubernetes", [os.path.normpath(path)]))
        else:
            error(InputError.at(
                path,
                "neither a Compose file (top-level services:) nor a Kubernetes manifest "
                "(apiVersion and kind)",
            ))
    unique: list[tuple[str, list[str]]] = []
    for item in found:
        if item not in unique:
            unique.append(item)
    return unique


def _built_resources(directory: str) -> set[str]:
    """The files the kustomization of ``directory`` lists as resources: their workloads are
    read as that kustomization builds them (:func:`_kubernetes_targets`), not alone."""
    from dfmemlint.kubernetes.kustomization import in_directory, read, read_file
    from dfmemlint.yamlsource.reader import read_stream

    path = in_directory(directory)
    data = None if path is None else read_file(path)
    if path is None or data is None:
        return set()
    stream = read_stream(data)
    return {os.path.normpath(name) for name in read(path, stream, lambda _path: None).resources}


def _compose_targets(files: list[str], include_all: bool) -> list[AlertTarget | Skipped]:
    from dfmemlint.alerts.compose import compose_target
    from dfmemlint.compose.model import ComposeError
    from dfmemlint.compose.project import load_project

    try:
        project = load_project(files)
    except (ComposeError, OSError) as exc:
        raise InputError(str(exc)) from None
    for note in project.notes:
        warn(note)
    return [compose_target(s, include_all=include_all) for s in project.services.values()]


def _manifest_index(
    found: list[tuple[str, list[str]]], namespace: str | None
) -> tuple[dict[str, bytes], ManifestIndex]:
    """The bytes of every manifest among ``found`` and the index of their ConfigMaps, as a lint
    of the same paths builds it (``kubernetes.configmaps``): a container's GOMEMLIMIT may come
    from a ConfigMap in another file. ``namespace`` (``--namespace``) is the namespace of the
    request: an object whose manifest names none is in it."""
    from dfmemlint.files import read_source
    from dfmemlint.kubernetes.configmaps import ManifestIndex

    data = {files[0]: read_source(files[0]).data for kind, files in found if kind == "kubernetes"}
    return data, ManifestIndex(data.items(), namespace)


def _kubernetes_targets(
    path: str,
    data: bytes,
    index: ManifestIndex,
    namespace: str | None,
    include_all: bool,
) -> list[AlertTarget | Skipped]:
    from dfmemlint.alerts.kubernetes import kubernetes_target
    from dfmemlint.containers import Place
    from dfmemlint.engine import LintOptions
    from dfmemlint.kubernetes.lint import lint_manifest

    result = lint_manifest(path, data, LintOptions(manifests=index))
    if result.syntax_error is not None:
        raise InputError.at(path, result.syntax_error)
    for note in result.notes:
        warn(note)
    if result.manifest is not None and not result.resolved:
        built = _kustomization_targets(path, result.manifest.stream, index, namespace,
                                       include_all)
        if built is not None:
            return built

    def locate(place: Place) -> str:
        return f"{place.path}:{result.lines_of(place.path).line_col(place.start)[0]}"

    return [
        kubernetes_target(item.settings, locate, namespace=namespace, include_all=include_all)
        for item in result.resolved
    ]


def _kustomization_targets(
    path: str,
    stream: YamlStream,
    index: ManifestIndex,
    namespace: str | None,
    include_all: bool,
) -> list[AlertTarget | Skipped] | None:
    """The targets of every workload the kustomization at ``path`` builds (its resources, its
    bases', patched, in the namespace it sets: ``kubernetes.kustomize_build``), as
    ``kustomize build | dfmemlint alerts -`` would give; None when ``path`` is no
    kustomization."""
    from dfmemlint.alerts.kubernetes import kubernetes_target
    from dfmemlint.containers import Place
    from dfmemlint.formats import is_kustomization_name
    from dfmemlint.kubernetes.kustomization import read_file
    from dfmemlint.kubernetes.kustomize import is_kustomization
    from dfmemlint.kubernetes.kustomize_build import Files, build
    from dfmemlint.positions import Lines

    if not (is_kustomization_name(os.path.basename(path)) or is_kustomization(stream)):
        return None
    done = build(path, Files(path, stream), index.definers(path), namespace, everything=True)
    if done is None:  # pragma: no cover - the file was just read
        return []
    lines: dict[str, Lines] = {path: Lines(stream.data)}

    def locate(place: Place) -> str:
        if place.path not in lines:
            lines[place.path] = Lines(read_file(place.path) or b"")
        return f"{place.path}:{lines[place.path].line_col(place.start)[0]}"

    return [
        kubernetes_target(item.settings, locate, namespace=namespace, include_all=include_all)
        for item in done.resolved
    ]


def _identity(rule: AlertRule) -> tuple[tuple[str, str], ...]:
    """The labels that tell one container's rule from another's (all but the severity)."""
    return tuple(sorted(rule.labels.items()))


def _duplicate(rule: AlertRule, where: str, first_where: str, first: AlertRule) -> Skipped:
    """A second rule for a container that already has one (an override, another file):
    Prometheus would raise two alerts with the same labels, so the first is kept."""
    reason = f"the same container already has a rule, from {first_where}"
    if rule.threshold_bytes != first.threshold_bytes:
        reason += (
            f" (threshold {first.threshold_bytes:,} bytes there, {rule.threshold_bytes:,} here)"
        )
    return Skipped(f"{rule.target.title} ({where})", reason)


def collect(
    paths: Iterable[str],
    options: AlertOptions,
    *,
    namespace: str | None = None,
    include_all: bool = False,
    error: Callable[[InputError], None] = _raise,
) -> tuple[list[AlertRule], list[Skipped]]:
    """The rules for every container the files at ``paths`` define, in file order, and the
    containers that get none. Notes about the files go to standard error.

    ``error`` hears of each path that cannot be read and each file that cannot be read as its
    format (by default it raises the InputError); the rules of the others are still made.
    """
    rules: list[AlertRule] = []
    skipped: list[Skipped] = []
    kept: dict[tuple[tuple[str, str], ...], tuple[str, AlertRule]] = {}
    found = inputs(paths, error)
    manifests, index = _manifest_index(found, namespace)
    for kind, files in found:
        where = " + ".join(files)
        if kind == "compose":
            try:
                targets = _compose_targets(files, include_all)
            except InputError as exc:
                error(exc)
                continue
        else:
            try:
                targets = _kubernetes_targets(
                    files[0], manifests[files[0]], index, namespace, include_all
                )
            except InputError as exc:
                error(exc)
                continue
        for target in targets:
            if isinstance(target, Skipped):
                skipped.append(target._replace(title=f"{target.title} ({where})"))
                continue
            rule = build_rule(target, options)
            first = kept.setdefault(_identity(rule), (where, rule))
            if first[1] is rule:
                rules.append(rule)
            else:
                skipped.append(_duplicate(rule, where, *first))
    return rules, skipped


@click.command(
    "alerts", cls=Command, short_help="Prometheus alerting rules for the Go containers of files."
)
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@once(
    "--format",
    "output_format",
    type=click.Choice(list(FORMATS)),
    default=FORMATS[0],
    help="A Prometheus rule file, or the same rules in a prometheus-operator PrometheusRule.",
)
@alert_options
@once(
    "--namespace",
    default=None,
    help="The namespace of objects whose manifest names none (as kubectl apply -n).",
)
@click.option(
    "--all-containers",
    "include_all",
    is_flag=True,
    help="Also containers that set neither GOMEMLIMIT nor GOGC (not known to run Go).",
)
def alerts(
    paths: tuple[str, ...],
    output_format: str,
    metric: str,
    for_duration: str,
    severity: str,
    namespace: str | None,
    include_all: bool,
) -> int:
    """Write Prometheus alerting rules for the Go containers of Kubernetes manifests and
    Compose files.

    Each container with a memory limit and a known GOMEMLIMIT gets one alert: its RSS above
    min(limit * 0.9, GOMEMLIMIT * 1.1), the threshold `dfmemlint budget` computes, for the
    container's own GOMEMLIMIT. Directories are searched for manifests and Compose files.
    """
    options = AlertOptions(metric, for_duration, severity)
    # A path that cannot be read does not stop the others: said on standard error and in the
    # rule file's comments, which is still written whole; exit 2.
    unreadable: list[InputError] = []

    def path_error(exc: InputError) -> None:
        error(str(exc))
        unreadable.append(exc)

    rules, skipped = collect(
        paths, options, namespace=namespace, include_all=include_all, error=path_error
    )
    comments = [
        f"dfmemlint alerts: {len(rules)} rule{'' if len(rules) == 1 else 's'}; "
        f"alert when {METRICS[metric].words} passes min(limit * 0.9, GOMEMLIMIT * 1.1)",
        *(f"skipped {item.title}: {item.reason}" for item in skipped),
        *(printable(f"could not read {exc}") for exc in unreadable),
    ]
    for item in skipped:
        warn(f"skipped {item.title}: {item.reason}")
    click.echo(render(rules, output_format, comments), nl=False)
    return 2 if unreadable else 0
