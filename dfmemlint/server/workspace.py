"""The workspace's Kubernetes manifests, for the ConfigMaps a document's containers read from
another file and the containers of other files that read a document's ConfigMaps: the same
index (:class:`dfmemlint.kubernetes.configmaps.ManifestIndex`) that ``dfmemlint PATH...`` builds
over the files of a run, here over the manifests under the workspace folders, with the editor's
text for every open document in place of the file on disk.

Kept cheap on the typing path: the workspace is searched once, on the first lint of a manifest
(in the linting thread, never for a Dockerfile), the way a directory search of the command line
picks files (its exclusions and configuration), keeping only the manifests whose bytes mention
a ConfigMap or a ``configMapRef``/``configMapKeyRef`` (at most :data:`MAX_FILES` YAML files are
read). A lint then costs a search of the bytes of the documents that changed, and a parse of a
file only when its bytes changed (a :class:`~dfmemlint.kubernetes.configmaps.ParseCache` shared
by every lint); a manifest that no other file shares ConfigMaps with is linted alone, as before.
A file on disk is read again when the editor saves or closes it or reports it changed
(``workspace/didChangeWatchedFiles``), and the whole search is made again when the
configuration changes.

Used from the linting thread only, except :meth:`WorkspaceManifests.changed` and
:meth:`WorkspaceManifests.reset`, which the event loop calls (under a lock).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence

from dfmemlint import formats
from dfmemlint.config import ConfigError, find_config
from dfmemlint.files import DEFAULT_EXCLUDE, MAX_FILE_BYTES, excluded_by, expand_paths
from dfmemlint.kubernetes.configmaps import ManifestIndex, ParseCache

#: The most YAML files one search of the workspace reads (a larger tree is searched in part).
MAX_FILES = 5000
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
        self._lock = threading.Lock()
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

    def _catch_up(self) -> None:
        with self._lock:
            rescan, self._rescan = self._rescan, False
            stale, self._stale = self._stale, set()
        if rescan:
            self._search()
            return
        for path in sorted(stale):
            self._refresh(path)

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
        self, path: str, data: bytes, others: Iterable[tuple[str, str]] = ()
    ) -> ManifestIndex | None:
        """The index to lint the manifest ``path`` (its text: ``data``) with: the workspace's
        manifests, ``others`` (the other open documents: path and text) in place of their
        files. None when no other file takes part with it (it is linted alone)."""
        self._catch_up()
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
