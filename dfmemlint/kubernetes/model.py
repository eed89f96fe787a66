"""The workloads of a manifest stream: every pod template, its containers and ConfigMaps.

A pod template is found where the API puts one: a ``Pod``'s own ``spec``, a CronJob's
``spec.jobTemplate.spec.template.spec``, ``template.spec`` of a ``PodTemplate``, and
``spec.template.spec`` of anything else (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
ReplicationController, and custom resources that embed a standard pod template, such as an Argo
Rollout). ``kind: List`` (and ``…List``) objects are read item by item. Both ``containers`` and
``initContainers`` run Go programs; ephemeral containers are added by ``kubectl debug``, not
written in manifests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from dfmemlint.containers import Place, Workload
from dfmemlint.records import Record
from dfmemlint.yamlsource.reader import (
    Document,
    MappingNode,
    Node,
    ScalarNode,
    YamlStream,
    get,
    get_path,
    items,
    text,
)


class EnvEntry(Record):
    """One item of a container's ``env`` list."""

    name: str
    name_node: ScalarNode
    value: Node | None  # the ``value:`` node
    value_from: Node | None  # the ``valueFrom:`` node
    node: Node  # the whole item


class ContainerSpec(Record):
    name: str
    role: str  # "container" or "initContainer"
    node: MappingNode
    env: tuple[EnvEntry, ...]
    env_from: tuple[Node, ...]
    limit: Node | None  # resources.limits.memory
    request: Node | None  # resources.requests.memory
    command: Node | None = None  # the ``command`` list (replaces the image's ENTRYPOINT)
    args: Node | None = None  # the ``args`` list (replaces the image's CMD)


class PodTemplate(Record):
    workload: Workload
    spec: MappingNode
    containers: tuple[ContainerSpec, ...]
    pod_limit: Node | None  # pod-level spec.resources.limits.memory
    document: Document

    def container(self, name: str) -> ContainerSpec | None:
        for spec in self.containers:
            if spec.name == name:
                return spec
        return None


class ConfigMap(Record):
    name: str
    namespace: str | None
    data: dict[str, tuple[ScalarNode, ScalarNode]]  # key -> (key node, value node)
    document: Document


class Manifest(Record):
    path: str
    stream: YamlStream
    pods: tuple[PodTemplate, ...]
    config_maps: tuple[ConfigMap, ...]
    objects: int  # Kubernetes objects read (documents with apiVersion and kind, List items)
    # Where a node is written, for objects assembled from several files (kustomize's patched
    # workloads, dfmemlint.kubernetes.kustomize_build); None: every node is in ``stream``.
    placer: Callable[[Node], Place] | None = None


def _containers(spec: Node) -> tuple[ContainerSpec, ...]:
    found: list[ContainerSpec] = []
    for field, role in (("initContainers", "initContainer"), ("containers", "container")):
        for item in items(get(spec, field)):
            if not isinstance(item, MappingNode):
                continue
            env: list[EnvEntry] = []
            for entry in items(get(item, "env")):
                name_node = get(entry, "name")
                if not isinstance(name_node, ScalarNode):
                    continue
                env.append(
                    EnvEntry(
                        str(name_node.value), name_node, get(entry, "value"),
                        get(entry, "valueFrom"), entry,
                    )
                )
            resources = get(item, "resources")
            found.append(
                ContainerSpec(
                    name=text(get(item, "name")) or "",
                    role=role,
                    node=item,
                    env=tuple(env),
                    env_from=tuple(items(get(item, "envFrom"))),
                    limit=get_path(resources, "limits", "memory"),
                    request=get_path(resources, "requests", "memory"),
                    command=get(item, "command"),
                    args=get(item, "args"),
                )
            )
    return tuple(found)


def _pod_spec(kind: str, root: Node) -> Node | None:
    if kind == "Pod":
        return get(root, "spec")
    if kind == "CronJob":
        return get_path(root, "spec", "jobTemplate", "spec", "template", "spec")
    if kind == "PodTemplate":
        return get_path(root, "template", "spec")
    return get_path(root, "spec", "template", "spec")


def _objects(root: Node, depth: int = 0) -> list[tuple[str, MappingNode]]:
    """(kind, object) for a document's object and, for a List, its items."""
    if not isinstance(root, MappingNode):
        return []
    kind = text(get(root, "kind"))
    if kind is None or text(get(root, "apiVersion")) is None:
        return []
    found = [(kind, root)]
    if kind.endswith("List") and depth < 8:
        for item in items(get(root, "items")):
            found.extend(_objects(item, depth + 1))
    return found


def read(path: str, stream: YamlStream) -> Manifest:
    """The workloads and ConfigMaps of a stream; for a kustomization, also the ConfigMaps its
    ``configMapGenerator`` makes (:mod:`dfmemlint.kubernetes.generators`)."""
    manifest = read_objects(
        path, stream, ((document, document.root) for document in stream.documents)
    )
    if any(get(document.root, "configMapGenerator") is not None
           for document in stream.documents):
        from dfmemlint.kubernetes.generators import with_generated

        return with_generated(manifest)
    return manifest


def read_objects(
    path: str,
    stream: YamlStream,
    roots: Iterable[tuple[Document, Node]],
    placer: Callable[[Node], Place] | None = None,
) -> Manifest:
    """The workloads and ConfigMaps of object trees (each with the document it was read
    from), as :func:`read` finds them in a stream's documents."""
    pods: list[PodTemplate] = []
    config_maps: list[ConfigMap] = []
    count = 0
    for document, root in roots:
        for kind, obj in _objects(root):
            count += 1
            metadata = get(obj, "metadata")
            name = text(get(metadata, "name")) or ""
            namespace = text(get(metadata, "namespace"))
            if kind == "ConfigMap":
                data: dict[str, tuple[ScalarNode, ScalarNode]] = {}
                data_node = get(obj, "data")
                if isinstance(data_node, MappingNode):
                    for key, value in data_node.value:
                        if isinstance(key, ScalarNode) and isinstance(value, ScalarNode):
                            data[str(key.value)] = (key, value)
                config_maps.append(ConfigMap(name, namespace, data, document))
                continue
            spec = _pod_spec(kind, obj)
            if not isinstance(spec, MappingNode):
                continue
            containers = _containers(spec)
            if not containers:
                continue
            workload = Workload(kind, name, namespace, document.source)
            pods.append(
                PodTemplate(
                    workload, spec, containers,
                    get_path(spec, "resources", "limits", "memory"), document,
                )
            )
    return Manifest(path, stream, tuple(pods), tuple(config_maps), count, placer)
