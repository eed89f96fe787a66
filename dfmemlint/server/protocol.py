"""The language server's wiring: LSP messages in, diagnostics, code actions and hovers out.

Built on pygls (``pygls.lsp.server.LanguageServer``) and its lsprotocol types rather than an own
JSON-RPC loop: pygls keeps the open documents in sync (incremental changes, UTF-16 positions),
negotiates the position encoding, answers a malformed or unknown request with an LSP error
response and keeps serving. The shape follows astral-sh/ruff-lsp ``ruff_lsp/server.py``:
diagnostics from the same engine as the command line, code actions built from the fixes,
settings from ``initializationOptions`` and ``workspace/didChangeConfiguration``.

Linting runs off the event loop, one document at a time, and an edit made alone is linted at
once. Edits that come in a burst (while the document is being linted, or within
:data:`QUIET_SECONDS` of the one before) are not linted one by one: the server waits until they
stop for :data:`QUIET_SECONDS` and lints the newest version; a lint overtaken by an edit is
dropped, never published. So 200 rapid ``didChange`` end in diagnostics for the last version,
and every published diagnostic carries the version it was computed for. Standard input is read
a pipe's worth at a time (:mod:`dfmemlint.server.stdio`), so the edits an editor sent together
are applied before any lint begins, however loaded the machine is.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO

from lsprotocol import types
from pygls import uris
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from dfmemlint import __version__, config, formats
from dfmemlint.compose.link import Linker
from dfmemlint.config import CONFIG_FILES, ConfigError
from dfmemlint.formats import Format
from dfmemlint.records import Record
from dfmemlint.server import actions, hover
from dfmemlint.server.collector import Collector
from dfmemlint.server.diagnostics import LineIndex, diagnostics
from dfmemlint.server.linting import (
    DocumentLint,
    is_compose_file,
    is_dockerfile,
    lint_document,
    reads,
)
from dfmemlint.server.settings import ClientSettings, parse_settings
from dfmemlint.server.stdio import AnsweringProtocol
from dfmemlint.server.workspace import WorkspaceManifests, watch

logger = logging.getLogger(__name__)

#: Edits closer together than this are a burst, linted once they pause this long (seconds).
QUIET_SECONDS = 0.01


class Linted(Record):
    version: int | None
    document: DocumentLint
    lines: LineIndex


class Snapshot(Record):
    """One version of an open document, and the text of the other open YAML documents on disk
    (path, text: a manifest's containers may read their ConfigMaps)."""

    uri: str
    language_id: str | None
    version: int | None
    text: str
    others: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, document: TextDocument, others: tuple[tuple[str, str], ...] = ()) -> Snapshot:
        return cls(document.uri, document.language_id, document.version, document.source, others)


def _fs_path(uri: str) -> str | None:
    """The file a ``file:`` URI names (None for another scheme: an unsaved buffer)."""
    return uris.to_fs_path(uri) if uri.startswith("file:") else None


class DfmemlintServer(LanguageServer):
    """pygls' server with the per-document state dfmemlint keeps."""

    def __init__(self) -> None:
        super().__init__("dfmemlint", __version__, protocol_cls=AnsweringProtocol)
        self.client_settings = ClientSettings()
        self.linted: dict[str, Linted] = {}
        self.pending: dict[str, asyncio.Task[None]] = {}
        self.changed_at: dict[str, float] = {}  # uri -> time.monotonic() of its last edit
        self.bursting: set[str] = set()
        self.linter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dfmemlint-lint")
        # The search of the workspace's manifests, off the linting thread (server.workspace).
        self.searcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dfmemlint-search")
        # The Compose projects read so far (used from the linting thread only).
        self.linker = Linker()
        # The workspace's manifests, for ConfigMaps across files (used from the linting thread).
        self.manifests = WorkspaceManifests()
        self.collector = Collector()  # started by main(), not in tests that import the server
        #: Counts configuration changes: a lint begun before one is stale like an edited one.
        self.generation = 0

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over standard input and output (:func:`dfmemlint.server.stdio.serve`: as
        pygls does, with the messages an editor sent together handled together)."""
        from dfmemlint.server.stdio import serve

        serve(self, stdin or sys.stdin.buffer, stdout or sys.stdout.buffer)

    def report_server_error(self, error: Exception, source: Any) -> None:
        """A message that could not be read is logged; it has had its answer (if it was a
        request), so it is not worth a pop-up in the editor."""
        if source is JsonRpcException:
            self.window_log_message(
                types.LogMessageParams(
                    type=types.MessageType.Warning, message=f"dfmemlint: ignored: {error}"
                )
            )
            return
        super().report_server_error(error, source)

    # -- settings ---------------------------------------------------------------------------

    def apply_settings(self, raw: object) -> None:
        """Take the editor's settings; a bad one is reported and the previous settings stay."""
        try:
            self.client_settings = parse_settings(raw)
        except ConfigError as exc:
            self.window_show_message(
                types.ShowMessageParams(type=types.MessageType.Error, message=f"dfmemlint: {exc}")
            )

    # -- documents --------------------------------------------------------------------------

    def open_document(self, uri: str) -> TextDocument | None:
        """The open document at ``uri`` (pygls would read a closed one from disk: never)."""
        document: TextDocument | None = self.workspace.text_documents.get(uri)
        return document

    def _place(self, uri: str) -> tuple[str, str | None]:
        """The path to lint a document as, and where to start looking for its configuration
        (None: from the path, for a document on disk)."""
        path = uris.to_fs_path(uri) if uri.startswith("file:") else None
        if path is not None:
            return path, None
        root = self.workspace.root_path or os.getcwd()
        return uri, root

    def roots(self) -> list[str]:
        """The workspace folders (or the root) as paths."""
        folders = [f.uri for f in self.workspace.folders.values()] or [self.workspace.root_uri]
        return [uris.to_fs_path(uri) or "" for uri in folders if uri and uri.startswith("file:")]

    def snapshot(self, document: TextDocument) -> Snapshot:
        """One version of ``document`` and, for a YAML document on disk, the text of the other
        open YAML documents on disk (taken on the event loop, which applies the edits)."""
        path = _fs_path(document.uri)
        if path is None or not formats.is_yaml_name(os.path.basename(path)):
            return Snapshot.of(document)
        others = tuple(
            (other_path, other.source)
            for uri, other in self.workspace.text_documents.items()
            if uri != document.uri
            and (other_path := _fs_path(uri)) is not None
            and formats.is_yaml_name(os.path.basename(other_path))
        )
        return Snapshot.of(document, others)

    def relint_manifests(self, besides: str) -> None:
        """A manifest was opened, saved or closed: the other open manifests may read its
        ConfigMaps (or it theirs), so lint them again."""
        for uri, linted in list(self.linted.items()):
            if uri != besides and linted.document.kind == Format.KUBERNETES:
                self.schedule(uri)

    def lint_now(self, snapshot: Snapshot) -> Linted | None:
        """Lint one version of a document (None: not a file dfmemlint reads)."""
        path, config_start = self._place(snapshot.uri)
        if not reads(path, snapshot.language_id):
            return None
        result = lint_document(
            path,
            snapshot.text,
            self.client_settings,
            language_id=snapshot.language_id,
            config_start=config_start,
            linker=self.linker,
            manifests=lambda path, data: self.manifests.index(
                path, data, snapshot.others, prepared=True
            ),
        )
        encoding = self.workspace.position_encoding or types.PositionEncodingKind.Utf16
        return Linted(snapshot.version, result, LineIndex(result.data, encoding))

    async def current(self, uri: str) -> Linted | None:
        """The lint of the document's current version (linted now, in the linting thread, if
        it is not yet)."""
        document = self.open_document(uri)
        if document is None:
            return None
        linted = self.linted.get(uri)
        if linted is not None and linted.version == document.version:
            return linted
        await self.prepare(document)
        loop = asyncio.get_running_loop()
        snapshot, generation = self.snapshot(document), self.generation
        linted = await loop.run_in_executor(self.linter, self.lint_now, snapshot)
        if linted is not None and generation == self.generation:
            self.linted[uri] = linted  # kept unless the configuration changed meanwhile
        return linted

    async def prepare(self, document: TextDocument) -> None:
        """Before a YAML document on disk is linted (it may read ConfigMaps of other files),
        have the workspace searched in the search thread; a Dockerfile never waits for it."""
        path = _fs_path(document.uri)
        if path is None or is_dockerfile(path, document.language_id):
            return
        await asyncio.get_running_loop().run_in_executor(self.searcher, self.manifests.prepare)

    def edited(self, uri: str) -> None:
        """An edit arrived: lint now, or after the burst it belongs to (see the module)."""
        now = time.monotonic()
        self.collector.edited()
        previous = self.changed_at.get(uri)
        self.changed_at[uri] = now
        task = self.pending.get(uri)
        if (task is not None and not task.done()) or (
            previous is not None and now - previous < QUIET_SECONDS
        ):
            self.bursting.add(uri)
        self.schedule(uri)

    async def _quiet(self, uri: str) -> None:
        """Wait until a burst of edits to ``uri`` pauses for QUIET_SECONDS."""
        while uri in self.bursting:
            waited = time.monotonic() - self.changed_at.get(uri, 0.0)
            if waited >= QUIET_SECONDS:
                self.bursting.discard(uri)
                return
            await asyncio.sleep(QUIET_SECONDS - waited)

    def schedule(self, uri: str) -> None:
        """Lint ``uri`` soon; if a lint of it is running, the newest version follows it."""
        task = self.pending.get(uri)
        if task is None or task.done():
            self.pending[uri] = asyncio.ensure_future(self._lint_until_current(uri))

    async def _lint_until_current(self, uri: str) -> None:
        loop = asyncio.get_running_loop()
        while True:
            # Let notifications already received (a burst of didChange) apply first.
            await asyncio.sleep(0)
            await self._quiet(uri)
            document = self.open_document(uri)
            if document is None:
                return
            await self.prepare(document)
            # Taken here, on the loop that applies changes, never in the linting thread.
            snapshot = self.snapshot(document)
            generation = self.generation
            linted = await loop.run_in_executor(self.linter, self.lint_now, snapshot)
            document = self.open_document(uri)
            if document is None:
                return
            if document.version != snapshot.version or generation != self.generation:
                continue  # changed (or reconfigured) while linting: this result is stale
            if linted is None:
                return
            self.linted[uri] = linted
            self.publish(uri, linted)
            self.collector.linted()
            return

    def publish(self, uri: str, linted: Linted) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri,
                version=linted.version,
                diagnostics=diagnostics(linted.document, linted.lines),
            )
        )

    def relint_all(self, *, search: bool = True) -> None:
        """Configuration may have changed: forget what was found and lint every open document
        (``search``: also search the workspace's manifests again)."""
        config.clear_cache()
        self.linker = Linker()
        if search:
            self.manifests.reset(self.roots())
        self.generation += 1
        self.linted.clear()
        for uri in list(self.workspace.text_documents):
            self.schedule(uri)

    def close(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()
        self.linted.pop(uri, None)
        self.changed_at.pop(uri, None)
        self.bursting.discard(uri)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )


def create_server() -> DfmemlintServer:
    server = DfmemlintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: DfmemlintServer, params: types.InitializeParams) -> None:
        ls.apply_settings(params.initialization_options)
        ls.manifests.reset(ls.roots())

    @server.feature(types.INITIALIZED)
    async def initialized(ls: DfmemlintServer, params: types.InitializedParams) -> None:
        await watch(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(
        ls: DfmemlintServer, params: types.DidChangeConfigurationParams
    ) -> None:
        ls.apply_settings(params.settings)
        ls.relint_all()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(
        ls: DfmemlintServer, params: types.DidChangeWatchedFilesParams
    ) -> None:
        paths = [path for change in params.changes if (path := _fs_path(change.uri))]
        ls.manifests.changed(paths)
        names = {os.path.basename(path) for path in paths}
        ls.relint_all(search=bool(names & set(CONFIG_FILES)))

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_workspace_folders(
        ls: DfmemlintServer, params: types.DidChangeWorkspaceFoldersParams
    ) -> None:
        # pygls has updated ls.workspace.folders: search the new folders' manifests.
        ls.relint_all()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: DfmemlintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: DfmemlintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.edited(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: DfmemlintServer, params: types.DidSaveTextDocumentParams) -> None:
        # A saved configuration file changes how every document is linted.
        name = os.path.basename(params.text_document.uri)
        uri = params.text_document.uri
        path = _fs_path(uri)
        if path is not None:
            ls.manifests.changed([path])  # the file on disk is the saved text now
        if name in CONFIG_FILES or is_compose_file(name):
            ls.relint_all()
        else:
            ls.schedule(uri)
            linted = ls.linted.get(uri)
            if linted is not None and linted.document.kind == Format.KUBERNETES:
                ls.relint_manifests(uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: DfmemlintServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        path = _fs_path(uri)
        if path is not None:
            ls.manifests.changed([path])  # the file on disk counts again, not the editor's text
        was_manifest = (linted := ls.linted.get(uri)) is not None and (
            linted.document.kind == Format.KUBERNETES
        )
        ls.close(uri)
        if was_manifest:
            ls.relint_manifests(uri)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, actions.FIX_ALL_KIND]
        ),
    )
    async def code_action(
        ls: DfmemlintServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        uri = params.text_document.uri
        linted = await ls.current(uri)
        if linted is None:
            return None
        found = actions.code_actions(
            linted.document, linted.lines, uri, linted.version, params.range, params.context.only
        )
        return found or None

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    async def on_hover(ls: DfmemlintServer, params: types.HoverParams) -> types.Hover | None:
        linted = await ls.current(params.text_document.uri)
        if linted is None:
            return None
        offset = linted.lines.offset(params.position)
        found = hover.hover_document(linted.document, offset)
        if found is None:
            return None
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=found.markdown),
            range=linted.lines.range(found.start, found.end),
        )

    return server


def main() -> int:
    """Serve LSP over standard input and output until the client says ``exit``."""
    server = create_server()
    server.collector.start()
    server.start_io()
    return 0
