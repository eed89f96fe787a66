"""Go settings that kustomize patches set: judged where the patch writes them.

kustomize reads a kustomization from a file named ``kustomization.yaml``, ``kustomization.yml``
or ``Kustomization`` (``RecognizedKustomizationFileNames`` in ``api/konfig/general.go``). Its
``patches`` (and the deprecated ``patchesJson6902`` and ``patchesStrategicMerge``, ``Kustomization``
in ``api/types/kustomization.go``) each give a patch inline (``patch:``) or in a file (``path:``).
``PatchTransformerPlugin.Config`` (``api/internal/builtins/PatchTransformer.go``) reads a patch
as a strategic-merge patch when it parses as Kubernetes objects, else as a JSON 6902 patch (YAML
turned into JSON by sigs.k8s.io/yaml, then ``jsonpatch.DecodePatch``).

What is judged, with the value rules (DFM004, DFM007, DFM008), at the exact position of each
value:

* a JSON 6902 ``add``/``replace`` whose ``path`` ends in ``…/env/-`` or ``…/env/N`` (one env
  entry), ``…/env`` (the whole list), ``…/containers/-``/``…/containers/N`` (one container) or
  ``…/containers`` (the list), in a kustomization's inline patch or in a patch file (a YAML list
  of operations, found by the directory walk like a manifest);
* a strategic-merge patch inline in a kustomization (a patch file is a manifest: it is linted
  as one).

A patch that sets one env entry leaves the others of the base: the container's other variables
are unknown, so GOGC=off there is not reported (DFM008 needs the whole environment, as an ``add``
or ``replace`` of the ``env`` list or of the container gives). An inline patch is read from a
literal block (``patch: |``); other scalar styles are left alone, as are values a patch sets by
an ``…/env/N/value`` path (which variable that is depends on the base).
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Iterator
from typing import NamedTuple

from dfmemlint.containers import (
    Container,
    ContainerSettings,
    GoSetting,
    MemoryLimit,
    Place,
    Workload,
)
from dfmemlint.kubernetes.environment import TRACKED, usable_limit
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
    scalar_style,
    text,
)

PATCH_FIELDS = ("patches", "patchesJson6902", "patchesStrategicMerge")
_CONTAINER_LISTS = ("containers", "initContainers")
UNKNOWN_BASE = "the rest of the patched container's environment (kustomize patch)"


class _Embedded(NamedTuple):
    """A YAML text written in a literal block of another file, and the way back."""

    stream: YamlStream
    inner_starts: list[int]  # byte offset of each line in the embedded text
    outer_starts: list[int]  # byte offset of the same line's first content byte in the file


def _embedded(outer: YamlStream, node: ScalarNode) -> _Embedded | None:
    """The literal block ``node`` (``patch: |``) as a YAML stream with a map to the file."""
    if scalar_style(node) != "|":
        return None
    start, end = outer.span(node)
    data = outer.data
    header_end = data.find(b"\n", start)
    if header_end < 0 or header_end >= end or re.search(rb"[0-9]", data[start:header_end]):
        return None  # an explicit indentation indicator: not read here
    lines: list[tuple[int, bytes]] = []
    at = header_end + 1
    while at < end:
        stop = data.find(b"\n", at, end)
        stop = end if stop < 0 else stop + 1
        lines.append((at, data[at:stop]))
        at = stop
    indent = next(
        (len(line) - len(line.lstrip(b" ")) for _, line in lines if line.strip()), None
    )
    if indent is None:
        return None
    parts: list[bytes] = []
    inner_starts: list[int] = []
    outer_starts: list[int] = []
    size = 0
    for offset, line in lines:
        cut = min(indent, len(line) - len(line.lstrip(b" ")))
        inner_starts.append(size)
        outer_starts.append(offset + cut)
        parts.append(line[cut:])
        size += len(line) - cut
    inner = read_stream(b"".join(parts))
    if inner.error is not None:
        return None
    return _Embedded(inner, inner_starts, outer_starts)


class _Source(NamedTuple):
    """Where a patch's nodes are written: the file itself, or a literal block in it."""

    path: str
    stream: YamlStream
    embedded: _Embedded | None

    def place(self, node: ScalarNode) -> Place:
        start, end, exact = self.stream.value_span(node)
        return self._outer(start, end, exact)

    def _outer(self, start: int, end: int, exact: bool) -> Place:
        if self.embedded is None:
            return Place(self.path, start, end, exact)
        line = bisect.bisect_right(self.embedded.inner_starts, start) - 1
        shift = self.embedded.outer_starts[line] - self.embedded.inner_starts[line]
        same_line = line + 1 >= len(self.embedded.inner_starts) or (
            end <= self.embedded.inner_starts[line + 1]
        )
        return Place(self.path, start + shift, end + shift, exact and same_line)


def _segments(pointer: str) -> list[str]:
    """A JSON pointer's reference tokens (RFC 6901: ``~1`` is ``/``, ``~0`` is ``~``)."""
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer.split("/")[1:]]


def _entry_settings(
    source: _Source, entries: list[Node], container: Container, origin: str
) -> dict[str, GoSetting]:
    settings: dict[str, GoSetting] = {}
    for entry in entries:
        name = text(get(entry, "name"))
        value = get(entry, "value")
        if name not in TRACKED or not isinstance(value, ScalarNode):
            continue
        settings[name] = GoSetting(
            name, str(value.value), origin, source.place(value), container
        )
    return settings


def _limit(source: _Source, container_node: Node) -> MemoryLimit | None:
    node = get_path(container_node, "resources", "limits", "memory")
    amount = usable_limit(node)
    if amount is None or not isinstance(node, ScalarNode):
        return None
    return MemoryLimit(amount, text(node) or "", "resources.limits.memory", source.place(node))


def _operation(
    source: _Source, operation: Node, workload: Workload
) -> Iterator[ContainerSettings]:
    """The containers one ``add``/``replace`` sets Go settings in."""
    op = text(get(operation, "op"))
    pointer = text(get(operation, "path"))
    value = get(operation, "value")
    if op not in ("add", "replace") or not pointer or value is None:
        return
    parts = _segments(pointer)
    origin = f"kustomize patch: {op} {pointer}"
    if len(parts) >= 2 and parts[-2] == "env" and (parts[-1] == "-" or parts[-1].isdigit()):
        where = "/".join(parts[-4:-2]) if len(parts) >= 4 else "container"
        container = Container(where, workload)
        settings = _entry_settings(source, [value], container, origin)
        if settings:
            yield ContainerSettings(container, None, settings, (UNKNOWN_BASE,))
        return
    if parts and parts[-1] == "env" and isinstance(value, SequenceNode):
        where = "/".join(parts[-3:-1]) if len(parts) >= 3 else "container"
        container = Container(where, workload)
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


def _target(path: str, patch_item: Node | None) -> Workload:
    """The patch's ``target`` (``Deployment/api``), else the patch file's name."""
    kind = text(get_path(patch_item, "target", "kind"))
    name = text(get_path(patch_item, "target", "name"))
    if kind is None and name is None:
        return Workload("kustomize patch", os.path.basename(path))
    return Workload(kind or "object", name or "*")


def _strategic_merge(source: _Source) -> Iterator[ContainerSettings]:
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


def _patch(source: _Source, patch_item: Node | None) -> Iterator[ContainerSettings]:
    workload = _target(source.path, patch_item)
    for document in source.stream.documents:
        root = document.root
        if isinstance(root, SequenceNode):
            for operation in items(root):
                yield from _operation(source, operation, workload)
            return
    yield from _strategic_merge(source)


def patch_settings(path: str, stream: YamlStream, kustomization: bool) -> list[ContainerSettings]:
    """The containers whose Go settings the patches of a file set: a kustomization's inline
    patches (``kustomization`` true, or a document of ``kind: Kustomization``), or a file of
    JSON 6902 operations."""
    found: list[ContainerSettings] = []
    for document in stream.documents:
        root = document.root
        if isinstance(root, SequenceNode) and not kustomization:
            found.extend(_patch(_Source(path, stream, None), None))
            break
        if not isinstance(root, MappingNode):
            continue
        if not kustomization and text(get(root, "kind")) != "Kustomization":
            continue
        for field in PATCH_FIELDS:
            for item in items(get(root, field)):
                node = item if field == "patchesStrategicMerge" else get(item, "patch")
                if not isinstance(node, ScalarNode):
                    continue
                embedded = _embedded(stream, node)
                if embedded is not None:
                    source = _Source(path, embedded.stream, embedded)
                    found.extend(_patch(source, item if isinstance(item, MappingNode) else None))
    return found
