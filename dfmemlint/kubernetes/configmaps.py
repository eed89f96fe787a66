"""The ConfigMaps of a run's manifests, across files: what a container's ``envFrom`` and
``configMapKeyRef`` read when the ConfigMap is written in another linted file.

The kubelet reads a ConfigMap from the pod's own namespace (``makeEnvironmentVariables`` in
``pkg/kubelet/kubelet_pods.go``: ``kl.configMapManager.GetConfigMap(pod.Namespace, name)``), so
a ConfigMap is matched by name and namespace. An object whose manifest gives no namespace is
created in the client's namespace, ``default`` unless the kubeconfig context names another
(client-go ``tools/clientcmd/client_config.go``, ``DirectClientConfig.Namespace`` returns
``NamespaceDefault``, apimachinery ``pkg/apis/meta/v1/types.go``): an unset namespace is read as
``default``. A ConfigMap written more than once (two files, or twice in one) with different
values for a key has no knowable value for that key (whichever was applied last wins): it is
reported as unknown, never guessed.

:class:`ManifestIndex` is built once per run from the manifest files named or found; the
Kubernetes engine receives it through ``LintOptions.manifests``. Finding the files that can take
part costs one regular-expression search of their bytes (a file that neither mentions
``ConfigMap`` nor ``configMapRef``/``configMapKeyRef`` is never parsed by the index), and a file
is parsed at most once: the engine reuses the index's parse when it lints the same bytes.
Standard input is not part of the index: it is linted on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple

from dfmemlint.containers import Place

if TYPE_CHECKING:  # the YAML reader is imported only when a manifest is read
    from dfmemlint.kubernetes import model

DEFAULT_NAMESPACE = "default"
_DEFINES = re.compile(rb"\bConfigMap\b")
_REFERS = re.compile(rb"\bconfigMap(?:Key)?Ref\b")


def namespace_of(namespace: str | None) -> str:
    """The namespace an object is created in: its own, else ``default``."""
    return namespace or DEFAULT_NAMESPACE


class ConfigMapValue(NamedTuple):
    """One key's value (the string the kubelet puts in the environment) and where it is
    written (inside its quotes, in the file that defines the ConfigMap)."""

    value: str
    place: Place


class Lookup(NamedTuple):
    """A ConfigMap as a pod in one namespace reads it, over every definition in the run."""

    values: dict[str, ConfigMapValue]  # the keys every definition gives the same value
    disputed: frozenset[str]  # keys whose value differs between definitions (or is missing)
    definitions: int


class ConfigMapTable:
    """Every ConfigMap of some manifests, by (name, namespace). The first manifest's
    definitions are preferred as the place of a value that several definitions agree on
    (the file being linted, so its own copy is the one reported and fixed there)."""

    def __init__(self, manifests: Sequence[model.Manifest]) -> None:
        self.manifests = tuple(manifests)
        self._by_name: dict[tuple[str, str], list[tuple[model.Manifest, model.ConfigMap]]] = {}
        for manifest in self.manifests:
            for config_map in manifest.config_maps:
                key = (config_map.name, namespace_of(config_map.namespace))
                self._by_name.setdefault(key, []).append((manifest, config_map))

    def lookup(self, name: str, namespace: str | None) -> Lookup | None:
        """The ConfigMap ``name`` that a pod in ``namespace`` (None: ``default``) reads; None
        when no linted file defines it there."""
        found = self._by_name.get((name, namespace_of(namespace)))
        if not found:
            return None
        keys = {key for _manifest, config_map in found for key in config_map.data}
        values: dict[str, ConfigMapValue] = {}
        disputed: set[str] = set()
        for key in keys:
            written = {
                None if key not in config_map.data else str(config_map.data[key][1].value)
                for _manifest, config_map in found
            }
            if len(written) != 1:
                disputed.add(key)
                continue
            manifest, config_map = next((m, c) for m, c in found if key in c.data)
            node = config_map.data[key][1]
            start, end, exact = manifest.stream.value_span(node)
            values[key] = ConfigMapValue(
                str(node.value), Place(manifest.path, start, end, exact)
            )
        return Lookup(values, frozenset(disputed), len(found))


def disputed_note(name: str, key: str, definitions: int) -> str:
    return f"ConfigMap {name} key {key} (defined {definitions} times with different values)"


class ManifestIndex:
    """The manifest files of one run that can share ConfigMaps: those whose bytes mention a
    ConfigMap (candidates to define one) or a ``configMapRef``/``configMapKeyRef`` (candidates
    to read one). Each is parsed at most once, when first needed."""

    def __init__(self, files: Iterable[tuple[str, bytes]]) -> None:
        self._data: dict[str, bytes] = {}
        self._defines: list[str] = []
        self._refers: list[str] = []
        self._parsed: dict[str, model.Manifest | None] = {}
        for path, data in files:
            defines = _DEFINES.search(data) is not None
            refers = _REFERS.search(data) is not None
            if not (defines or refers) or path in self._data:
                continue
            self._data[path] = data
            if defines:
                self._defines.append(path)
            if refers:
                self._refers.append(path)

    @property
    def paths(self) -> tuple[str, ...]:
        """The files that take part, in run order."""
        return tuple(self._data)

    def _manifest(self, path: str) -> model.Manifest | None:
        if path not in self._parsed:
            from dfmemlint.kubernetes import model
            from dfmemlint.kubernetes.lint import is_chart_template
            from dfmemlint.yamlsource.reader import read_stream

            data = self._data[path]
            manifest = None
            if not is_chart_template(data):
                stream = read_stream(data)
                if stream.error is None:
                    manifest = model.read(path, stream)
            self._parsed[path] = manifest
        return self._parsed[path]

    def reuse(self, path: str, data: bytes) -> model.Manifest | None:
        """The index's parse of ``path`` when ``data`` is what it read (a fix changes it)."""
        known = self._data.get(path)
        if known is None or (known is not data and known != data):
            return None
        return self._manifest(path)

    def definers(self, besides: str) -> list[model.Manifest]:
        """The other files' manifests that define ConfigMaps."""
        found = (self._manifest(path) for path in self._defines if path != besides)
        return [manifest for manifest in found if manifest is not None and manifest.config_maps]

    def consumers(self, besides: str) -> list[model.Manifest]:
        """The other files' manifests whose containers read ConfigMaps."""
        found = (self._manifest(path) for path in self._refers if path != besides)
        return [manifest for manifest in found if manifest is not None and manifest.pods]


def run_index(files: Iterable[tuple[str, bytes]]) -> ManifestIndex | None:
    """The index of a run's files (path as shown, bytes) that are Kubernetes manifests; None
    when fewer than two can take part (one file's ConfigMaps are read from its own parse)."""
    from dfmemlint.formats import Format, detect

    index = ManifestIndex(
        (path, data) for path, data in files if detect(path, data) is Format.KUBERNETES
    )
    return index if len(index.paths) > 1 else None
