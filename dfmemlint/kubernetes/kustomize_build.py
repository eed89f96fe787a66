"""The workloads a kustomization's patches change, as ``kustomize build`` produces them: its
resources read (files, and directories holding a kustomization, built the same way), its patches
applied in kustomize's order (:mod:`dfmemlint.kubernetes.kustomization`,
:mod:`dfmemlint.kubernetes.patching`), and each patched container resolved as the kubelet would
(:func:`dfmemlint.kubernetes.environment.resolve`). Every value keeps the file and position it
is written at, so a GOMEMLIMIT a patch sets is judged against the memory limit the base (or the
same patch) gives the container, and reported, and fixed, in the patch.

A strategic-merge patch without a ``target`` is applied to the resource with its own kind, name
and namespace (``PatchTransformerPlugin.transformStrategicMerge`` and
``PatchStrategicMergeTransformerPlugin.Transform`` in ``api/internal/builtins``:
``m.GetById(patch.OrgId())``); one with a ``target``, and every JSON 6902 patch, to each resource
the target selects (``resWrangler.Select``). A patch whose target is not among the readable
resources, or whose operations kustomize would fail on, is reported as not applied
(:attr:`Applied.error`) and judged on its own (:mod:`dfmemlint.kubernetes.kustomize`).
"""

from __future__ import annotations

import os

from dfmemlint.containers import Place
from dfmemlint.kubernetes import model
from dfmemlint.kubernetes.configmaps import ConfigMapTable
from dfmemlint.kubernetes.environment import Resolved, resolve
from dfmemlint.kubernetes.kustomization import (
    Kustomization,
    Patch,
    Written,
    in_directory,
    join,
    read,
    read_file,
)
from dfmemlint.kubernetes.patching import PatchError, apply_operations, merge
from dfmemlint.records import Record
from dfmemlint.yamlsource.reader import (
    Document,
    MappingNode,
    Node,
    SequenceNode,
    YamlStream,
    get,
    items,
    read_stream,
    text,
    walk,
)

_MAX_DEPTH = 16  # kustomizations built on kustomizations


class Placer:
    """Where each node of the built objects is written (the callable a
    :class:`~dfmemlint.kubernetes.model.Manifest` of built objects places nodes with)."""

    def __init__(self, fallback: str) -> None:
        self._where: dict[int, tuple[Node, Written]] = {}
        self._fallback = fallback
        self._fixed: dict[int, Place] = {}  # generated values (configMapGenerator)
        # kustomization -> its generators' env files -> where it names each
        self.sources: dict[str, dict[str, Place]] = {}

    def fix(self, places: dict[int, Place]) -> None:
        """Place the nodes ``places`` names (by id) where it says."""
        self._fixed.update(places)

    def add(self, written: Written, node: Node) -> None:
        for item in walk(node):
            self._where[id(item)] = (item, written)

    def copy(self, node: Node) -> Node:
        """``node`` with every mapping and sequence below it copied (scalars shared)."""
        found = self._where.get(id(node))
        if isinstance(node, MappingNode):
            made: Node = MappingNode(
                node.tag, [(key, self.copy(value)) for key, value in node.value],
                node.start_mark, node.end_mark, node.flow_style,
            )
        elif isinstance(node, SequenceNode):
            made = SequenceNode(
                node.tag, [self.copy(value) for value in node.value],
                node.start_mark, node.end_mark, node.flow_style,
            )
        else:
            return node
        if found is not None:
            self._where[id(made)] = (made, found[1])
        return made

    def __call__(self, node: Node) -> Place:
        fixed = self._fixed.get(id(node))
        if fixed is not None:
            return fixed
        found = self._where.get(id(node))
        if found is None:  # pragma: no cover - a key a JSON 6902 ``add`` made; never placed
            return Place(self._fallback, 0, 0, False)
        return found[1].place(node)


class Files:
    """The files a build reads: the linted file from its bytes (a fix may have changed them),
    every other one from disk, each parsed once."""

    def __init__(self, path: str, stream: YamlStream) -> None:
        self.path = path
        self.stream = stream
        self._linted = os.path.abspath(path)
        self._read: dict[str, Written | None] = {}
        # Env files a generator reads, by absolute path, with bytes other than the disk's.
        self.contents: dict[str, bytes] = {}

    def is_linted(self, path: str) -> bool:
        return os.path.abspath(path) == self._linted

    def load(self, path: str) -> Written | None:
        if self.is_linted(path):
            return Written(self.path, self.stream)
        if path not in self._read:
            data = read_file(path)
            stream = None if data is None else read_stream(data)
            self._read[path] = (
                None if stream is None or stream.error is not None else Written(path, stream)
            )
        return self._read[path]


class Resource(Record):
    """One object of the build: its tree (patched in place) and where it was read."""

    root: MappingNode
    document: Document
    written: Written
    namespace: str | None = None  # set by a kustomization's ``namespace`` (None: as written)
    prefix: str = ""  # the ``namePrefix`` and ``nameSuffix`` of the kustomizations above it
    suffix: str = ""


class Applied(Record):
    """What became of one patch: the resources it changed, or why it changed none."""

    patch: Patch
    kustomization: str
    targets: tuple[int, ...]  # indexes into Build.resources
    error: str | None
    matched: tuple[int, ...] = ()  # the resources its target selects (also when it failed)


class Build(Record):
    kustomization: Kustomization
    resources: list[Resource]
    applied: list[Applied]
    # The patched workloads and those that read a generated ConfigMap, placed in the files
    # they come from, with every ConfigMap of the build (generated ones included).
    manifest: model.Manifest
    resolved: list[Resolved]  # the containers of those workloads
    placer: Placer


def _is_object(root: Node) -> bool:
    return isinstance(root, MappingNode) and bool(
        text(get(root, "kind")) and text(get(root, "apiVersion"))
    )


def _same_id(resource: Node, patch: Node) -> bool:
    """Kind, name and namespace of a strategic-merge patch name the resource (its apiVersion
    too, when it gives one)."""
    def ident(node: Node) -> tuple[str | None, ...]:
        meta = get(node, "metadata")
        return (
            text(get(node, "kind")), text(get(meta, "name")),
            text(get(meta, "namespace")) or "default",
        )
    version = text(get(patch, "apiVersion"))
    return ident(resource) == ident(patch) and version in (None, text(get(resource, "apiVersion")))


def _collect(
    path: str, files: Files, placer: Placer, resources: list[Resource], applied: list[Applied],
    chain: tuple[str, ...], generated: list[model.ConfigMap] | None = None,
    scope: tuple[int, int] | None = None,
) -> Kustomization | None:
    """Read the kustomization at ``path`` into ``resources``, its patches applied (``chain``:
    the kustomizations being read that include it; kustomize refuses a cycle). A component
    (``scope``: where its parent's resources and generated ConfigMaps start) works on its
    parent's: ``KustTarget.accumulateTarget`` (``api/internal/target/kusttarget.go``) reads the
    resources, then each of ``components`` with the same accumulator (its resources, generators
    and transformers over everything read so far), then runs its own generators and
    transformers."""
    written = files.load(path)
    here = os.path.abspath(path)
    if written is None or len(chain) > _MAX_DEPTH or here in chain:
        return None
    kustomization = read(path, written.stream, files.load)
    first = len(resources) if scope is None else scope[0]
    first_generated = 0 if generated is None else len(generated)
    if scope is not None:
        first_generated = scope[1]
    for name in kustomization.resources:
        source = files.load(name)
        if source is None:
            inner = in_directory(name) if os.path.isdir(name) else None
            if inner is not None:
                _collect(inner, files, placer, resources, applied, (*chain, here), generated)
            continue
        for document in source.stream.documents:
            if _is_object(document.root):
                placer.add(source, document.root)
                copied = placer.copy(document.root)
                assert isinstance(copied, MappingNode)
                resources.append(Resource(copied, document, source))
    for name in _field_list(written, "components"):
        inner = in_directory(join(path, name))
        if inner is not None:
            _collect(inner, files, placer, resources, applied, (*chain, here), generated,
                     (first, first_generated))
    if generated is not None:
        _generate(path, written, placer, generated, files.contents)
    namespace = _field(written, "namespace")
    if namespace is not None:  # the namespace transformer: everything built here
        resources[first:] = [item._replace(namespace=namespace) for item in resources[first:]]
        if generated is not None:
            generated[first_generated:] = [
                item._replace(namespace=namespace) for item in generated[first_generated:]
            ]
    prefix, suffix = _field(written, "namePrefix") or "", _field(written, "nameSuffix") or ""
    if prefix or suffix:  # the prefix and suffix transformers; nameref follows the names
        resources[first:] = [
            item._replace(prefix=prefix + item.prefix, suffix=item.suffix + suffix)
            for item in resources[first:]
        ]
    for patch in kustomization.patches:
        for document in patch.written.stream.documents:
            placer.add(patch.written, document.root)
        applied.append(_apply(patch, path, resources, first, placer))
    return kustomization


def _field(written: Written, name: str) -> str | None:
    """A kustomization's ``namespace``, ``namePrefix`` or ``nameSuffix``. kustomize's
    namespace transformer (``api/filters/namespace``) sets the namespace of every object the
    kustomization builds, its bases' and generated ones included; the prefix and suffix
    transformers (``api/filters/prefix``, ``suffix``) rename them, so a workload's pods are
    named from the new name; the nameref filter (``api/filters/nameref``) rewrites the
    references, so a reference still names the same object."""
    for document in written.stream.documents:
        found = text(get(document.root, name))
        if found:
            return found
    return None


def _field_list(written: Written, name: str) -> list[str]:
    return [
        text(item) or "" for document in written.stream.documents
        for item in items(get(document.root, name))
    ]


def _generate(
    path: str, written: Written, placer: Placer, generated: list[model.ConfigMap],
    contents: dict[str, bytes],
) -> None:
    """Add the ConfigMaps the kustomization at ``path`` generates to ``generated``: one with
    ``behavior: replace`` replaces the ConfigMap of its name a base generated, ``merge`` adds
    its keys to it (``api/internal/accumulator`` / ``resmap.ResMap.AbsorbAll``:
    ``types.BehaviorReplace``, ``BehaviorMerge``)."""
    from dfmemlint.kubernetes.generators import generated as generate

    made = generate(path, written.stream, contents)
    placer.fix(made.places)
    placer.sources[path] = made.sources
    behaviors = {}
    for document in written.stream.documents:
        for entry in items(get(document.root, "configMapGenerator")):
            behaviors[text(get(entry, "name")) or ""] = text(get(entry, "behavior")) or "create"
    for config_map in made.config_maps:
        behavior = behaviors.get(config_map.name, "create")
        earlier = next(
            (number for number, other in enumerate(generated) if other.name == config_map.name),
            None,
        )
        if earlier is None or behavior == "create":
            generated.append(config_map)
        elif behavior == "replace":
            generated[earlier] = config_map
        else:
            generated[earlier] = config_map._replace(
                data={**generated[earlier].data, **config_map.data}
            )


def _apply(
    patch: Patch, path: str, resources: list[Resource], first: int, placer: Placer
) -> Applied:
    chosen: list[int] = []
    for number in range(first, len(resources)):
        root = resources[number].root
        if patch.target is not None:
            matched = patch.target.matches(root)
            if matched is None:
                return Applied(patch, path, (), "its target cannot be matched here")
        else:
            matched = any(_same_id(root, obj) for obj in patch.objects)
        if matched:
            chosen.append(number)
    if not chosen:
        return Applied(patch, path, (), "no resource read here matches its target")
    for number in chosen:
        resource = resources[number]
        if patch.operations:
            trial = placer.copy(resource.root)
            try:
                apply_operations(trial, patch.operations, placer.copy)
            except PatchError as error:
                return Applied(
                    patch, path, (), f"kustomize build fails on it: {error}", tuple(chosen)
                )
            merged: Node | None = trial
        else:
            merged = resource.root
            for obj in patch.objects:
                if merged is not None and (patch.target is not None or _same_id(merged, obj)):
                    merged = merge(merged, obj, placer.copy)
        if not isinstance(merged, MappingNode):
            return Applied(patch, path, (), "it deletes its target", tuple(chosen))
        resources[number] = resource._replace(root=merged)
    return Applied(patch, path, tuple(chosen), None)


def _reads_any(pod: model.PodTemplate, names: set[str]) -> bool:
    """Whether a container of ``pod`` reads one of the ConfigMaps ``names``."""
    for spec in pod.containers:
        refs = [get(source, "configMapRef") for source in spec.env_from]
        refs.extend(get(entry.value_from, "configMapKeyRef") for entry in spec.env)
        if any(text(get(ref, "name")) in names for ref in refs if ref is not None):
            return True
    return False


def build(
    path: str, files: Files, definers: list[model.Manifest], namespace: str | None = None,
    *, everything: bool = False,
) -> Build | None:
    """The kustomization at ``path`` built; None when it cannot be read. ``definers``: the
    run's other manifests that define ConfigMaps; ``namespace``: the request's namespace;
    ``everything``: resolve every workload of the build (``dfmemlint alerts``), not only those
    a patch changes or that read a generated ConfigMap."""
    placer = Placer(files.path)
    resources: list[Resource] = []
    applied: list[Applied] = []
    generated: list[model.ConfigMap] = []
    kustomization = _collect(path, files, placer, resources, applied, (), generated)
    if kustomization is None:
        return None
    patched = sorted({number for item in applied for number in item.targets})
    names = {config_map.name for config_map in generated}
    pods: list[model.PodTemplate] = []
    config_maps: list[model.ConfigMap] = list(generated)
    for number, resource in enumerate(resources):
        read_here = model.read_objects(
            resource.written.path, resource.written.stream,
            [(resource.document, resource.root)], placer,
        )
        moved = resource.namespace
        config_maps.extend(
            item if moved is None else item._replace(namespace=moved)
            for item in read_here.config_maps
        )
        pods.extend(
            pod._replace(workload=pod.workload._replace(
                path=resource.written.path,
                namespace=pod.workload.namespace if moved is None else moved,
                name=resource.prefix + pod.workload.name + resource.suffix,
            ))
            for pod in read_here.pods
            if everything or number in patched or (names and _reads_any(pod, names))
        )
    manifest = model.Manifest(
        files.path, files.stream, tuple(pods), tuple(config_maps), len(resources), placer
    )
    # A generated ConfigMap's references are rewritten to its hashed name: another file's
    # ConfigMap of the generator's name is not the one the build's workloads read.
    others = [
        other._replace(config_maps=tuple(
            item for item in other.config_maps if item.name not in names
        ))
        for other in definers
    ] if names else definers
    table = ConfigMapTable([manifest, *others], namespace)
    resolved = [resolve(manifest, pod, spec, table) for pod in pods for spec in pod.containers]
    return Build(kustomization, resources, applied, manifest, resolved, placer)
