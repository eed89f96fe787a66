"""Go settings that kustomize patches set: judged as ``kustomize build`` applies them, and
reported where the patch writes them.

A kustomization's patches (inline literal blocks and patch files: see
:mod:`dfmemlint.kubernetes.kustomization`) are applied to the resources it lists
(:mod:`dfmemlint.kubernetes.kustomize_build`), and each patched container is judged whole: a
GOMEMLIMIT a patch sets against the container's memory limit (the base's, or one the same or
another patch sets), GOGC=off against everything else in its environment (DFM004, DFM007,
DFM008), an unquoted value that YAML 1.1 reads as a boolean or number (DFM014: a JSON 6902
``value`` is YAML turned into JSON by sigs.k8s.io/yaml, so ``off`` is ``false`` there too) and a
milli-suffixed memory limit (DFM013). A finding is reported in the file that writes the value:
the kustomization for an inline patch, the patch file for a ``path:`` one; a patch file that a
kustomization above it names is judged as that patch, not as a workload of its own.

A patch the build cannot apply here (its target is not among the readable resources: a remote
base, a set-based selector; or kustomize would fail on it) is judged on its own, as far as the
patch itself shows:

* a JSON 6902 ``add``/``replace`` whose ``path`` ends in ``…/env/-`` or ``…/env/N`` (one env
  entry), ``…/env`` (the whole list), ``…/containers/-``/``…/containers/N`` (one container) or
  ``…/containers`` (the list); a YAML list of such operations in a file that no kustomization
  names is judged so too;
* a strategic-merge patch's containers, merged into an unknown base.

There a patch that sets one env entry leaves the base's others unknown, so GOGC=off is not
reported (DFM008 needs the whole environment, as an ``add`` or ``replace`` of the ``env`` list or
of the container gives), nor are values an ``…/env/N/value`` path sets (which variable that is
depends on the base).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from dfmemlint.containers import (
    Container,
    ContainerSettings,
    GoSetting,
    MemoryLimit,
    Place,
    Workload,
)
from dfmemlint.engine import LintOptions
from dfmemlint.formats import is_kustomization_name
from dfmemlint.kubernetes.environment import TRACKED, ManifestContext, usable_limit
from dfmemlint.kubernetes.kustomization import Patch, Written, above, read, read_file
from dfmemlint.kubernetes.kustomize_build import Applied, Build, Files, build
from dfmemlint.kubernetes.patching import PatchError, pointer_tokens
from dfmemlint.records import Record
from dfmemlint.rules import env_value_not_string, memory_millibytes, values
from dfmemlint.rules.values import ValueProblem
from dfmemlint.yamlsource.reader import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    YamlStream,
    get,
    get_path,
    items,
    read_stream,
    text,
)

_CONTAINER_LISTS = ("containers", "initContainers")
UNKNOWN_BASE = "the rest of the patched container's environment (kustomize patch)"


def _entry_settings(
    source: Written, entries: list[Node], container: Container, origin: str
) -> dict[str, GoSetting]:
    settings: dict[str, GoSetting] = {}
    for entry in entries:
        name = text(get(entry, "name"))
        value = get(entry, "value")
        if name not in TRACKED or not isinstance(value, ScalarNode):
            continue
        settings[name] = GoSetting(  # a null (``value: ~``) is an empty value
            name, text(value) or "", origin, source.place(value), container
        )
    return settings


def _limit(source: Written, container_node: Node) -> MemoryLimit | None:
    node = get_path(container_node, "resources", "limits", "memory")
    amount = usable_limit(node)
    if amount is None or not isinstance(node, ScalarNode):
        return None
    return MemoryLimit(amount, text(node) or "", "resources.limits.memory", source.place(node))


def _operation(
    source: Written, operation: Node, workload: Workload, names: dict[str, str]
) -> Iterator[ContainerSettings]:
    """The containers one ``add``/``replace`` sets Go settings in (``names``: the base's
    container names by ``containers/N``, when its target was read)."""
    op = text(get(operation, "op"))
    pointer = text(get(operation, "path"))
    value = get(operation, "value")
    if op not in ("add", "replace") or not pointer or value is None:
        return
    try:
        parts = pointer_tokens(pointer)
    except PatchError:
        return
    origin = f"kustomize patch: {op} {pointer}"
    if len(parts) >= 2 and parts[-2] == "env" and (parts[-1] == "-" or parts[-1].isdigit()):
        where = "/".join(parts[-4:-2]) if len(parts) >= 4 else "container"
        container = Container(names.get(where, where), workload)
        settings = _entry_settings(source, [value], container, origin)
        if settings:
            yield ContainerSettings(container, None, settings, (UNKNOWN_BASE,))
        return
    if parts and parts[-1] == "env" and isinstance(value, SequenceNode):
        where = "/".join(parts[-3:-1]) if len(parts) >= 3 else "container"
        container = Container(names.get(where, where), workload)
        settings = _entry_settings(source, items(value), container, origin)
        if settings:  # the whole list is replaced: nothing else is in the environment
            yield ContainerSettings(container, None, settings)
        return
    containers: list[Node] = []
    if len(parts) >= 2 and parts[-2] in _CONTAINER_LISTS and (
        parts[-1] == "-" or parts[-1].isdigit()
    ):
        containers = [value]
    elif parts and parts[-1] in _CONTAINER_LISTS and isinstance(value, SequenceNode):
        containers = items(value)
    for node in containers:
        if not isinstance(node, MappingNode):
            continue
        container = Container(text(get(node, "name")) or "", workload)
        settings = _entry_settings(source, items(get(node, "env")), container, origin)
        if settings:
            yield ContainerSettings(container, _limit(source, node), settings)


def _target(path: str, patch: Patch | None) -> Workload:
    """The patch's ``target`` (``Deployment/api``), else the patch file's name."""
    target = None if patch is None else patch.target
    if target is None or not (target.kind or target.name):
        return Workload("kustomize patch", os.path.basename(path))
    return Workload(target.kind or "object", target.name or "*")


def _strategic_merge(source: Written) -> Iterator[ContainerSettings]:
    """The env entries an inline strategic-merge patch sets (merged into the base's by name)."""
    from dfmemlint.kubernetes import model

    manifest = model.read(source.path, source.stream)
    for pod in manifest.pods:
        for spec in pod.containers:
            container = Container(spec.name, pod.workload, spec.role)
            settings = _entry_settings(
                source, [entry.node for entry in spec.env], container,
                "kustomize strategic-merge patch",
            )
            if settings:
                limit = _limit(source, spec.node)
                yield ContainerSettings(container, limit, settings, (UNKNOWN_BASE,))




def _alone(
    written: Written, patch: Patch | None, base: tuple[Workload, dict[str, str]] | None = None
) -> Iterator[ContainerSettings]:
    """What a patch sets, judged without its base (its target was not built here); ``base``:
    the workload its target selects and its containers' names, when that was read (the patch
    failed on it)."""
    if patch is not None and patch.objects:
        yield from _strategic_merge(written)
        return
    workload, names = base if base is not None else (_target(written.path, patch), {})
    operations = patch.operations if patch is not None else _operations(written.stream)
    for operation in operations:
        yield from _operation(written, operation, workload, names)


def _base_of(done: Build, applied: Applied) -> tuple[Workload, dict[str, str]] | None:
    """The first workload a failed patch's target selects, and its containers' names by
    ``containers/N`` and ``initContainers/N``."""
    from dfmemlint.kubernetes import model

    for number in applied.matched:
        resource = done.resources[number]
        found = model.read_objects(
            resource.written.path, resource.written.stream,
            [(resource.document, resource.root)], done.placer,
        )
        for pod in found.pods:
            names = {
                f"{field}/{at}": text(get(item, "name")) or ""
                for field in _CONTAINER_LISTS
                for at, item in enumerate(items(get(pod.spec, field)))
            }
            return pod.workload._replace(path=resource.written.path), names
    return None


def _operations(stream: YamlStream) -> list[Node]:
    for document in stream.documents:
        if isinstance(document.root, SequenceNode):
            return items(document.root)
    return []


def _unquoted_alone(written: Written) -> Iterator[ValueProblem]:
    """DFM014 for the env entries written in a patch judged alone: every ``{name: GOGC,
    value: …}`` mapping in it."""
    from dfmemlint.yamlsource.reader import walk

    for document in written.stream.documents:
        for node in walk(document.root):
            name = text(get(node, "name"))
            if isinstance(node, MappingNode) and name in TRACKED:
                problem = env_value_not_string.unquoted(
                    name, get(node, "value"), "(env value)", written.place
                )
                if problem is not None:
                    yield problem


class PatchView(Record):
    """One patch as ``inspect`` shows it: the containers it sets Go settings or a memory limit
    in (only what it sets, with the container's memory limit after the build), and why it was
    not applied, if it was not."""

    patch: Patch | None  # None: a file of JSON 6902 operations no kustomization names
    kustomization: str | None
    containers: tuple[ContainerSettings, ...]
    error: str | None


class Judged(Record):
    problems: list[tuple[ValueProblem, Container | None]]
    patches: list[PatchView]
    is_patch: bool  # a patch file a kustomization applies: not a workload of its own


def _span(patch: Patch) -> tuple[int, int]:
    """The bytes of its file a patch is written in."""
    embedded = patch.written.embedded
    if embedded is None:
        return (0, len(patch.written.stream.data) + 1)
    tail = len(embedded.stream.data) - embedded.inner_starts[-1]
    return (embedded.outer_starts[0], embedded.outer_starts[-1] + tail + 1)


def _view(done: Build, applied: Applied) -> PatchView:
    patch = applied.patch
    if applied.error is not None:
        alone = tuple(_alone(patch.written, patch, _base_of(done, applied)))
        return PatchView(patch, applied.kustomization, alone, applied.error)
    start, end = _span(patch)

    def mine(place: object) -> bool:
        return (
            place is not None and getattr(place, "path", None) == patch.written.path
            and start <= getattr(place, "start", -1) < end
        )

    shown: list[ContainerSettings] = []
    for resolved in done.resolved:
        workload = resolved.pod.workload
        if not any(
            _workload_of(done, number) == workload for number in applied.targets
        ):
            continue
        settings = {
            name: setting for name, setting in resolved.settings.settings.items()
            if mine(setting.place)
        }
        limit = resolved.settings.limit
        if settings or (limit is not None and mine(limit.place)):
            shown.append(resolved.settings._replace(settings=settings))
    return PatchView(patch, applied.kustomization, tuple(shown), None)


def _workload_of(done: Build, number: int) -> Workload:
    resource = done.resources[number]
    meta = get(resource.root, "metadata")
    return Workload(
        text(get(resource.root, "kind")) or "", text(get(meta, "name")) or "",
        text(get(meta, "namespace")), resource.document.source, resource.written.path,
    )


def _at_limit(problem: ValueProblem, limit: Place) -> ValueProblem:
    """DFM007 for a GOMEMLIMIT written elsewhere (the base) that the memory limit a patch here
    sets makes too large: reported at that limit, with no fix (the value is in another file,
    where it may be right for the base's other overlays)."""
    where = problem.place
    return problem._replace(
        place=limit._replace(editable=False),
        message=f"{problem.message} GOMEMLIMIT is set in {where.path}; the memory limit, "
        "here.",
        fix=None,
    )


def _judge_builds(
    path: str, builds: list[Build], options: LintOptions, found: Judged,
    env_files: dict[str, Place] | None = None,
) -> None:
    """The findings in ``path`` of the containers some kustomizations build. A value several
    built containers read (a patch file two overlays apply) is judged, and its fix computed,
    against the smallest of their limits first, so the fix fits every one of them. A value in
    one of ``env_files`` (the env files of the kustomization ``path``'s generators) is reported
    where the kustomization names the file (:func:`generators.relocated`)."""
    from dfmemlint.kubernetes.generators import relocated

    readers = sorted(
        (item for done in builds for item in done.resolved),
        key=lambda item: (
            item.settings.limit is None,
            0 if item.settings.limit is None else item.settings.limit.bytes,
        ),
    )
    for item in readers:
        limit = item.settings.limit
        for problem in values.check(item.settings, options.ratio):
            if env_files:
                problem = relocated(problem, env_files)
            if problem.place.path == path:
                found.problems.append((problem, item.settings.container))
            elif (
                problem.code == "DFM007" and limit is not None and limit.place is not None
                and limit.place.path == path
            ):
                found.problems.append((_at_limit(problem, limit.place), item.settings.container))
    for done in builds:
        ctx = ManifestContext(done.manifest, done.resolved, options.ratio)
        for rule in (env_value_not_string.check, memory_millibytes.check):
            found.problems.extend(
                (problem, None) for problem in rule(ctx) if problem.place.path == path
            )
        for applied in done.applied:
            if applied.patch.written.path != path:
                continue
            found.patches.append(_view(done, applied))
            if applied.error is not None:
                base = _base_of(done, applied)
                _judge_alone(applied.patch.written, applied.patch, options, found, base)


def _judge_alone(
    written: Written, patch: Patch | None, options: LintOptions, found: Judged,
    base: tuple[Workload, dict[str, str]] | None = None,
) -> None:
    for settings in _alone(written, patch, base):
        found.problems.extend(
            (problem, settings.container) for problem in values.check(settings, options.ratio)
        )
    found.problems.extend((problem, None) for problem in _unquoted_alone(written))


def is_kustomization(stream: YamlStream) -> bool:
    """A stream whose object is a ``kind: Kustomization``."""
    return any(
        text(get(document.root, "kind")) == "Kustomization" for document in stream.documents
    )


_PATCH_FILES: dict[tuple[str, int, int], tuple[str, ...]] = {}


def _patch_files(path: str) -> tuple[str, ...]:
    """The patch files the kustomization at ``path`` names, read once per version of it (a
    directory of manifests under one kustomization asks for each of them)."""
    try:
        status = os.stat(path)
    except OSError:
        return ()
    key = (os.path.abspath(path), status.st_mtime_ns, status.st_size)
    if key not in _PATCH_FILES:
        if len(_PATCH_FILES) > 256:
            _PATCH_FILES.clear()
        data = read_file(path)
        stream = None if data is None else read_stream(data)
        _PATCH_FILES[key] = (
            () if stream is None or stream.error is not None
            else read(key[0], stream, lambda _path: None).patch_files  # absolute paths
        )
    return _PATCH_FILES[key]


def judge(
    path: str, stream: YamlStream, options: LintOptions, definers: list[object] | None = None,
    namespace: str | None = None,
) -> Judged:
    """The findings (problems with the container each is about) that kustomize patches
    written in ``path`` give, and what ``inspect`` shows of them: for a kustomization its
    inline patches, for a patch file the patch it is to each kustomization above it that names
    it (read from disk; ``stream`` is the file as linted), for a file of JSON 6902 operations
    that none names the operations judged alone. ``definers`` are the run's other manifests
    that define ConfigMaps, ``namespace`` the request's namespace (``ConfigMapTable``)."""
    from dfmemlint.kubernetes import model

    manifests = [m for m in definers or [] if isinstance(m, model.Manifest)]
    found = Judged([], [], False)
    files = Files(path, stream)
    name = os.path.basename(path)
    if is_kustomization_name(name) or is_kustomization(stream):
        done = build(path, files, manifests, namespace)
        _judge_builds(path, [] if done is None else [done], options, found,
                      None if done is None else done.placer.sources.get(path))
        return found
    builds: list[Build] = []
    on_disk = os.path.isfile(path)
    for candidate in above(path) if on_disk else []:
        if any(files.is_linted(file) for file in _patch_files(candidate)):
            done = build(candidate, files, manifests, namespace)
            builds.extend([] if done is None else [done])
    if builds:
        found = found._replace(is_patch=True)
        _judge_builds(path, builds, options, found)
    if not found.is_patch and _operations(stream):
        patch_file = Written(path, stream)
        found.patches.append(PatchView(None, None, tuple(_alone(patch_file, None)), None))
        _judge_alone(patch_file, None, options, found)
    return found
