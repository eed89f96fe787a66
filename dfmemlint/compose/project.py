"""A Compose project read as ``docker compose`` runs it: each service's environment, memory limit
and Dockerfile (the records of :mod:`dfmemlint.compose.model`).

What each service's container gets, following compose-spec/compose-go:

* **Files.** The base file, then each override file, merged (``override/merge.go``
  ``MergeYaml``; :mod:`dfmemlint.compose.merge`).
* **Interpolation** of every string value with the project's ``.env`` file
  (:mod:`dfmemlint.compose.interpolate`; keys are never interpolated).
* **Environment** (``types/project.go`` ``WithServicesEnvironmentResolved``): the ``env_file``
  files in order (a later file wins; a missing file is an error unless ``required: false``),
  then ``environment`` over them. ``environment`` is a map (``KEY: value``, ``KEY:`` with no
  value) or a list (``- KEY=value``, a bare ``- KEY``: everything after the first ``=`` is the
  value, quotes included: ``types/mapping.go`` ``MappingWithEquals.DecodeMapstructure``); a
  key without a value takes the value of the project environment (``loader/normalize.go``
  ``resolve``): the ``.env`` file, else the shell, which is unknown here.
* **Memory limit**: ``deploy.resources.limits.memory`` or ``mem_limit`` (compose-go refuses
  distinct values for both: ``loader/validate.go``), read as Docker sizes
  (:func:`dfmemlint.golang.dockersize.compose_unit_bytes`); 0 or less means no limit.
* **Command line**: ``entrypoint`` and ``command``, and the GOMEMLIMIT/GOGC they set for the
  program (:mod:`dfmemlint.compose.command`).
* **Build**: ``build: DIR`` or ``build: {context, dockerfile}``; the context is relative to the
  project directory, the Dockerfile (default ``Dockerfile``) relative to the context
  (``loader/normalize.go``); a remote context or ``dockerfile_inline`` names no local file
  (``paths/context.go`` ``isRemoteContext``).
"""

from __future__ import annotations

import os
from typing import Any

import yaml

from dfmemlint.compose import dotenv
from dfmemlint.compose.command import resolve_start
from dfmemlint.compose.interpolate import Interpolated, Lookup, interpolate
from dfmemlint.compose.keys import find_duplicate
from dfmemlint.compose.merge import ListEntry, Raw, RawService, child, collect
from dfmemlint.compose.model import ComposeError, EnvValue, MemoryLimit, Project, Service
from dfmemlint.compose.names import DOTENV_NAME
from dfmemlint.compose.scalars import Unsupported, compose_text, go_int, resolved_from_text
from dfmemlint.compose.source import Origin, SourceText, scalar_span
from dfmemlint.golang.dockersize import SizeError, compose_unit_bytes

_REMOTE_PREFIXES = ("https://", "http://", "git://", "ssh://", "github.com/", "git@")
_SERVICE_PREFIX = "service:"


class _Reader:
    def __init__(self, directory: str, shown_directory: str, dotenv_lookup: Lookup) -> None:
        self.directory = directory  # absolute
        self.shown_directory = shown_directory  # as the user named the first file's directory
        self.lookup = dotenv_lookup
        self.notes: list[str] = []
        #: Where the project's .env file writes each variable's value.
        self.dotenv_values: dict[str, EnvValue] = {}
        #: Bytes given for files instead of the disk's (:func:`load_project`'s ``contents``).
        self.contents: dict[str, bytes] = {}

    def where(self, raw: Raw) -> str:
        line = raw.node.start_mark.line + 1
        return f"{raw.source.path}:{line}"

    def string(self, raw: Raw) -> tuple[str | None, Interpolated | None]:
        """A scalar as Compose reads a string field: None when unknown or not a string."""
        node = raw.node
        if not isinstance(node, yaml.ScalarNode):
            return None, None
        if resolved_from_text(raw.source.text, node):
            try:
                text = compose_text(node.value)
            except Unsupported:
                return None, None
            if text is None:
                return None, None
            if text != node.value:  # a number or boolean: not interpolated
                return text, None
        result = interpolate(node.value, self.lookup)
        if result.error is not None:
            self.notes.append(f"{self.where(raw)}: {result.error}")
        return result.value, result

    def value_origin(
        self, raw: Raw, result: Interpolated | None, skip: int = 0
    ) -> tuple[Origin, tuple[str, ...], str]:
        """Where a value came from, and how (``environment`` or ``.env``): the literal text of
        the scalar it was written as (so a fix can edit it), skipping ``skip`` characters of the
        scalar (a list entry's ``KEY=``); or, for a value that is exactly one variable of the
        project's ``.env`` file (``${GOMEMLIMIT:?}``), the line of that file."""
        source = raw.source
        start, end, exact = scalar_span(source.text, raw.node)
        overridable = () if result is None else result.overridable
        if result is not None and len(result.pieces) == 1:
            piece = result.pieces[0]
            if piece.variable is not None and piece.variable in self.dotenv_values:
                return self.dotenv_values[piece.variable].origin, overridable, ".env"
        if exact and result is not None and _literal_run(result):
            # Text of the scalar itself (a default, or text with $$ escapes): point at it; it
            # is editable when it is exactly the value (no escape inside).
            first, last = result.pieces[0], result.pieces[-1]
            begin, finish = start + skip + first.start, start + skip + last.end
            editable = len(result.pieces) == 1 and first.end - first.start == len(first.text)
            return source.origin(begin, finish, editable), overridable, "environment"
        editable = exact and (result is None or "$" not in raw.node.value)
        return source.origin(start + skip, end, editable), overridable, "environment"


def _literal_run(result: Interpolated) -> bool:
    """The value is one stretch of the template's own text (no variable's value inside)."""
    pieces = result.pieces
    return bool(pieces) and all(
        piece.variable is None and (n == 0 or pieces[n - 1].end == piece.start)
        for n, piece in enumerate(pieces)
    )


def escapes(result: Interpolated | None) -> bool:
    """The value holds a ``$`` written as Compose's escape ``$$`` (template/template.go: the
    ``escaped`` group of ``DefaultPattern`` is replaced by one ``$``)."""
    return result is not None and any(
        piece.variable is None and piece.text == "$" and piece.end - piece.start == 2
        for piece in result.pieces
    )


def _read_yaml(source: SourceText) -> list[Any]:
    try:
        documents = list(yaml.compose_all(source.text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source.path}:{mark.line + 1}" if mark is not None else source.path
        problem = getattr(exc, "problem", None) or str(exc)
        at = None if mark is None else source.byte_offset(min(mark.index, len(source.text)))
        raise ComposeError(f"{where}: not valid YAML: {problem}", source.path, at) from None
    roots = [d for d in documents if d is not None]
    for root in roots:
        if not isinstance(root, yaml.MappingNode):
            raise ComposeError(f"{source.path}: a Compose file must be a mapping at the top")
        repeated = find_duplicate(root)
        if repeated is not None:
            mark = repeated.node.start_mark
            raise ComposeError(
                f"{source.path}:{mark.line + 1}: {repeated.message()}, which Compose refuses",
                source.path,
                source.byte_offset(mark.index),
            )
    return roots


def read_dotenv(path: str, data: bytes) -> tuple[SourceText, list[dotenv.Entry]]:
    """A ``.env`` file's entries; raises ComposeError where Compose refuses it."""
    source = SourceText(path, data)
    try:
        return source, dotenv.parse(source.text)
    except dotenv.DotenvError as exc:
        raise ComposeError(f"{path}: {exc}") from None


def load_project(
    files: list[str], contents: dict[str, bytes] | None = None, env_file: str | None = None
) -> Project:
    """Read and merge the Compose files ``files`` (base first) as one project.

    ``contents`` may give a file's bytes (standard input, or an env file being fixed), by path
    or by real path; the rest are read from disk. The
    project directory is the first file's; its ``.env`` file feeds interpolation, or
    ``env_file`` instead (``docker compose --env-file``). Raises ComposeError for a file that is
    not YAML or not a mapping, or a ``.env`` Compose refuses.
    """
    contents = contents or {}
    directory = os.path.dirname(os.path.abspath(files[0]))
    sources: dict[str, SourceText] = {}
    dotenv_path = env_file or os.path.join(os.path.dirname(files[0]), DOTENV_NAME)
    lookup: Lookup = _no_variables
    dotenv_entries: list[dotenv.Entry] = []
    dotenv_source: SourceText | None = None
    if os.path.isfile(dotenv_path):
        dotenv_data = _given(dotenv_path, contents)
        if dotenv_data is None:
            with open(dotenv_path, "rb") as handle:
                dotenv_data = handle.read()
        dotenv_source, dotenv_entries = read_dotenv(dotenv_path, dotenv_data)
        sources[dotenv_path] = dotenv_source
        lookup = dotenv.as_lookup(dotenv_entries)
    notes: list[str] = []
    raw_services: dict[str, RawService] = {}
    for path in files:
        if path in contents:
            data = contents[path]
        else:
            with open(path, "rb") as handle:
                data = handle.read()
        source = SourceText(path, data)
        sources[path] = source
        for root in _read_yaml(source):
            collect(raw_services, root, source, notes)
    reader = _Reader(directory, os.path.dirname(files[0]), lookup)
    reader.contents = contents
    dotenv_index = {e.key: e for e in dotenv_entries}
    if dotenv_source is not None:
        reader.dotenv_values = {
            key: _entry_value(entry, dotenv_source, ".env", key)
            for key, entry in dotenv_index.items()
            if entry.value is not None
        }
    services = {
        name: _resolve(raw, reader, dotenv_index, dotenv_source, sources)
        for name, raw in raw_services.items()
    }
    return Project(list(files), directory, services, notes + reader.notes, sources)


def _given(path: str, contents: dict[str, bytes]) -> bytes | None:
    """The bytes ``contents`` gives for ``path``, by the path or by its real path."""
    if path in contents:
        return contents[path]
    if contents:
        real = os.path.realpath(path)
        for given, data in contents.items():
            if os.path.realpath(given) == real:
                return data
    return None


def _no_variables(name: str) -> str | None:
    return None


def _entry_value(entry: dotenv.Entry, source: SourceText, via: str, name: str) -> EnvValue:
    start, end = entry.value_start, entry.value_end
    editable = entry.editable
    result = entry.interpolated
    if result is not None and result.value is not None and len(result.pieces) == 1:
        piece = result.pieces[0]
        if piece.variable is None and editable is False and "\\" not in source.text[start:end]:
            start, end, editable = start + piece.start, start + piece.end, True
    overridable = () if result is None else result.overridable
    return EnvValue(name, entry.value, source.origin(start, end, editable), via, overridable)


def _resolve(
    raw: RawService,
    reader: _Reader,
    dotenv_index: dict[str, dotenv.Entry],
    dotenv_source: SourceText | None,
    sources: dict[str, SourceText],
) -> Service:
    service = Service(raw.name, raw.origin)
    environment: dict[str, EnvValue] = {}
    own: dict[str, EnvValue] = {}
    for key, item in raw.environment.items():
        if isinstance(item, ListEntry):
            scalar = item.raw
            text = scalar.node.value
            if "=" not in text:
                own[key] = _bare(key, scalar, dotenv_index, dotenv_source)
                continue
            value_text = text.split("=", 1)[1]
            entry = interpolate(value_text, reader.lookup)
            if entry.error is not None:
                reader.notes.append(f"{reader.where(scalar)}: {entry.error}")
            origin, overridable, via = reader.value_origin(scalar, entry, skip=len(key) + 1)
            own[key] = EnvValue(
                key, entry.value, origin, via, overridable, _scalar_origin(scalar, via), True,
                scalar.in_block, escapes(entry),
            )
            continue
        node = item.node
        if (
            isinstance(node, yaml.ScalarNode)
            and resolved_from_text(item.source.text, node)
            and node.value in ("", "~", "null", "Null", "NULL")
        ):
            own[key] = _bare(key, item, dotenv_index, dotenv_source)
            continue
        value, result = reader.string(item)
        origin, overridable, via = reader.value_origin(item, result)
        own[key] = EnvValue(
            key, value, origin, via, overridable, _scalar_origin(item, via),
            in_block=item.in_block, escaped=escapes(result),
        )
    env_lookup = _env_file_lookup(reader.lookup, own)
    for file_key, item in raw.env_files.items():
        environment.update(_read_env_file(file_key, item, reader, env_lookup, sources))
    environment.update(own)
    service.environment = environment
    resolve_start(service, raw, reader)
    _resolve_limits(service, raw, reader)
    _resolve_build(service, raw, reader)
    return service


def _bare(
    key: str, raw: Raw, dotenv_index: dict[str, dotenv.Entry], source: SourceText | None
) -> EnvValue:
    entry = dotenv_index.get(key)
    start, end, _ = scalar_span(raw.source.text, raw.node)
    here = raw.source.origin(start, end, False)
    if entry is not None and source is not None and entry.value is not None:
        return _entry_value(entry, source, ".env", key)._replace(brought_by=here)
    return EnvValue(key, None, here, "environment")


def _scalar_origin(raw: Raw, via: str) -> Origin | None:
    """The whole scalar, for a value that another file (``via``) gives."""
    if via == "environment":
        return None
    start, end, _ = scalar_span(raw.source.text, raw.node)
    return raw.source.origin(start, end, False)


def _env_file_lookup(project: Lookup, own: dict[str, EnvValue]) -> Lookup:
    def lookup(name: str) -> str | None:
        found = project(name)
        if found is not None:
            return found
        value = own.get(name)
        return None if value is None else value.value

    return lookup


def _read_env_file(
    file_key: str, item: Raw, reader: _Reader, lookup: Lookup, sources: dict[str, SourceText]
) -> dict[str, EnvValue]:
    required = True
    required_node = child(item.node, "required")
    if isinstance(required_node, yaml.ScalarNode):
        required = required_node.value.lower() not in ("false", "0", "no", "off")
    path_text = interpolate(file_key, reader.lookup).value
    if path_text is None:
        reader.notes.append(f"{reader.where(item)}: env_file {file_key!r} depends on the shell")
        return {}
    path = os.path.normpath(os.path.join(reader.shown_directory, path_text))
    if not os.path.isfile(path):
        if required:
            reader.notes.append(f"{reader.where(item)}: env_file {path_text} not found")
        return {}
    data = _given(path, reader.contents)
    if data is None:
        with open(path, "rb") as handle:
            data = handle.read()
    source = SourceText(path, data)
    try:
        entries = dotenv.parse(source.text, lookup)
    except dotenv.DotenvError as exc:
        reader.notes.append(f"{source.path}: {exc}")
        return {}
    sources[source.path] = source
    path_node = child(item.node, "path") if isinstance(item.node, yaml.MappingNode) else None
    start, end, _ = scalar_span(item.source.text, path_node or item.node)
    brought_by = item.source.origin(start, end, False)
    found: dict[str, EnvValue] = {}
    for entry in entries:
        found[entry.key] = _entry_value(entry, source, "env_file", entry.key)._replace(
            brought_by=brought_by
        )
    return found


def _resolve_limits(service: Service, raw: RawService, reader: _Reader) -> None:
    limits: list[MemoryLimit] = []
    for key, label in (("deploy", "deploy.resources.limits.memory"), ("mem_limit", "mem_limit")):
        item = raw.scalars.get(key)
        if item is None:
            continue
        amount_or_text = _size_value(item, reader)
        if amount_or_text is None:
            continue
        value, result = amount_or_text
        try:
            amount = compose_unit_bytes(value)
        except SizeError as exc:
            reader.notes.append(
                f"{reader.where(item)}: {label} {value!r} is refused by Compose ({exc}); Docker "
                "sizes are written like 512m, 512MB or 512MiB"
            )
            continue
        if amount <= 0:
            continue
        origin, _, _ = reader.value_origin(item, result)
        limits.append(MemoryLimit(amount, label, str(value), origin))
    if len(limits) == 2 and limits[0].bytes != limits[1].bytes:
        reader.notes.append(
            f"{limits[1].origin.path}:{limits[1].origin.line}: service {service.name} sets "
            "mem_limit and deploy.resources.limits.memory to different values, which Compose "
            "refuses; checking against the smaller"
        )
        limits.sort(key=lambda limit: limit.bytes)
    if limits:
        service.memory_limit = limits[0]
    swap = raw.scalars.get("memswap_limit")
    swap_value = None if swap is None else _size_value(swap, reader)
    if swap is not None and swap_value is not None:
        try:
            service.memswap_limit = compose_unit_bytes(swap_value[0])
        except SizeError as exc:
            reader.notes.append(
                f"{reader.where(swap)}: memswap_limit {swap_value[0]!r} is refused by Compose "
                f"({exc})"
            )


def _size_value(item: Raw, reader: _Reader) -> tuple[int | str, Interpolated | None] | None:
    """A size field as compose-go decodes it into ``UnitBytes`` (``DecodeMapstructure``): a
    YAML integer is bytes, a string is read as a size; a float or boolean is ignored (no case
    matches it, so the field stays 0: no limit), as is a value that depends on the shell."""
    node = item.node
    if isinstance(node, yaml.ScalarNode) and resolved_from_text(item.source.text, node):
        try:
            text = compose_text(node.value)
        except Unsupported:
            text = None
        if (text is not None and text != node.value) or go_int(node.value) is not None:
            number = go_int(node.value)
            if number is None:
                reader.notes.append(
                    f"{reader.where(item)}: {node.value!r} is not an integer or a string, so "
                    "Compose ignores it (no memory limit)"
                )
                return None
            return number, None
    value, result = reader.string(item)
    if value is None:
        return None
    return value, result


def _resolve_build(service: Service, raw: RawService, reader: _Reader) -> None:
    if not raw.build or raw.build.get("dockerfile_inline") is not None:
        return
    context_raw = raw.build.get("context")
    context = "." if context_raw is None else reader.string(context_raw)[0]
    dockerfile_raw = raw.build.get("dockerfile")
    dockerfile = "Dockerfile" if dockerfile_raw is None else reader.string(dockerfile_raw)[0]
    if context is None or dockerfile is None:
        return
    if "://" in context or context.startswith((*_REMOTE_PREFIXES, _SERVICE_PREFIX)):
        return
    base = os.path.join(reader.directory, context)
    service.dockerfile = os.path.normpath(os.path.join(base, dockerfile))
    anchor = dockerfile_raw or context_raw
    if anchor is not None:
        start, end, exact = scalar_span(anchor.source.text, anchor.node)
        service.dockerfile_origin = anchor.source.origin(start, end, exact)
