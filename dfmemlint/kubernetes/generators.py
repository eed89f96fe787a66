"""The ConfigMaps a kustomization's ``configMapGenerator`` makes, with each value placed where
it is written, so that a container that reads one (``envFrom``, ``configMapKeyRef``) is judged
on the value and reported there.

kustomize (``api/kv/kv.go``, ``loader.Load``) gathers a generator's pairs in this order:

* ``envs`` (and the older ``env``): each file's lines (``keyValuesFromLines``, a
  ``bufio.Scanner``: a trailing ``\\r`` is dropped, a byte order mark on the first line too),
  leading white space trimmed, empty lines and lines starting with ``#`` skipped, then split at
  the first ``=``: the key is validated as an environment variable name (else the build fails)
  and the value is the rest of the line exactly, with no quote removal and no inline comment
  (``GOMEMLIMIT=400MiB # soft limit`` is that whole text); a line without ``=`` is the key with
  an empty value;
* ``literals``: ``KEY=VALUE`` split at the first ``=`` (``parseLiteralSource``; a missing or
  leading ``=`` fails the build), the value's matching surrounding quotes removed
  (``removeQuotes``);
* ``files``: ``KEY=PATH`` or ``PATH`` (the key is the file's base name:
  ``generators.ParseFileSource`` in ``api/internal/generators/utils.go``), the value the whole
  file. Such a value is placed at the kustomization's entry, which no edit replaces.

The ConfigMap is named as the generator (``name``); kustomize appends a hash of its data unless
``options.disableNameSuffixHash`` says not to, and rewrites the references of the objects it
builds with it to the new name (``api/filters/nameref/nameref.go``, ``Filter.selectReferral``:
the ConfigMap whose earlier names include the name written (``previousNameMatches``), in the
referrer's namespace (``sameCurrentNamespaceAsReferrer``)), so those objects name the
generator's name: that is the name matched here, with the namespace. Its namespace is the
generator's ``namespace``, else the kustomization's. A generator kustomize would fail on (a bad
key, an unreadable file, a duplicate key) makes no ConfigMap here.
"""

from __future__ import annotations

import os
import re

from dfmemlint.containers import Container, Place
from dfmemlint.kubernetes import model
from dfmemlint.kubernetes.kustomization import join, read_file
from dfmemlint.records import Record
from dfmemlint.rules.values import ValueProblem
from dfmemlint.yamlsource.reader import (
    MappingNode,
    Node,
    ScalarNode,
    YamlStream,
    get,
    items,
    text,
)

_STR_TAG = "tag:yaml.org,2002:str"
# apimachinery validation.IsEnvVarName (kustomize's validator for env file keys)
_ENV_VAR_NAME = re.compile(r"[-._a-zA-Z][-._a-zA-Z0-9]*")


class Generated(Record):
    """The ConfigMaps of one kustomization's generators."""

    config_maps: tuple[model.ConfigMap, ...]
    places: dict[int, Place]  # id of each value (and key) node made here -> where it is written
    # Each env file a generator reads -> where the kustomization names it.
    sources: dict[str, Place]


class _Failed(Exception):
    """kustomize would fail on this generator."""


class _Pairs:
    def __init__(self, entry: Node) -> None:
        self.data: dict[str, tuple[ScalarNode, ScalarNode]] = {}
        self.places: dict[int, Place] = {}
        self._marks = (entry.start_mark, entry.end_mark)  # the generator's, for any reader

    def add(self, key: str, value: str, at: Place) -> None:
        if key in self.data:  # "cannot add key …, another key by that name already exists"
            raise _Failed(key)
        key_node = ScalarNode(_STR_TAG, key, *self._marks)
        value_node = ScalarNode(_STR_TAG, value, *self._marks, style='"')
        self.places[id(key_node)] = at._replace(editable=False)
        self.places[id(value_node)] = at
        self.data[key] = (key_node, value_node)


def _env_file(pairs: _Pairs, path: str, contents: dict[str, bytes]) -> None:
    data = contents.get(os.path.abspath(path)) or read_file(path)
    if data is None:
        raise _Failed(path)
    offset = 0
    for number, raw in enumerate(data.split(b"\n")):
        start = offset
        offset += len(raw) + 1
        line = raw[:-1] if raw.endswith(b"\r") else raw
        if number == 0 and line.startswith(b"\xef\xbb\xbf"):
            line, start = line[3:], start + 3
        stripped = line.lstrip(b" \t\v\f\r")
        start += len(line) - len(stripped)
        if not stripped or stripped.startswith(b"#"):
            continue
        try:
            decoded = stripped.decode("utf-8")
        except UnicodeDecodeError:
            raise _Failed(path) from None
        key, equals, value = decoded.partition("=")
        if _ENV_VAR_NAME.fullmatch(key) is None:
            raise _Failed(key)
        value_start = start + len(key) + len(equals)
        pairs.add(key, value, Place(path, value_start, start + len(stripped), True))


def _literal(pairs: _Pairs, path: str, stream: YamlStream, node: Node) -> None:
    source = text(node)
    if not isinstance(node, ScalarNode) or source is None:
        raise _Failed("literal")
    key, equals, value = source.partition("=")
    if not key or not equals:
        raise _Failed(source)
    quoted = len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'"
    if quoted:
        value = value[1:-1]
    start, end, exact = stream.value_span(node)
    if exact and "\n" not in source:
        begin = start + len(key.encode()) + 1 + quoted
        at = Place(path, begin, begin + len(value.encode()), True)
    else:
        at = Place(path, start, end, False)
    pairs.add(key, value, at)


def _file(pairs: _Pairs, path: str, stream: YamlStream, node: Node) -> None:
    source = text(node) or ""
    if source.count("=") > 1 or source.startswith("=") or source.endswith("="):
        raise _Failed(source)
    key, _, name = source.rpartition("=")
    data = read_file(join(path, name))
    if data is None:
        raise _Failed(name)
    start, end = stream.span(node)
    pairs.add(key or os.path.basename(name), data.decode("utf-8", "replace"),
              Place(path, start, end, False))


def generated(
    path: str, stream: YamlStream, contents: dict[str, bytes] | None = None
) -> Generated:
    """The ConfigMaps the kustomization ``stream`` (the file ``path``) generates; its ``envs``
    and ``files`` are read from disk, relative to its directory, except the env files
    ``contents`` gives the bytes of (by absolute path: a file being linted)."""
    found: list[model.ConfigMap] = []
    places: dict[int, Place] = {}
    sources: dict[str, Place] = {}
    for document in stream.documents:
        root = document.root
        namespace = text(get(root, "namespace"))
        for entry in items(get(root, "configMapGenerator")):
            name = text(get(entry, "name"))
            if not isinstance(entry, MappingNode) or not name:
                continue
            pairs = _Pairs(entry)
            try:
                named = [get(entry, "env"), *items(get(entry, "envs"))]
                for item in named:
                    if text(item) is None or item is None:
                        continue
                    env_path = join(path, text(item) or "")
                    _env_file(pairs, env_path, contents or {})
                    start, end = stream.span(item)
                    sources.setdefault(env_path, Place(path, start, end, False))
                for item in items(get(entry, "literals")):
                    _literal(pairs, path, stream, item)
                for item in items(get(entry, "files")):
                    _file(pairs, path, stream, item)
            except _Failed:
                continue
            places.update(pairs.places)
            found.append(model.ConfigMap(
                name, text(get(entry, "namespace")) or namespace, pairs.data, document,
            ))
    return Generated(tuple(found), places, sources)


def relocated(problem: ValueProblem, sources: dict[str, Place]) -> ValueProblem:
    """``problem`` about a value an env file of ``sources`` writes, moved to where the
    kustomization names that file, without a fix (the value is in the env file, which a run
    over a directory does not lint), naming the file and line."""
    env_path = problem.place.path
    at = sources.get(env_path)
    if at is None:
        return problem
    data = read_file(env_path) or b""
    line = data[: problem.place.start].count(b"\n") + 1
    return problem._replace(
        place=at, fix=None,
        message=f"{problem.message} The value is written in {env_path}, line {line}.",
    )


class GeneratedPlacer:
    """Where a node of a kustomization's manifest is written: a generated value where
    :func:`generated` found it, any other node in the kustomization itself."""

    def __init__(
        self, path: str, stream: YamlStream, places: dict[int, Place],
        sources: dict[str, Place] | None = None,
    ) -> None:
        self._path = path
        self._stream = stream
        self._places = places
        self.sources = sources or {}

    def relocate(self, problem: ValueProblem) -> ValueProblem:
        """:func:`relocated` with this kustomization's env files."""
        return relocated(problem, self.sources)

    def __call__(self, node: Node) -> Place:
        found = self._places.get(id(node))
        if found is not None:
            return found
        if isinstance(node, ScalarNode):
            start, end, exact = self._stream.value_span(node)
            return Place(self._path, start, end, exact)
        start, end = self._stream.span(node)
        return Place(self._path, start, end, False)


def with_generated(manifest: model.Manifest) -> model.Manifest:
    """``manifest`` (a kustomization) with the ConfigMaps its generators make."""
    made = generated(manifest.path, manifest.stream)
    if not made.config_maps:
        return manifest
    return manifest._replace(
        config_maps=(*manifest.config_maps, *made.config_maps),
        placer=GeneratedPlacer(manifest.path, manifest.stream, made.places, made.sources),
    )


def env_file_problems(
    path: str, data: bytes, ratio: float
) -> tuple[bool, list[tuple[ValueProblem, Container]]]:
    """Whether a kustomization reads the env file ``path`` (with bytes ``data``), and the
    problems of the values it writes, for every container that reads them through a
    ``configMapGenerator`` of a kustomization in its directory or above it that names the file
    in ``envs``: each kustomization built (:func:`dfmemlint.kubernetes.kustomize_build.build`)
    with these bytes."""
    from dfmemlint.kubernetes.kustomization import above
    from dfmemlint.kubernetes.kustomize_build import Files, build
    from dfmemlint.rules import values
    from dfmemlint.yamlsource.reader import read_stream

    target = os.path.abspath(path)
    reads = False
    found: list[tuple[ValueProblem, Container]] = []
    for candidate in above(path):
        raw = read_file(candidate)
        stream = None if raw is None else read_stream(raw)
        if stream is None or stream.error is not None:
            continue
        if target not in {os.path.abspath(name) for name in generated(candidate, stream).sources}:
            continue
        reads = True
        files = Files(candidate, stream)
        files.contents[target] = data
        done = build(candidate, files, [])
        for item in [] if done is None else done.resolved:
            found.extend(
                (problem, item.settings.container)
                for problem in values.check(item.settings, ratio)
                if os.path.abspath(problem.place.path) == target
            )
    return reads, found
