"""The ConfigMaps of a run's manifests, across files: what a container's ``envFrom`` and
``configMapKeyRef`` read when the ConfigMap is written in another linted file.

The kubelet reads a ConfigMap from the pod's own namespace (``makeEnvironmentVariables`` in
``pkg/kubelet/kubelet_pods.go``: ``kl.configMapManager.GetConfigMap(pod.Namespace, name)``), so
a ConfigMap is matched by name and namespace.

An object whose manifest gives no namespace takes the namespace of the request that creates it,
which is not in the files: ``kubectl apply`` builds its objects with
``NamespaceParam(o.Namespace).DefaultNamespace()`` (kubernetes/kubectl ``pkg/cmd/apply/apply.go``,
``ApplyOptions.GetObjects``), and cli-runtime's ``DefaultNamespace`` "set[s] the namespace value
for any object found to NamespaceParam() if empty" (``pkg/resource/builder.go``); that is
``-n``, else the kubeconfig context's namespace, else ``default``. With ``-n X``,
``FilenameParam(o.EnforceNamespace, …)`` adds ``RequireNamespace``: an object that names another
namespace is an error ("the namespace from the provided object … does not match the namespace",
``RequireNamespace`` in ``pkg/resource/visitor.go``). Helm builds a release's objects the same
way without the check (helm/helm ``pkg/kube/client.go``, ``buildResourceList``:
``NamespaceParam(namespace).DefaultNamespace()``, the namespace being ``-n``, else the
context's): so ``helm install -n X`` puts a chart's ConfigMap that names no namespace in X, beside
a Deployment whose template writes ``namespace: {{ .Release.Namespace }}``.

So a ConfigMap and a pod are in the same namespace when both name the same one, when neither
names one (one request), or when one of them names X and the other none (a request in X:
``-n X``); two different namespaces that the files write never meet. A consumer may thus read
several definitions of a name (an unnamespaced one and one in its own namespace, or, with no
namespace of its own, one per namespace): when they agree on a key's value it is known, and
every copy is reported and fixed alike (they stay the same); when they differ (a base and an
overlay, or two namespaces the pod may be in) the value is reported as unknown, never guessed.
``dfmemlint alerts --namespace X`` names the request's namespace: then an unset namespace is X.

:class:`ManifestIndex` is built once per run from the manifest files named or found; the
Kubernetes engine receives it through ``LintOptions.manifests``. Finding the files that can take
part costs one regular-expression search of their bytes (a file that mentions none of
``ConfigMap``, ``configMapGenerator`` (a kustomization's generated ConfigMaps:
:mod:`dfmemlint.kubernetes.generators`), ``configMapRef`` and ``configMapKeyRef`` is never
parsed by the index), and a file
is parsed at most once: the engine reuses the index's parse when it lints the same bytes.
Standard input is not part of the index: it is linted on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from dfmemlint.containers import Place
from dfmemlint.records import Record

if TYPE_CHECKING:  # the YAML reader is imported only when a manifest is read
    from dfmemlint.kubernetes import model
    from dfmemlint.yamlsource.reader import ScalarNode

_DEFINES = re.compile(rb"\bConfigMap\b|\bconfigMapGenerator\b")
_REFERS = re.compile(rb"\bconfigMap(?:Key)?Ref\b")


def same_namespace(first: str | None, second: str | None) -> bool:
    """Whether two objects whose manifests name namespaces ``first`` and ``second`` (None: no
    namespace, the request's) can be in the same namespace: the same name, or either unset (a
    request in the other's namespace puts it there). Two namespaces the files write differ."""
    return first is None or second is None or first == second


class ConfigMapValue(Record):
    """One key's value (the string the kubelet puts in the environment) and where it is
    written (inside its quotes, in the file that defines the ConfigMap): the copy of the first
    definition that has it."""

    value: str
    place: Place


class Lookup(Record):
    """A ConfigMap as a pod in one namespace reads it, over every definition in the run that
    can be in that namespace."""

    values: dict[str, ConfigMapValue]  # the keys every definition gives the same value
    disputed: frozenset[str]  # keys whose value differs between definitions (or is missing)
    definitions: int
    namespaces: tuple[str | None, ...] = ()  # each definition's namespace (None: unset)


class ConfigMapTable:
    """Every ConfigMap of some manifests, by name. The first manifest's definitions are
    preferred as the place of a value that several definitions agree on (the file being
    linted, so its own copy is the one reported first there); :meth:`copies` gives the places
    of the other copies, so that every copy is reported and fixed alike.

    ``namespace`` is the namespace of the request (``alerts --namespace``), when known: an
    object without one is then in it. Unknown (None), an object without one can be in any."""

    def __init__(
        self, manifests: Sequence[model.Manifest], namespace: str | None = None
    ) -> None:
        self.manifests = tuple(manifests)
        self.namespace = namespace
        self._by_name: dict[str, list[tuple[model.Manifest, model.ConfigMap]]] = {}
        # (the reader's namespace, a value's first place) -> the places of its other copies
        self._copies: dict[tuple[str | None, Place], tuple[Place, ...]] = {}
        self._lookups: dict[tuple[str, str | None], Lookup | None] = {}  # each made once
        for manifest in self.manifests:
            for config_map in manifest.config_maps:
                self._by_name.setdefault(config_map.name, []).append((manifest, config_map))

    def lookup(self, name: str, namespace: str | None) -> Lookup | None:
        """The ConfigMap ``name`` that a pod in ``namespace`` (None: the request's) reads;
        None when no linted file defines it where the pod can be."""
        where = namespace or self.namespace
        if (name, where) not in self._lookups:
            self._lookups[(name, where)] = self._lookup(name, where)
        return self._lookups[(name, where)]

    def _lookup(self, name: str, where: str | None) -> Lookup | None:
        found = [
            (manifest, config_map)
            for manifest, config_map in self._by_name.get(name, ())
            if same_namespace(config_map.namespace or self.namespace, where)
        ]
        if not found:
            return None
        from dfmemlint.yamlsource.reader import text

        keys = {key for _manifest, config_map in found for key in config_map.data}
        values: dict[str, ConfigMapValue] = {}
        disputed: set[str] = set()
        for key in sorted(keys):
            written = {  # a null value (``GOGC: ~``) is the empty string
                None if key not in config_map.data else text(config_map.data[key][1]) or ""
                for _manifest, config_map in found
            }
            if len(written) != 1:
                disputed.add(key)
                continue
            places = [
                _value_place(manifest, config_map.data[key][1])
                for manifest, config_map in found
                if key in config_map.data
            ]
            if not all(place.editable for place in places):
                # One copy cannot be edited exactly: none is, or the fix would part them.
                places = [place._replace(editable=False) for place in places]
            first = places[0]
            (value,) = written
            assert value is not None  # every definition has the key
            values[key] = ConfigMapValue(value, first)
            if len(places) > 1:
                self._copies[(where, first)] = tuple(places[1:])
        namespaces = tuple(config_map.namespace for _manifest, config_map in found)
        return Lookup(values, frozenset(disputed), len(found), namespaces)

    def copies(self, place: Place, namespace: str | None) -> tuple[Place, ...]:
        """The other copies of the value at ``place`` (its first copy) that a pod in
        ``namespace`` reads with it: the same ConfigMap written again with the same value."""
        return self._copies.get((namespace or self.namespace, place), ())


def _value_place(manifest: model.Manifest, node: ScalarNode) -> Place:
    if manifest.placer is not None:  # built objects (kustomize): nodes of several files
        return manifest.placer(node)
    start, end, exact = manifest.stream.value_span(node)
    return Place(manifest.path, start, end, exact)


def disputed_note(name: str, key: str, found: Lookup) -> str:
    """Why a ConfigMap key's value is unknown: its definitions disagree."""
    note = f"ConfigMap {name} key {key} (defined {found.definitions} times with different values"
    spaces = set(found.namespaces)
    if len(spaces) > 1:
        shown = ", ".join(sorted(space or "none (the request's)" for space in spaces))
        note += f", in namespaces the pod may be in: {shown}"
    return note + ")"


class _Known(Record):
    data: bytes
    defines: bool
    refers: bool
    parsed: bool
    manifest: model.Manifest | None  # None: not parsed yet, or not a manifest


class ParseCache:
    """What the index knows of each file, by path, for the bytes it was found for: whether
    they mention ConfigMaps, and their parse. One index keeps its own; the language server,
    which builds an index for each lint of a manifest, keeps one across them, so that only a
    file whose bytes changed is searched and parsed again."""

    def __init__(self) -> None:
        self._known: dict[str, _Known] = {}

    def _entry(self, path: str, data: bytes) -> _Known:
        known = self._known.get(path)
        if known is None or (known.data is not data and known.data != data):
            defines = _DEFINES.search(data) is not None
            refers = _REFERS.search(data) is not None
            known = self._known[path] = _Known(data, defines, refers, False, None)
        return known

    def mentions(self, path: str, data: bytes) -> tuple[bool, bool]:
        """Whether ``data`` mentions a ConfigMap, and a ``configMapRef``/``configMapKeyRef``."""
        known = self._entry(path, data)
        return known.defines, known.refers

    def manifest(self, path: str, data: bytes) -> model.Manifest | None:
        """``data`` read as a manifest (None: a chart template, or not YAML)."""
        known = self._entry(path, data)
        if not known.parsed:
            from dfmemlint.kubernetes import model
            from dfmemlint.kubernetes.lint import is_chart_template
            from dfmemlint.yamlsource.reader import read_stream

            manifest = None
            if not is_chart_template(data):
                stream = read_stream(data)
                if stream.error is None:
                    manifest = model.read(path, stream)
            known = self._known[path] = known._replace(parsed=True, manifest=manifest)
        return known.manifest

    def forget(self, path: str) -> None:
        """Drop what is known of ``path`` (a file that is gone)."""
        self._known.pop(path, None)


class ManifestIndex:
    """The manifest files of one run that can share ConfigMaps: those whose bytes mention a
    ConfigMap (candidates to define one) or a ``configMapRef``/``configMapKeyRef`` (candidates
    to read one). Each is parsed at most once (in ``cache``, when given: across indexes), when
    first needed."""

    def __init__(
        self,
        files: Iterable[tuple[str, bytes]],
        namespace: str | None = None,
        cache: ParseCache | None = None,
    ) -> None:
        self.namespace = namespace  # the request's namespace, when known (ConfigMapTable)
        self._cache = cache if cache is not None else ParseCache()
        self._data: dict[str, bytes] = {}
        self._defines: list[str] = []
        self._refers: list[str] = []
        for path, data in files:
            defines, refers = self._cache.mentions(path, data)
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
        return self._cache.manifest(path, self._data[path])

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


def run_index(
    files: Iterable[tuple[str, bytes]], namespace: str | None = None
) -> ManifestIndex | None:
    """The index of a run's files (path as shown, bytes) that are Kubernetes manifests; None
    when fewer than two can take part (one file's ConfigMaps are read from its own parse)."""
    from dfmemlint.formats import Format, detect

    index = ManifestIndex(
        ((path, data) for path, data in files if detect(path, data) is Format.KUBERNETES),
        namespace,
    )
    return index if len(index.paths) > 1 else None
