"""The workspace's Kubernetes manifests, for the ConfigMaps a document's containers read from
another file and the containers of other files that read a document's ConfigMaps: the same
index (:class:`dfmemlint.kubernetes.configmaps.ManifestIndex`) that ``dfmemlint PATH...`` builds
over the files of a run, here over the manifests under the workspace folders, with the editor's
text for every open document in place of the file on disk.

Kept cheap on the typing path: the workspace is searched once, before the first lint of a YAML
document (never for a Dockerfile), the way a directory search of the command line
picks files (its exclusions and configuration), keeping only the manifests whose bytes mention
a ConfigMap or a ``configMapRef``/``configMapKeyRef`` (at most :data:`MAX_FILES` YAML files are
read). A lint then costs a search of the bytes of the documents that changed, and a parse of a
file only when its bytes changed (a :class:`~dfmemlint.kubernetes.configmaps.ParseCache` shared
by every lint); a manifest that no other file shares ConfigMaps with is linted alone, as before.
A file on disk is read again when the editor saves or closes it or reports it changed
(``workspace/didChangeWatchedFiles``), and the whole search is made again when the
configuration changes.

The server makes the search in a thread of its own (:meth:`WorkspaceManifests.prepare`) before
it hands a YAML document to the linting thread, so the search (a quarter of a second on a large
tree) never holds up the lint of a Dockerfile queued behind it; the lint then finds the search
made (:meth:`WorkspaceManifests.index`). :meth:`WorkspaceManifests.changed` and
:meth:`WorkspaceManifests.reset` are called from the event loop; the rest from either thread,
one at a time (under a lock).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from dfmemlint import formats
from dfmemlint.config import ConfigError, find_config
from dfmemlint.files import DEFAULT_EXCLUDE, MAX_FILE_BYTES, excluded_by, expand_paths
from dfmemlint.kubernetes.configmaps import ManifestIndex, ParseCache

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

logger = logging.getLogger(__name__)

#: The most YAML files one search of the workspace reads (a larger tree is searched in part).
MAX_FILES = 5000
#: The files whose change on disk may change a lint besides the document's own text: YAML
#: (manifests with their ConfigMaps, Compose files, kustomizations), the env files Compose
#: reads, and dfmemlint's configuration. The editor is asked to report them
#: (``workspace/didChangeWatchedFiles``, registered when it supports dynamic registration).
WATCHED = (
    "**/*.{yaml,yml}",
    "**/Kustomization",
    "**/{.env,*.env}",
    "**/{pyproject.toml,.dfmemlint.toml,dfmemlint.toml}",
)
_NOT_YAML = "not YAML"


def _nothing(_problem: object) -> None:
    """A directory without manifests, or a link that leads nowhere: nothing to say."""


def _excluded(path: str, is_dir: bool) -> str | None:
    """Why the search passes over ``path``: a file that is not YAML, or what the configuration
    found for it excludes (``exclude``, else the defaults, and ``extend-exclude``), as the
    command line's directory search does."""
    if not is_dir and not formats.is_yaml_name(os.path.basename(path)):
        return _NOT_YAML
    try:
        config = find_config(path if is_dir else os.path.dirname(path) or ".")
    except ConfigError:
        return excluded_by(path, DEFAULT_EXCLUDE, "")
    base = config.directory or ""
    patterns = config.exclude if config.exclude is not None else DEFAULT_EXCLUDE
    return excluded_by(path, patterns, base) or excluded_by(path, config.extend_exclude, base)


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError:
        return None
    return data if len(data) <= MAX_FILE_BYTES else None


class WorkspaceManifests:
    """The manifests of the workspace folders ``roots`` (absolute paths) that can share
    ConfigMaps, and the index a document is linted with."""

    def __init__(self, roots: Sequence[str] = ()) -> None:
        self._lock = threading.Lock()  # what the event loop asks for
        self._work = threading.Lock()  # the search and the index, one thread at a time
        self._searching = False
        self._roots = tuple(os.path.abspath(root) for root in roots)
        self._rescan = True
        self._stale: set[str] = set()
        self._disk: dict[str, bytes] = {}  # path -> bytes, manifests that take part
        self._reals: dict[str, str] = {}  # path -> the file it is (symbolic links resolved)
        self._cache = ParseCache()
        self._open: dict[str, tuple[str, bytes, bool]] = {}  # path -> text, bytes, a manifest

    # -- from the event loop ------------------------------------------------------------------

    def reset(self, roots: Sequence[str] | None = None) -> None:
        """Search the workspace again before the next lint (the configuration changed), in
        ``roots`` when given (the workspace folders)."""
        with self._lock:
            if roots is not None:
                self._roots = tuple(os.path.abspath(root) for root in roots)
            self._rescan = True

    def changed(self, paths: Iterable[str]) -> None:
        """Read these files from disk again before the next lint (saved, closed, changed)."""
        with self._lock:
            self._stale.update(os.path.abspath(path) for path in paths)

    # -- from the linting thread --------------------------------------------------------------

    def _takes_part(self, path: str, data: bytes) -> bool:
        defines, refers = self._cache.mentions(path, data)
        return (defines or refers) and formats.detect(path, data) is formats.Format.KUBERNETES

    def _search(self) -> None:
        self._disk = {}
        self._reals = {}
        read = 0
        for root in self._roots:
            if not os.path.isdir(root):
                continue
            for path in expand_paths([root], excluded=_excluded, error=_nothing):
                if read >= MAX_FILES:
                    return
                read += 1
                self._refresh(os.path.abspath(path))

    def _searched(self, path: str) -> bool:
        """Whether the search would find ``path``: under a root, and neither it nor a
        directory on the way to it excluded."""
        for root in self._roots:
            if not path.startswith(root.rstrip(os.sep) + os.sep):
                continue
            parts = os.path.relpath(path, root).split(os.sep)
            ancestors = (os.path.join(root, *parts[:end]) for end in range(1, len(parts)))
            if all(_excluded(directory, True) is None for directory in ancestors):
                return _excluded(path, False) is None
        return False

    def _refresh(self, path: str) -> None:
        data = _read(path) if self._searched(path) else None
        if data is not None and self._takes_part(path, data):
            self._disk[path] = data
        else:
            self._disk.pop(path, None)
            self._cache.forget(path)

    def _catch_up(self, *, search: bool = True) -> bool:
        """Search, or read the changed files again, as asked since the last time; False (and
        nothing done) when a search is asked for and ``search`` is False."""
        with self._lock:
            if self._rescan and not search:
                return False
            rescan, self._rescan = self._rescan, False
            stale, self._stale = self._stale, set()
        if rescan:
            self._searching = True
            try:
                self._search()
            finally:
                self._searching = False
            return True
        for path in sorted(stale):
            self._refresh(path)
        return True

    def prepare(self) -> None:
        """Make the search (or read again the files reported changed) now, so that the next
        :meth:`index` finds it made: the server calls this in a thread of its own."""
        with self._work:
            self._catch_up()

    def _real(self, path: str) -> str:
        if path not in self._reals:
            self._reals[path] = os.path.realpath(path)
        return self._reals[path]

    def _open_bytes(self, path: str, text: str) -> tuple[bytes, bool]:
        """An open document's text as bytes, and whether it takes part, kept while the text is
        the same (so the cache finds the same bytes object, and nothing is searched again)."""
        known = self._open.get(path)
        if known is not None and known[0] is text:
            return known[1], known[2]
        from dfmemlint.server.linting import to_bytes

        data = to_bytes(text)
        takes_part = self._takes_part(path, data)
        self._open[path] = (text, data, takes_part)
        return data, takes_part

    def index(
        self,
        path: str,
        data: bytes,
        others: Iterable[tuple[str, str]] = (),
        *,
        prepared: bool = False,
    ) -> ManifestIndex | None:
        """The index to lint the manifest ``path`` (its text: ``data``) with: the workspace's
        manifests, ``others`` (the other open documents: path and text) in place of their
        files. None when no other file takes part with it (it is linted alone).

        ``prepared``: the caller ran :meth:`prepare` before this lint, so a search asked for
        or running now was asked for after it (the configuration changed: this lint is stale):
        it is neither made nor waited for here, and None comes back at once."""
        if prepared:
            while not self._work.acquire(timeout=0.01):
                if self._searching:
                    return None
        else:
            self._work.acquire()
        try:
            if not self._catch_up(search=not prepared):
                return None
            return self._index(path, data, others)
        finally:
            self._work.release()

    def _index(
        self, path: str, data: bytes, others: Iterable[tuple[str, str]]
    ) -> ManifestIndex | None:
        others = list(others)
        # An open document stands for its file also under another name (a symbolic link).
        shown = {self._real(name) for name in (path, *(other for other, _text in others))}
        files = {name: disk for name, disk in self._disk.items() if self._real(name) not in shown}
        open_paths = set()
        for other, text in others:
            open_paths.add(other)
            other_data, takes_part = self._open_bytes(other, text)
            if takes_part:
                files[other] = other_data
            else:
                files.pop(other, None)
        for closed in set(self._open) - open_paths - {path}:
            del self._open[closed]
        if not files:
            return None
        index = ManifestIndex([(path, data), *files.items()], cache=self._cache)
        return index if path in index.paths and len(index.paths) > 1 else None


def watch_registration() -> types.RegistrationParams:
    """The ``client/registerCapability`` request for :data:`WATCHED` (every kind of change)."""
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=pattern) for pattern in WATCHED]
    )
    return types.RegistrationParams(
        registrations=[
            types.Registration(
                id="dfmemlint-watched-files",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=options,
            )
        ]
    )


async def watch(server: LanguageServer) -> None:
    """Ask the editor to report the files of :data:`WATCHED` when they change on disk, if it
    can register that at run time (its ``workspace.didChangeWatchedFiles.dynamicRegistration``
    capability); an editor that refuses is logged, not shown."""
    workspace = server.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace else None
    if watched is None or not watched.dynamic_registration:
        return
    try:
        await server.client_register_capability_async(watch_registration())
    except JsonRpcException as exc:
        logger.warning("the editor refused to watch files: %s", exc)
