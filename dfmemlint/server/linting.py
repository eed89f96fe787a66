"""One function from an editor's buffer to findings and fixes: :func:`lint_document`.

Everything the server shows (diagnostics, quick fixes, "fix all", hover) comes from here, and
here from the same format detection, engines, fixer and configuration discovery as the command
line (:func:`dfmemlint.formats.detect`, :func:`dfmemlint.formats.lint`,
:func:`dfmemlint.fix.fixer.fix_file`, :func:`dfmemlint.config.find_config`): every format the
command line lints (Dockerfiles, Kubernetes manifests, and whatever else registers in
``formats.ENGINES``) gets diagnostics. The text is the editor's, never the file on disk.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dfmemlint import formats
from dfmemlint.config import ConfigError, find_config
from dfmemlint.engine import LintOptions
from dfmemlint.files import MAX_FILE_BYTES, is_dockerfile_name
from dfmemlint.fix.fixer import finding_span, fix_file
from dfmemlint.formats import Format, lint
from dfmemlint.records import Record
from dfmemlint.server.settings import ClientSettings, lint_options
from dfmemlint.types import Finding

if TYPE_CHECKING:
    from collections.abc import Callable

    from dfmemlint.compose.link import Linker
    from dfmemlint.formats import Result
    from dfmemlint.kubernetes.configmaps import ManifestIndex

logger = logging.getLogger(__name__)

DOCKERFILE = Format.DOCKERFILE
#: LSP language identifiers of Dockerfiles (VS Code, Neovim, Helix and Zed all say "dockerfile").
DOCKERFILE_LANGUAGES = frozenset({"dockerfile", "containerfile"})
#: LSP language identifiers of YAML documents: "yaml" (VS Code, Neovim, Helix, Zed), and VS
#: Code's Docker extension's "dockercompose" for Compose files.
YAML_LANGUAGES = frozenset({"yaml", "dockercompose"})


class Located(Record):
    """A finding with its byte span in the linted text (the fix's edits use the same offsets)."""

    finding: Finding
    start: int
    end: int


@dataclass(frozen=True)
class DocumentLint:
    """The lint of one version of one document."""

    path: str
    data: bytes  # the editor's text as UTF-8: every offset here points into it
    findings: tuple[Located, ...] = ()
    options: LintOptions | None = None
    #: The engine's view (``engine.LintResult``, ``kubernetes.lint.ManifestResult``, …), for
    #: code actions and hover; None when nothing was linted.
    result: Result | None = None
    kind: Format | None = None  # the format it was linted as
    #: Why the document was not linted (configuration error, too large, a failure inside the
    #: linter): shown as one diagnostic at the top of the file.
    problem: str | None = None


def reads(path: str, language_id: str | None) -> bool:
    """Whether the server lints a document at all: a Dockerfile, or YAML that may be a format
    dfmemlint reads (whether it is one is decided from its text, on every version)."""
    language = (language_id or "").lower()
    name = os.path.basename(path)
    return (
        language in DOCKERFILE_LANGUAGES
        or language in YAML_LANGUAGES
        or is_dockerfile_name(name)
        or formats.is_yaml_name(name)
        or formats.is_kustomization_name(name)
    )


def is_dockerfile(path: str, language_id: str | None) -> bool:
    """A Dockerfile by the editor's language or by its name."""
    language = (language_id or "").lower()
    return language in DOCKERFILE_LANGUAGES or is_dockerfile_name(os.path.basename(path))


def document_kind(path: str, language_id: str | None, data: bytes = b"") -> Format | None:
    """Which engine reads a document (``data``, its text), or None for a document dfmemlint
    does not read (it then gets no diagnostics).

    A Dockerfile by its language or name; a YAML file or a kustomization (``Kustomization``
    has no suffix) by name goes through the command line's detection
    (:func:`dfmemlint.formats.detect`: a Compose file or a kustomization by name, a manifest by
    a top-level ``apiVersion:`` and ``kind:``, a kustomize patch file by its operations, a
    Compose file under another name by a top-level ``services:`` mapping, any other YAML not at
    all); an unsaved YAML buffer (no file name) is a Compose file when the editor says so
    (language ``dockercompose``), else what its text looks like
    (:func:`dfmemlint.formats.sniff_yaml`: a manifest or patch file, else a Compose file)."""
    if is_dockerfile(path, language_id):
        return DOCKERFILE
    language = (language_id or "").lower()
    name = os.path.basename(path)
    if formats.is_yaml_name(name) or formats.is_kustomization_name(name):
        return formats.detect(path, data)
    if language not in YAML_LANGUAGES:
        return None
    if language == "dockercompose" and Format.COMPOSE in formats.ENGINES:
        return Format.COMPOSE
    return formats.sniff_yaml(data)


def is_compose_file(name: str) -> bool:
    """A file Compose reads for a project (``compose.yaml``, an override file, ``.env``): saving
    one changes the memory limit of the Dockerfiles its services build."""
    from dfmemlint.compose.names import COMPOSE_FILE_NAMES, DOTENV_NAME, OVERRIDE_FILE_NAMES

    return name in (*COMPOSE_FILE_NAMES, *OVERRIDE_FILE_NAMES, DOTENV_NAME)


def to_bytes(text: str) -> bytes:
    """The editor's text as UTF-8. A lone surrogate (JSON can carry one) becomes ``?``: one
    UTF-16 unit for one, so positions after it stay right."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace")


def lint_document(
    path: str,
    text: str,
    settings: ClientSettings,
    *,
    language_id: str | None = None,
    config_start: str | None = None,
    linker: Linker | None = None,
    manifests: Callable[[str, bytes], ManifestIndex | None] | None = None,
) -> DocumentLint:
    """Lint the editor's ``text`` of the document at ``path`` as :func:`document_kind` says
    (a document of no format dfmemlint reads, such as a chart's ``values.yaml``, gets no
    findings and no problem, and its configuration is not even looked for).

    Configuration is found by walking up from ``config_start`` (default: ``path``), as the
    command line does for each file; ``settings`` override it. With a ``linker`` and a document
    on disk, a Dockerfile that Compose services build gets their memory limit and environment,
    and its build context is its directory, as ``dfmemlint.commands.check`` gives them. With
    ``manifests`` (the index of the other manifests, for a path and text:
    ``server.workspace``) and a manifest on disk, its containers read ConfigMaps of other
    files, and other files' containers its ConfigMaps, as on the command line. Never
    raises: a configuration error, an oversized buffer or a failure inside the linter comes back
    as ``problem``.
    """
    data = to_bytes(text)
    kind = document_kind(path, language_id, data)
    if kind is None:
        return DocumentLint(path, data)
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1 << 20)
        return DocumentLint(path, data, problem=f"larger than {limit} MiB; not linted", kind=kind)
    try:
        config = find_config(config_start or path)
        options = lint_options(config, settings)
        if linker is not None and config_start is None and kind == DOCKERFILE:
            options = _from_compose(linker, path, options)
    except ConfigError as exc:
        return DocumentLint(path, data, problem=f"configuration error: {exc}", kind=kind)
    try:
        if manifests is not None and config_start is None and kind == Format.KUBERNETES:
            options = options._replace(manifests=manifests(path, data))
        result = lint(path, data, options, kind)
        # A finding in another file (an entrypoint script the Dockerfile copies) is that
        # file's: it has no place in this document.
        located = tuple(
            Located(f, *finding_span(result.source, f)) for f in result.findings
            if f.path == result.path
        )
    except Exception as exc:  # a bug must cost one diagnostic, not the server
        logger.exception("linting %s failed", path)
        return DocumentLint(
            path, data, options=options, problem=f"dfmemlint failed: {exc!r}", kind=kind
        )
    return DocumentLint(path, data, located, options, result, kind=kind)


def _from_compose(linker: Linker, path: str, options: LintOptions) -> LintOptions:
    from dfmemlint.compose.link import with_service_limit

    if not options.memory_limit_from_cli:
        options, _ = with_service_limit(options, linker.services_building(path))
    return options._replace(context_dir=os.path.dirname(path))


def fix_all(document: DocumentLint) -> bytes | None:
    """The text with every safe fix applied (re-read and re-linted by the fixer, as ``--fix``
    does), or None when nothing changes or the fixer reverted. The fixer reads every pass as
    the format the document was linted as (:func:`document_kind`), so an unsaved buffer, which
    has no file name to tell it by, or one the editor gave a language its name does not say, is
    fixed as it was linted."""
    if document.options is None or document.result is None:
        return None
    outcome = fix_file(
        document.path, document.data, document.options, unsafe=False, fmt=document.kind
    )
    if not outcome.changed or outcome.data == document.data:
        return None
    return outcome.data
