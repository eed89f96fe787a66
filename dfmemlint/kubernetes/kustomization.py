"""A kustomization as ``kustomize build`` reads it: its resources and its patches, in order, each
patch with the file (or the literal block of the kustomization) it is written in.

* The file: ``kustomization.yaml``, ``kustomization.yml`` or ``Kustomization``
  (``RecognizedKustomizationFileNames`` in ``api/konfig/general.go``).
* ``resources`` (and the older ``bases``): each entry is read as a file, else as a directory
  holding a kustomization (``KustTarget.accumulateResources`` in
  ``api/internal/target/kusttarget.go``: ``accumulateFile``, then ``accumulateDirectory``).
  Paths are relative to the kustomization's directory; URLs and files that cannot be read
  here are left out (a patch aimed at what they hold finds no target).
* Patches, in the order kustomize's transformers run (``configureBuiltinTransformers`` in
  ``api/internal/target/kusttarget_configplugin.go``): ``patchesStrategicMerge``, then
  ``patches``, then ``patchesJson6902``. A ``patches`` entry gives the patch inline (``patch:``)
  or in a file (``path:``); ``PatchTransformerPlugin.Config``
  (``api/internal/builtins/PatchTransformer.go``) reads it as strategic-merge patches when it
  parses as Kubernetes objects, else as JSON 6902 operations. A ``patchesStrategicMerge``
  entry is patch text when it parses as objects, else a file path (``loadFromPaths`` in
  ``api/internal/builtins/PatchStrategicMergeTransformer.go``).
* A ``target`` is a ``types.Selector`` (``api/types/selector.go``): group, version, kind, name
  and namespace are regular expressions matched whole (``anchorRegex``: ``^(?:…)$``), an empty
  one matches anything; ``labelSelector``/``annotationSelector`` are label selector expressions
  (``resWrangler.Select`` in ``api/resmap/reswrangler.go``). Equality-based selectors
  (``a=b``, ``a==b``, ``a!=b``, ``a``, ``!a``) are matched here; a set-based one (``in``,
  ``notin``) or a pattern Python cannot compile leaves the target unknown.

An inline patch is read from a literal block (``patch: |``), whose positions map back to the
kustomization's bytes; a patch written in another scalar style has no such map and is not read.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Callable

from dfmemlint.containers import Place
from dfmemlint.formats import KUSTOMIZATION_NAMES
from dfmemlint.records import Record
from dfmemlint.yamlsource.reader import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    YamlStream,
    get,
    items,
    read_stream,
    scalar_style,
    text,
)

PATCH_FIELDS = ("patchesStrategicMerge", "patches", "patchesJson6902")  # kustomize's order
_SIZE_LIMIT = 1 << 22  # bytes of a resource or patch file read from disk


class Embedded(Record):
    """A YAML text written in a literal block of another file, and the way back."""

    stream: YamlStream
    inner_starts: list[int]  # byte offset of each line in the embedded text
    outer_starts: list[int]  # byte offset of the same line's first content byte in the file


def embedded(outer: YamlStream, node: ScalarNode) -> Embedded | None:
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
    return Embedded(inner, inner_starts, outer_starts)


class Written(Record):
    """Where nodes are written: a file (``path`` as shown), or a literal block in it."""

    path: str
    stream: YamlStream
    embedded: Embedded | None = None

    def place(self, node: Node) -> Place:
        """A scalar's value (inside its quotes); a mapping's or sequence's whole span, which
        is never edited."""
        if isinstance(node, ScalarNode):
            start, end, exact = self.stream.value_span(node)
        else:
            start, end = self.stream.span(node)
            exact = False
        if self.embedded is None:
            return Place(self.path, start, end, exact)
        inner, outer = self.embedded.inner_starts, self.embedded.outer_starts
        line = max(bisect.bisect_right(inner, start) - 1, 0)
        shift = outer[line] - inner[line]
        same_line = line + 1 >= len(inner) or end <= inner[line + 1]
        return Place(self.path, start + shift, end + shift, exact and same_line)


class Selector(Record):
    """A patch's ``target``: each field a whole-match pattern, empty for any."""

    group: str
    version: str
    kind: str
    name: str
    namespace: str
    labels: str
    annotations: str

    def describe(self) -> str:
        """``Deployment/api`` (``*`` for what the target leaves open)."""
        return f"{self.kind or '*'}/{self.name or '*'}"

    def matches(self, obj: Node) -> bool | None:
        """Whether kustomize selects ``obj``; None when this cannot tell."""
        api_version = text(get(obj, "apiVersion")) or ""
        group, _, version = api_version.rpartition("/")
        meta = get(obj, "metadata")
        fields = (
            (self.group, group), (self.version, version),
            (self.kind, text(get(obj, "kind")) or ""),
            (self.name, text(get(meta, "name")) or ""),
            (self.namespace, text(get(meta, "namespace")) or "default"),
        )
        try:
            for pattern, value in fields:
                if pattern and re.fullmatch(f"(?:{pattern})", value) is None:
                    return False
        except re.error:
            return None
        for expression, field in ((self.labels, "labels"), (self.annotations, "annotations")):
            found = _selector_matches(expression, get(meta, field))
            if found is not True:
                return found
        return True


_REQUIREMENT = re.compile(r"\s*(!?)\s*([^\s=!,]+)\s*(?:(==|=|!=)\s*([^\s,]*))?\s*")


def _selector_matches(expression: str, labels: Node | None) -> bool | None:
    """An equality-based label selector (apimachinery ``labels.Parse``) against a mapping."""
    if not expression.strip():
        return True
    have = {
        str(key.value): str(value.value)
        for key, value in (labels.value if isinstance(labels, MappingNode) else [])
        if isinstance(key, ScalarNode) and isinstance(value, ScalarNode)
    }
    for requirement in expression.split(","):
        found = _REQUIREMENT.fullmatch(requirement)
        if found is None or " in " in requirement or " notin " in requirement:
            return None
        negated, key, operator, wanted = found.groups()
        if operator is None:
            if (key in have) == bool(negated):
                return False
        elif negated:
            return None
        elif (have.get(key) == wanted) == (operator == "!="):
            return False
    return True


def selector(node: Node | None) -> Selector | None:
    if not isinstance(node, MappingNode):
        return None
    fields = ("group", "version", "kind", "name", "namespace", "labelSelector",
              "annotationSelector")
    return Selector(*(text(get(node, field)) or "" for field in fields))


class Patch(Record):
    """One patch of a kustomization, in the order kustomize applies them."""

    field: str  # patchesStrategicMerge, patches, patchesJson6902
    number: int  # its index in that field
    entry: Node  # the entry in the kustomization
    at: Place  # where that entry is written
    written: Written  # where the patch text is (a patch file, or a literal block)
    target: Selector | None
    operations: tuple[Node, ...]  # JSON 6902 operations (empty for a strategic-merge patch)
    objects: tuple[MappingNode, ...]  # strategic-merge patches (empty for JSON 6902)

    @property
    def kind(self) -> str:
        return "JSON 6902" if self.operations else "strategic merge"



class Kustomization(Record):
    path: str
    stream: YamlStream
    resources: tuple[str, ...]  # paths as written, joined to the kustomization's directory
    patches: tuple[Patch, ...]
    patch_files: tuple[str, ...]  # every file named as a patch, joined like the resources


Loader = Callable[[str], "Written | None"]


def _objects(stream: YamlStream) -> tuple[MappingNode, ...]:
    """The documents that are Kubernetes objects (strategic-merge patches)."""
    return tuple(
        document.root for document in stream.documents
        if isinstance(document.root, MappingNode) and text(get(document.root, "kind"))
    )


def _operations(stream: YamlStream) -> tuple[Node, ...]:
    for document in stream.documents:
        if isinstance(document.root, SequenceNode):
            return tuple(items(document.root))
    return ()


def _inline(kustomization: Written, node: Node | None) -> Written | None:
    if not isinstance(node, ScalarNode):
        return None
    found = embedded(kustomization.stream, node)
    if found is None:
        return None
    return Written(kustomization.path, found.stream, found)


def join(base: str, relative: str) -> str:
    """A path written in the kustomization at ``base``, as it is shown."""
    return os.path.normpath(os.path.join(os.path.dirname(base), relative))


def read(path: str, stream: YamlStream, load: Loader) -> Kustomization:
    """The kustomization in ``stream`` (the file ``path``); ``load`` reads a patch file."""
    root = next(
        (d.root for d in stream.documents if isinstance(d.root, MappingNode)), None
    )
    own = Written(path, stream)
    resources = tuple(
        join(path, name) for field in ("resources", "bases")
        for name in (text(entry) for entry in items(get(root, field)))
        if name and "://" not in name and not name.startswith(("github.com/", "git@"))
    )
    patches: list[Patch] = []
    files: list[str] = []
    for field in PATCH_FIELDS:
        for number, entry in enumerate(items(get(root, field))):
            if field == "patchesStrategicMerge":
                inline, file_name = _inline(own, entry), text(entry)
                target = None
            else:
                inline, file_name = _inline(own, get(entry, "patch")), text(get(entry, "path"))
                target = selector(get(entry, "target"))
            written = inline
            if written is None or not (_objects(written.stream) or _operations(written.stream)):
                if written is not None or not file_name or "\n" in file_name:
                    continue
                files.append(join(path, file_name))
                written = load(files[-1])
                if written is None:
                    continue
            objects = _objects(written.stream)
            operations = () if objects else _operations(written.stream)
            if objects or operations:
                patches.append(
                    Patch(
                        field, number, entry, own.place(entry), written, target, operations,
                        objects,
                    )
                )
    return Kustomization(path, stream, resources, tuple(patches), tuple(files))


def in_directory(directory: str) -> str | None:
    """The kustomization file of a directory, as kustomize looks for it."""
    for name in KUSTOMIZATION_NAMES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def above(path: str) -> list[str]:
    """The kustomization files in the directory of ``path`` and the directories above it (up
    to a repository's top, a directory holding ``.git``): the ones that may name ``path`` as a
    patch (kustomize loads files at or below the kustomization's directory by default,
    ``LoadRestrictionsRootOnly`` in ``api/types/loadrestrictions.go``)."""
    found: list[str] = []
    directory = os.path.dirname(os.path.abspath(path))
    for _depth in range(32):
        candidate = in_directory(directory)
        if candidate is not None and not _same(candidate, path):
            found.append(os.path.relpath(candidate) if not os.path.isabs(path) else candidate)
        parent = os.path.dirname(directory)
        if parent == directory or os.path.exists(os.path.join(directory, ".git")):
            break
        directory = parent
    return found


def _same(one: str, other: str) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


def read_file(path: str) -> bytes | None:
    """A resource or patch file's bytes; None when it cannot be read (or is no regular file,
    or is too big to be a manifest)."""
    try:
        with open(path, "rb") as handle:
            if not os.path.isfile(path) or os.fstat(handle.fileno()).st_size > _SIZE_LIMIT:
                return None
            return handle.read()
    except OSError:
        return None


