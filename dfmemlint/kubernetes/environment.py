"""What reaches a container's environment, as the kubelet computes it.

``makeEnvironmentVariables`` in ``pkg/kubelet/kubelet_pods.go`` (kubernetes/kubernetes): first
every ``envFrom`` source in order (a ConfigMap's ``data`` keys, each with the source's ``prefix``
prepended; a later source overwrites an earlier one), then every ``env`` entry in order, which
overwrites what ``envFrom`` set and what an earlier entry of the same name set (the last entry
wins). An entry whose ``value`` is not empty uses it (after ``$(VAR)`` expansion); otherwise its
``valueFrom`` is resolved: ``configMapKeyRef`` (the ConfigMap's ``data[key]``), ``secretKeyRef``
(not in the files: unknown here), ``fieldRef`` and ``resourceFieldRef``.

``resourceFieldRef`` is ``containerResourceRuntimeValue``: the named container's (``containerName``,
else this one's) resource, after ``defaultPodLimitsForDownwardAPI`` (``kubelet_resources.go``)
gave a container without a memory limit the pod-level limit (PodLevelResources), else the node's
allocatable memory; then ``convertResourceMemoryToString`` (``pkg/api/v1/resource/helpers.go``)
writes ``ceil(limit / divisor)`` as a bare number, and ``ExtractContainerResourceValue`` takes a
zero or missing divisor as 1.

ConfigMaps are looked up by name among every linted file's ConfigMaps that can be in the pod's
namespace (``configmaps.ConfigMapTable``: an unset namespace is the request's): a value from
one is placed where the ConfigMap holds it, which may be another file.

Then the command line: a GOMEMLIMIT or GOGC that the container's ``command``/``args`` set for the
program (``[env, GOMEMLIMIT=300MiB, /app]``, ``[sh, -c, "GOMEMLIMIT=300MiB exec /app"]``:
:mod:`dfmemlint.start_command`) is applied by the command itself, over the environment the
kubelet started it with, so it is the value the program sees (:func:`command_line`).
"""

from __future__ import annotations

import re
from fractions import Fraction

from dfmemlint.containers import (
    Container,
    ContainerSettings,
    GoSetting,
    MemoryLimit,
    Place,
)
from dfmemlint.kubernetes.configmaps import ConfigMapTable, disputed_note
from dfmemlint.kubernetes.model import ContainerSpec, EnvEntry, Manifest, PodTemplate
from dfmemlint.kubernetes.quantity import QuantityError, parse_quantity, value
from dfmemlint.records import Record
from dfmemlint.start_command import CommandSetting, Element, effective, exact_chars
from dfmemlint.start_command import read as read_command
from dfmemlint.yamlsource.reader import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    get,
    items,
    text,
)

TRACKED = ("GOMEMLIMIT", "GOGC")
MEMORY_RESOURCES = ("limits.memory", "requests.memory")


class Resolved(Record):
    """One container's environment, for the value rules and the Kubernetes rules."""

    settings: ContainerSettings
    spec: ContainerSpec
    pod: PodTemplate
    # Every env entry of a tracked variable, in order (more than one: a duplicate).
    entries: dict[str, list[EnvEntry]]
    # What ``env``/``envFrom`` set, before the command line: ``settings`` is this with the
    # command line's settings over it.
    environment: dict[str, GoSetting]
    # The settings the command line makes (the last of each variable), by variable.
    command: dict[str, CommandSetting]


def place(manifest: Manifest, node: Node) -> Place:
    """Where a scalar's value is written (inside its quotes), and whether it can be edited."""
    if manifest.placer is not None:
        return manifest.placer(node)
    if isinstance(node, ScalarNode):
        start, end, exact = manifest.stream.value_span(node)
        return Place(manifest.path, start, end, exact)
    start, end = manifest.stream.span(node)
    return Place(manifest.path, start, end, False)


def memory_amount(node: Node | None) -> Fraction | None:
    """A ``memory:`` quantity in bytes (exact), or None when absent or not a quantity."""
    raw = text(node)
    if raw is None:
        return None
    try:
        return parse_quantity(raw.strip())
    except QuantityError:
        return None


def usable_limit(node: Node | None) -> int | None:
    """A memory limit in whole bytes; None when absent, zero (the kubelet treats a zero limit
    as none), not a quantity, or not a whole number of bytes (``512m``: DFM013 reports it)."""
    amount = memory_amount(node)
    if amount is None or amount <= 0 or amount.denominator != 1:
        return None
    return amount.numerator


def container_limit(
    manifest: Manifest, pod: PodTemplate, spec: ContainerSpec
) -> MemoryLimit | None:
    """The memory limit the container runs with: its own, else the pod-level one."""
    for node, field in (
        (spec.limit, "resources.limits.memory"),
        (pod.pod_limit, "pod-level spec.resources.limits.memory"),
    ):
        amount = usable_limit(node)
        if amount is not None and node is not None:
            return MemoryLimit(amount, text(node) or "", field, place(manifest, node))
    return None


def _resource_field(
    manifest: Manifest, pod: PodTemplate, spec: ContainerSpec, entry: EnvEntry, ref: Node
) -> GoSetting:
    resource_node = get(ref, "resource")
    resource = (text(resource_node) or "").strip()
    target_name = text(get(ref, "containerName"))
    target = spec if not target_name else pod.container(target_name) or spec
    at = resource_node if resource_node is not None else ref
    divisor_amount = memory_amount(get(ref, "divisor"))
    # A zero or missing divisor is 1; a fractional one (512m) rounds up as Value() does.
    divisor = 1 if not divisor_amount else max(value(divisor_amount), 1)
    origin = f"resourceFieldRef {resource}"
    if target is not spec:
        origin += f" of container {target.name!r}"
    container = Container(spec.name, pod.workload, spec.role)
    if resource not in MEMORY_RESOURCES:
        return GoSetting(entry.name, None, origin, place(manifest, at), container)
    if resource == "limits.memory":
        limit = container_limit(manifest, pod, target)
        amount = None if limit is None else limit.bytes
    else:
        amount = usable_limit(target.request)
        if amount is None:  # API defaulting copies a limit into a missing request
            limit = container_limit(manifest, pod, target)
            amount = None if limit is None else limit.bytes
    runtime = None if amount is None else str(-(-amount // divisor))
    return GoSetting(
        entry.name, runtime, origin, place(manifest, at), container,
        divisor=divisor, from_limit=resource == "limits.memory",
    )


class Scope(Record):
    """What the environment holds when an env entry is expanded: each variable ``envFrom`` and
    the earlier entries set (None: its value is not known from the files), and whether a source
    the files do not show (a Secret's ``envFrom``, a ConfigMap not linted) may set any name."""

    variables: dict[str, GoSetting | None]
    open_ended: bool


def _expanded(
    manifest: Manifest, entry: EnvEntry, literal: Node, raw: str, container: Container,
    scope: Scope,
) -> GoSetting:
    """The setting of an env value with ``$`` in it, after the kubelet's expansion
    (:mod:`dfmemlint.kubernetes.expansion`). A value that is one reference to a known variable
    is placed where that variable's value is written; any other is placed at the literal, which
    an edit may not replace (it is not the value)."""
    from dfmemlint.kubernetes.expansion import expand

    values = {name: None if found is None else found.value
              for name, found in scope.variables.items()}
    expansion = expand(raw, values, open_ended=scope.open_ended)
    if "${" in raw:
        # Text the kubelet leaves alone, but that a tool may substitute before the manifest is
        # applied (envsubst, Flux's postBuild): not judged.
        return GoSetting(entry.name, None, "env value with ${VAR} (substituted before apply?)",
                         place(manifest, literal), container)
    if expansion.value == raw and not expansion.references:  # a ``$`` the kubelet keeps
        return GoSetting(entry.name, raw, "env value", place(manifest, literal), container)
    at = place(manifest, literal)._replace(editable=False)
    if expansion.value is None:
        return GoSetting(entry.name, None, "env value with $(VAR) references", at, container)
    referenced = scope.variables.get(expansion.alone or "")
    if referenced is not None:
        return referenced._replace(
            name=entry.name, container=container,
            origin=f"$({expansion.alone}) in env value, {expansion.alone} from {referenced.origin}",
        )
    origin = "env value with $(VAR) expanded" if expansion.references else (
        "env value, where $$ is one $")
    if expansion.undefined:
        names = ", ".join(f"$({name})" for name in expansion.undefined)
        origin = f"env value, where no earlier entry sets {names}: the kubelet keeps it as written"
    return GoSetting(entry.name, expansion.value, origin, at, container)


def _from_entry(
    manifest: Manifest, pod: PodTemplate, spec: ContainerSpec, entry: EnvEntry,
    config_maps: ConfigMapTable, scope: Scope | None = None,
) -> tuple[GoSetting | None, str | None]:
    """The setting an env entry makes, or (None, what the files do not show). ``scope`` is
    what the earlier sources set, for ``$(VAR)`` references (None: references stay unknown)."""
    container = Container(spec.name, pod.workload, spec.role)
    literal = entry.value
    raw = text(literal) or ""  # a null (``value: ~``) is an empty value
    if raw and literal is not None:
        if "$" in raw and "{{" not in raw and scope is not None:
            return _expanded(manifest, entry, literal, raw, container, scope), None
        shown = None if "$(" in raw or "{{" in raw else raw
        origin = "env value" if shown is not None else "env value with $(VAR) references"
        return GoSetting(entry.name, shown, origin, place(manifest, literal), container), None
    source = entry.value_from
    if source is None:
        at = literal if literal is not None else entry.name_node
        return GoSetting(entry.name, "", "env entry without a value", place(manifest, at),
                         container), None
    ref = get(source, "resourceFieldRef")
    if ref is not None:
        return _resource_field(manifest, pod, spec, entry, ref), None
    ref = get(source, "configMapKeyRef")
    if ref is not None:
        name, key = text(get(ref, "name")) or "", text(get(ref, "key")) or ""
        config_map = config_maps.lookup(name, pod.workload.namespace)
        if config_map is not None and key in config_map.values:
            found = config_map.values[key]
            return GoSetting(
                entry.name, found.value, f"ConfigMap {name} key {key} (configMapKeyRef)",
                found.place, container,
            ), None
        if config_map is not None and key in config_map.disputed:
            return None, disputed_note(name, key, config_map)
        return None, f"ConfigMap {name} (not in the linted files)"
    if get(source, "secretKeyRef") is not None:
        name = text(get(get(source, "secretKeyRef"), "name")) or ""
        return None, f"Secret {name}"
    return GoSetting(entry.name, None, "valueFrom", place(manifest, source), container), None


def resolve(
    manifest: Manifest, pod: PodTemplate, spec: ContainerSpec, config_maps: ConfigMapTable
) -> Resolved:
    container = Container(spec.name, pod.workload, spec.role)
    settings: dict[str, GoSetting] = {}
    opaque: list[str] = []
    # Untracked variables matter only to a tracked value that references others.
    references = any(
        entry.name in TRACKED and "$" in (text(entry.value) or "") for entry in spec.env
    )
    scope = Scope({}, open_ended=False)
    for source in spec.env_from:
        prefix = text(get(source, "prefix")) or ""
        ref = get(source, "configMapRef")
        if ref is None:
            secret = text(get(get(source, "secretRef"), "name")) or ""
            opaque.append(f"Secret {secret} (envFrom)")
            scope = Scope(dict.fromkeys(scope.variables), open_ended=True)
            continue
        name = text(get(ref, "name")) or ""
        config_map = config_maps.lookup(name, pod.workload.namespace)
        if config_map is None:
            opaque.append(f"ConfigMap {name} (envFrom, not in the linted files)")
            scope = Scope(dict.fromkeys(scope.variables), open_ended=True)
            continue
        for key in sorted(config_map.disputed):
            scope.variables[prefix + key] = None
            if prefix + key in TRACKED:  # a later source overwrites, with an unknown value
                settings.pop(prefix + key, None)
                opaque.append(disputed_note(name, key, config_map) + " (envFrom)")
        for key, found in config_map.values.items():
            variable = prefix + key
            if variable in TRACKED or references:
                from_map = GoSetting(
                    variable, found.value,
                    f"ConfigMap {name} key {key} (envFrom"
                    + (f" with prefix {prefix})" if prefix else ")"),
                    found.place, container,
                )
                scope.variables[variable] = from_map
                if variable in TRACKED:
                    settings[variable] = from_map
    entries: dict[str, list[EnvEntry]] = {}
    for entry in spec.env:
        if entry.name not in TRACKED:
            if references:  # its value may be expanded into a tracked one
                scope.variables[entry.name] = _from_entry(
                    manifest, pod, spec, entry, config_maps, scope)[0]
            continue
        entries.setdefault(entry.name, []).append(entry)
        setting, unknown = _from_entry(manifest, pod, spec, entry, config_maps, scope)
        scope.variables[entry.name] = setting
        if setting is None:
            settings.pop(entry.name, None)
            opaque.append(f"{unknown} for {entry.name}")
        else:
            settings[entry.name] = setting
    environment = dict(settings)
    command = effective(read_command(command_line(manifest, spec)))
    for name, assigned in command.items():
        if assigned.defers:
            if name in settings or any(
                source.endswith(f"for {name}") or "(envFrom" in source for source in opaque
            ):
                continue  # the environment's value (known or not) wins
            if assigned.value is None:
                continue
        settings[name] = GoSetting(
            name, assigned.value, assigned.origin, assigned.place, container
        )
    limit = container_limit(manifest, pod, spec)
    return Resolved(ContainerSettings(container, limit, settings, tuple(opaque)), spec, pod,
                    entries, environment, command)


def command_line(manifest: Manifest, spec: ContainerSpec) -> list[Element]:
    """The arguments the container starts its program with, as far as the manifest writes them.

    ``command`` replaces the image's ENTRYPOINT and ``args`` its CMD (``Container.Command`` and
    ``Args`` in kubernetes/kubernetes ``staging/src/k8s.io/api/core/v1/types.go``); the runtime
    runs ``command`` + ``args``, and with a ``command`` the image's CMD is dropped too (containerd
    ``WithProcessArgs``, ``internal/cri/opts/spec_opts.go``, as moby ``daemon/commit.go`` ``merge``
    does). ``args`` alone follow the image's ENTRYPOINT, which the manifest does not show: they
    are read as the command line, since an ``args`` that sets GOMEMLIMIT with ``env`` or
    ``sh -c`` is written to be run (by an image without ENTRYPOINT, or one whose entrypoint runs
    its arguments: tini, dumb-init, an ``exec "$@"`` script). Empty when an element is not a
    string scalar (an invalid container)."""
    nodes = [*items(spec.command)]
    fields = ["command"] * len(nodes)
    arguments = items(spec.args)
    nodes.extend(arguments)
    fields.extend(["args"] * len(arguments))
    elements: list[Element] = []
    for node, field in zip(nodes, fields, strict=True):
        if not isinstance(node, ScalarNode):
            return []
        value = str(node.value)
        at = place(manifest, node)
        tracked = "GOMEMLIMIT" in value or "GOGC" in value
        chars = exact_chars(value, at.start) if at.editable and tracked else None
        if "$(" in value:
            value = _KUBELET_REFERENCE.sub(r"${\1}", value)
        elements.append(Element(value, field, at, chars))
    return elements


# A reference the kubelet expands before anything runs (``$(NAME)``; ``$$`` is a literal ``$``:
# third_party/forked/golang/expansion/expand.go ``Expand``, which ExpandContainerCommandAndArgs
# calls). It is read as the shell reference ``${NAME}`` of the same length, so that positions
# still map and ``sh -c "GOMEMLIMIT=$(GOMEMLIMIT) exec /app"`` reads as one word that defers to
# the environment (the shell would otherwise see a command substitution).
_KUBELET_REFERENCE = re.compile(r"(?<!\$)\$\(([A-Za-z_][A-Za-z0-9_]*)\)")


def resolve_all(manifest: Manifest, config_maps: ConfigMapTable | None = None) -> list[Resolved]:
    """Every container of ``manifest``; ConfigMaps from ``config_maps`` (by default its own)."""
    table = config_maps if config_maps is not None else ConfigMapTable([manifest])
    return [resolve(manifest, pod, spec, table) for pod in manifest.pods for spec in pod.containers]


def block_end(manifest: Manifest, node: Node) -> int:
    """The byte offset just after the last character written for ``node`` (a block mapping's end
    mark lies past the line break and the next line's indentation; this does not)."""
    if isinstance(node, ScalarNode) or getattr(node, "flow_style", False):
        return manifest.stream.span(node)[1]
    children: list[Node] = []
    if isinstance(node, MappingNode):
        for key, item in node.value:
            children.extend((key, item))
    elif isinstance(node, SequenceNode):
        children.extend(node.value)
    if not children:
        return manifest.stream.span(node)[1]
    return max(block_end(manifest, child) for child in children)


class ManifestContext(Record):
    """What a Kubernetes rule sees: the manifest stream, every container's resolved
    environment, and the ratio GOMEMLIMIT should be of the limit."""

    manifest: Manifest
    resolved: list[Resolved]
    ratio: float
