"""The Compose files of one project merged as compose-go merges them (``override/merge.go``
``MergeYaml``: the base file, then each override file), before any value is interpolated or
resolved: for each service, the YAML nodes of its ``environment`` entries, ``env_file``
entries, memory limits and ``build``, each with the file it came from
(:mod:`dfmemlint.compose.project` resolves them).

* ``entrypoint`` and ``command`` are replaced whole (``mergeSpecials``: ``override``).
* ``environment`` and ``env_file`` entries are made unique by key, a later file's entry
  replacing the earlier one in place (compose-go ``override/uncity.go``,
  ``keyValueIndexer``/``envFileIndexer``); ``mem_limit``, ``memswap_limit`` and the memory of
  ``deploy.resources.limits`` are replaced; ``build`` is merged key by key (``mergeBuild`` turns
  ``build: .`` into ``{context: .}``).
* A ``!reset`` tag removes what earlier files set, ``!override`` replaces it without merging
  (``loader/reset.go``).
* ``<<: *anchor`` merge keys are expanded as go-yaml expands them (the mapping's own keys win).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from dfmemlint.compose.source import Origin, SourceText
from dfmemlint.records import Record


class Raw(Record):
    """A YAML node of one file, with the file it came from."""

    node: Any
    source: SourceText
    in_block: bool = False  # an entry of a block (not flow) environment mapping or list


class ListEntry(Record):
    """A list-form ``environment`` entry (``- KEY=value`` or a bare ``- KEY``)."""

    key: str
    raw: Raw


@dataclass
class RawService:
    """One service's settings as the merged files write them (nodes, not yet values)."""

    name: str
    origin: Origin
    environment: dict[str, Raw | ListEntry] = field(default_factory=dict)
    env_files: dict[str, Raw] = field(default_factory=dict)
    scalars: dict[str, Raw | None] = field(default_factory=dict)  # None: !reset
    build: dict[str, Raw | None] = field(default_factory=dict)
    #: ``entrypoint`` and ``command``, each replaced whole by a later file (None: !reset).
    start: dict[str, Raw | None] = field(default_factory=dict)


MERGE_TAG = "tag:yaml.org,2002:merge"


def mapping_items(node: Any, depth: int = 0) -> Iterator[tuple[str, Any, Any]]:
    """A mapping's entries, with ``<<: *anchor`` merge keys expanded first (go-yaml merges them
    as YAML 1.1 does: the mapping's own keys win), so a later entry of a key overrides."""
    if not isinstance(node, yaml.MappingNode) or depth > 20:
        return
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.tag == MERGE_TAG:
            merged = value.value if isinstance(value, yaml.SequenceNode) else [value]
            # In a list of merged mappings, an earlier one wins over a later one.
            for source in reversed(merged):
                yield from mapping_items(source, depth + 1)
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.tag != MERGE_TAG:
            yield key.value, key, value


def child(node: Any, *path: str) -> Any:
    for part in path:
        found = None
        for key, _, value in mapping_items(node):
            if key == part:
                found = value
        if found is None:
            return None
        node = found
    return node


def tag(node: Any) -> str:
    return str(getattr(node, "tag", ""))


def collect(
    services: dict[str, RawService], root: Any, source: SourceText, notes: list[str]
) -> None:
    """Merge the services of one YAML document into ``services``."""
    for name, key_node, node in mapping_items(child(root, "services")):
        raw = services.get(name)
        if raw is None:
            origin = source.origin(key_node.start_mark.index, key_node.end_mark.index, False)
            raw = services[name] = RawService(name, origin)
        for attribute, _, value in mapping_items(node):
            reset = tag(value) == "!reset"
            if attribute == "environment":
                if reset or tag(value) == "!override":
                    raw.environment.clear()
                if not reset:
                    _collect_environment(raw, value, source)
            elif attribute == "env_file":
                if reset or tag(value) == "!override":
                    raw.env_files.clear()
                if not reset:
                    _collect_env_files(raw, value, source)
            elif attribute in ("mem_limit", "memswap_limit"):
                raw.scalars[attribute] = None if reset else Raw(value, source)
            elif attribute in ("entrypoint", "command"):
                raw.start[attribute] = None if reset else Raw(value, source)
            elif attribute == "deploy":
                memory = child(value, "resources", "limits", "memory")
                if reset or tag(child(value, "resources")) == "!reset":
                    raw.scalars["deploy"] = None
                elif memory is not None:
                    reset_memory = tag(memory) == "!reset"
                    raw.scalars["deploy"] = None if reset_memory else Raw(memory, source)
            elif attribute == "build":
                _collect_build(raw, value, source, reset)
            elif attribute in ("extends",):
                notes.append(
                    f"{source.path}:{key_node.start_mark.line + 1}: service {name} uses "
                    "'extends', which dfmemlint does not follow; settings it inherits are not "
                    "checked"
                )


def _collect_environment(raw: RawService, node: Any, source: SourceText) -> None:
    # PyYAML leaves flow_style None for an indentless block sequence (``- KEY`` under the key).
    block = getattr(node, "flow_style", None) is not True
    if isinstance(node, yaml.MappingNode):
        for key, _, value in mapping_items(node):
            raw.environment[key] = Raw(value, source, block)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode):
                continue
            key = item.value.split("=", 1)[0]
            raw.environment[key] = ListEntry(key, Raw(item, source, block))


def _collect_env_files(raw: RawService, node: Any, source: SourceText) -> None:
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    for item in items:
        path_node = child(item, "path") if isinstance(item, yaml.MappingNode) else item
        if isinstance(path_node, yaml.ScalarNode):
            raw.env_files[path_node.value] = Raw(item, source)


def _collect_build(raw: RawService, node: Any, source: SourceText, reset: bool) -> None:
    if reset:
        raw.build.clear()
        return
    if tag(node) == "!override":
        raw.build.clear()
    if isinstance(node, yaml.ScalarNode):
        raw.build["context"] = Raw(node, source)
        return
    for key, _, value in mapping_items(node):
        if key in ("context", "dockerfile", "dockerfile_inline"):
            raw.build[key] = None if tag(value) == "!reset" else Raw(value, source)
    if "context" not in raw.build:
        raw.build.setdefault("context", None)
