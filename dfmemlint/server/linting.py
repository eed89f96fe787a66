"""One function from an editor's buffer to findings and fixes: :func:`lint_document`.

Everything the server shows (diagnostics, quick fixes, "fix all", hover) comes from here, and
here from the same engine, fixer and configuration discovery as the command line
(:func:`dfmemlint.engine.lint`, :func:`dfmemlint.fix.fixer.fix_file`,
:func:`dfmemlint.config.find_config`). The text is the editor's, never the file on disk.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple

from dfmemlint.config import ConfigError, find_config
from dfmemlint.engine import LintOptions, LintResult, lint
from dfmemlint.files import MAX_FILE_BYTES, is_dockerfile_name
from dfmemlint.fix.fixer import finding_span, fix_file
from dfmemlint.server.settings import ClientSettings, lint_options
from dfmemlint.types import Finding

if TYPE_CHECKING:
    from dfmemlint.compose.link import Linker

logger = logging.getLogger(__name__)

DOCKERFILE = "dockerfile"
#: LSP language identifiers of Dockerfiles (VS Code, Neovim, Helix and Zed all say "dockerfile").
DOCKERFILE_LANGUAGES = frozenset({"dockerfile", "containerfile"})


class Located(NamedTuple):
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
    result: LintResult | None = None  # Dockerfiles: the reader's and engine's view, for hover
    #: Why the document was not linted (configuration error, too large, a failure inside the
    #: linter): shown as one diagnostic at the top of the file.
    problem: str | None = None


def document_kind(path: str, language_id: str | None) -> str | None:
    """Which linter reads a document: ``"dockerfile"``, or None for a document dfmemlint does
    not read (it then gets no diagnostics)."""
    if language_id is not None and language_id.lower() in DOCKERFILE_LANGUAGES:
        return DOCKERFILE
    if is_dockerfile_name(os.path.basename(path)):
        return DOCKERFILE
    return None


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
    kind: str = DOCKERFILE,
    config_start: str | None = None,
    linker: Linker | None = None,
) -> DocumentLint:
    """Lint the editor's ``text`` of the document at ``path``.

    Configuration is found by walking up from ``config_start`` (default: ``path``), as the
    command line does for each file; ``settings`` override it. With a ``linker`` and a document
    on disk, a Dockerfile that Compose services build gets their memory limit and environment,
    and its build context is its directory, as ``dfmemlint.commands.check`` gives them. Never
    raises: a configuration error, an oversized buffer or a failure inside the linter comes back
    as ``problem``.
    """
    data = to_bytes(text)
    if len(data) > MAX_FILE_BYTES:
        limit = MAX_FILE_BYTES // (1 << 20)
        return DocumentLint(path, data, problem=f"larger than {limit} MiB; not linted")
    try:
        config = find_config(config_start or path)
        options = lint_options(config, settings)
        if linker is not None and config_start is None:
            options = _from_compose(linker, path, options)
    except ConfigError as exc:
        return DocumentLint(path, data, problem=f"configuration error: {exc}")
    try:
        result = lint(path, data, options)
        located = tuple(Located(f, *finding_span(result.dockerfile, f)) for f in result.findings)
    except Exception as exc:  # a bug must cost one diagnostic, not the server
        logger.exception("linting %s failed", path)
        return DocumentLint(path, data, options=options, problem=f"dfmemlint failed: {exc!r}")
    return DocumentLint(path, data, located, options, result)


def _from_compose(linker: Linker, path: str, options: LintOptions) -> LintOptions:
    from dfmemlint.compose.link import with_service_limit

    if not options.memory_limit_from_cli:
        options, _ = with_service_limit(options, linker.services_building(path))
    return replace(options, context_dir=os.path.dirname(path))


def fix_all(document: DocumentLint) -> bytes | None:
    """The text with every safe fix applied (re-read and re-linted by the fixer, as ``--fix``
    does), or None when nothing changes or the fixer reverted."""
    if document.options is None or document.result is None:
        return None
    outcome = fix_file(document.path, document.data, document.options, unsafe=False)
    if not outcome.changed or outcome.data == document.data:
        return None
    return outcome.data
