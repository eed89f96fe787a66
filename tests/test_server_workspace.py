"""The language server's index of the workspace's manifests (``server/workspace.py``): which
files take part, the editor's text in place of a file, files read again when reported changed,
and each file searched and parsed once while its bytes stay the same."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, cast

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcMethodNotFound

from dfmemlint import config
from dfmemlint.kubernetes import configmaps
from dfmemlint.server import workspace
from dfmemlint.server.linting import lint_document
from dfmemlint.server.settings import ClientSettings
from dfmemlint.server.workspace import WorkspaceManifests
from dfmemlint.yamlsource import reader

if TYPE_CHECKING:
    from pygls.lsp.server import LanguageServer

CONFIG_MAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tuning}\ndata: {GOMEMLIMIT: "%s"}\n'
DEPLOYMENT = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: %s}\nspec:\n  template:\n"
    "    spec:\n      containers:\n        - name: app\n          envFrom:\n"
    "            - configMapRef: {name: tuning}\n          resources: {limits: {memory: 1Gi}}\n"
)


def _paths(index: configmaps.ManifestIndex | None) -> list[str]:
    assert index is not None
    return [Path(path).name for path in index.paths]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "configmap.yaml").write_text(CONFIG_MAP % "512MB")
    (tmp_path / "api.yaml").write_text(DEPLOYMENT % "api")
    (tmp_path / "service.yaml").write_text(  # a manifest that shares no ConfigMap
        "apiVersion: v1\nkind: Service\nmetadata: {name: api}\n"
    )
    (tmp_path / "compose.yaml").write_text("services: {api: {image: x}}\n")
    (tmp_path / "values.yaml").write_text("configMapRef: x\n")  # not a manifest
    (tmp_path / "Dockerfile").write_text("FROM golang:1.22\n")
    (tmp_path / "vendor").mkdir()  # excluded by default
    (tmp_path / "vendor" / "v.yaml").write_text(DEPLOYMENT % "vendored")
    (tmp_path / "fixtures").mkdir()
    (tmp_path / "fixtures" / "f.yaml").write_text(DEPLOYMENT % "fixture")
    (tmp_path / ".dfmemlint.toml").write_text('extend-exclude = ["fixtures"]\n')
    return tmp_path


def test_the_manifests_that_take_part(tree: Path) -> None:
    manifests = WorkspaceManifests([str(tree)])
    path = str(tree / "worker.yaml")
    index = manifests.index(path, (DEPLOYMENT % "worker").encode())
    assert sorted(_paths(index)) == ["api.yaml", "configmap.yaml", "worker.yaml"]
    assert _paths(index)[0] == "worker.yaml"  # the linted document first


def test_a_document_that_shares_nothing_is_linted_alone(tree: Path) -> None:
    manifests = WorkspaceManifests([str(tree)])
    service = b"apiVersion: v1\nkind: Service\nmetadata: {name: x}\n"
    assert manifests.index(str(tree / "x.yaml"), service) is None
    assert WorkspaceManifests().index(str(tree / "api.yaml"), b"configMapRef") is None


def test_a_configuration_that_cannot_be_read_excludes_the_defaults(tree: Path) -> None:
    (tree / ".dfmemlint.toml").write_text("extend-exclude = [\n")
    manifests = WorkspaceManifests([str(tree)])
    index = manifests.index(str(tree / "w.yaml"), (DEPLOYMENT % "w").encode())
    assert sorted(_paths(index)) == ["api.yaml", "configmap.yaml", "f.yaml", "w.yaml"]


def test_open_documents_replace_their_files(tree: Path) -> None:
    manifests = WorkspaceManifests([str(tree)])
    api = str(tree / "api.yaml")
    config_map = str(tree / "configmap.yaml")
    opened = CONFIG_MAP % "1GiB"
    index = manifests.index(api, (DEPLOYMENT % "api").encode(), [(config_map, opened)])
    assert index is not None
    [defined] = index.definers(api)
    assert defined.stream.data == opened.encode()
    # An open document that is no longer a manifest takes no part, whatever its file says.
    index = manifests.index(api, (DEPLOYMENT % "api").encode(), [(config_map, "a: b\n")])
    assert index is None
    # Closed: its file counts again.
    index = manifests.index(api, (DEPLOYMENT % "api").encode())
    assert index is not None
    assert index.definers(api)[0].stream.data == (CONFIG_MAP % "512MB").encode()


def test_files_reported_changed_are_read_again(tree: Path) -> None:
    manifests = WorkspaceManifests([str(tree)])
    api = str(tree / "api.yaml")
    data = (DEPLOYMENT % "api").encode()
    assert "configmap.yaml" in _paths(manifests.index(api, data))
    (tree / "configmap.yaml").unlink()
    (tree / "second.yaml").write_text(CONFIG_MAP % "2GiB")
    outside = tree.parent / "outside.yaml"
    outside.write_text(CONFIG_MAP % "3GiB")
    manifests.changed(
        [str(tree / "configmap.yaml"), str(tree / "second.yaml"), str(outside),
         str(tree / "fixtures" / "f.yaml")]
    )
    assert sorted(_paths(manifests.index(api, data))) == ["api.yaml", "second.yaml"]
    # A new search (the configuration changed) finds what is there now.
    (tree / ".dfmemlint.toml").unlink()
    config.clear_cache()  # as the server does when the configuration changes
    manifests.reset()
    assert sorted(_paths(manifests.index(api, data))) == ["api.yaml", "f.yaml", "second.yaml"]
    manifests.reset([str(tree / "missing")])
    assert manifests.index(api, data) is None


def test_large_files_and_many_files(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tree / "configmap.yaml").write_text("#" * 2000 + "\n" + CONFIG_MAP % "512MB")
    monkeypatch.setattr(workspace, "MAX_FILE_BYTES", 1000)
    manifests = WorkspaceManifests([str(tree)])
    api = str(tree / "api.yaml")
    assert manifests.index(api, (DEPLOYMENT % "api").encode()) is None  # configmap.yaml: too large
    monkeypatch.undo()
    monkeypatch.setattr(workspace, "MAX_FILES", 1)  # the search stops after one YAML file
    manifests = WorkspaceManifests([str(tree)])
    assert manifests.index(str(tree / "w.yaml"), (DEPLOYMENT % "w").encode()) is not None
    assert len(manifests._disk) == 1


def test_each_file_is_parsed_once_while_its_bytes_stay(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Typing in one manifest parses that document again and nothing else: the workspace's
    files and the other open documents are parsed once."""
    parsed: Counter[bytes] = Counter()
    real = reader.read_stream

    def counting(data: bytes) -> reader.YamlStream:
        parsed[data] += 1
        return real(data)

    monkeypatch.setattr(reader, "read_stream", counting)
    monkeypatch.setattr("dfmemlint.kubernetes.lint.read_stream", counting)
    manifests = WorkspaceManifests([str(tree)])
    path = str(tree / "configmap.yaml")
    other = str(tree / "other.yaml")
    other_text = DEPLOYMENT % "other"
    for value in ("512MB", "512MiB", "600MB"):
        text = CONFIG_MAP % value
        result = lint_document(
            path, text, ClientSettings(),
            manifests=lambda p, d: manifests.index(p, d, [(other, other_text)]),
        )
        readers = [f.finding.message for f in result.findings if f.finding.code == "DFM004"]
        assert all("Deployment/api in" in m and "Deployment/other in" in m for m in readers)
    assert parsed[(DEPLOYMENT % "api").encode()] == 1
    assert parsed[other_text.encode()] == 1
    assert [parsed[(CONFIG_MAP % v).encode()] for v in ("512MB", "512MiB", "600MB")] == [1, 1, 1]


def test_an_open_document_stands_for_its_file_under_another_name(tree: Path) -> None:
    """The workspace reached through a symbolic link: the editor's text of configmap.yaml is
    the only copy of that ConfigMap, not a second definition beside the file's."""
    link = tree.parent / "link"
    link.symlink_to(tree)
    manifests = WorkspaceManifests([str(tree)])
    api = str(tree / "api.yaml")
    edited = str(link / "configmap.yaml")
    index = manifests.index(edited, (CONFIG_MAP % "600MB").encode())
    assert sorted(_paths(index)) == ["api.yaml", "configmap.yaml"]
    assert index is not None
    assert index.paths[0] == edited  # the file's own name is not there
    index = manifests.index(api, (DEPLOYMENT % "api").encode(), [(edited, CONFIG_MAP % "7GiB")])
    assert index is not None
    [defined] = index.definers(api)
    assert defined.path == edited


def _counting_searches(manifests: WorkspaceManifests, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    searches: list[str] = []
    search = manifests._search

    def counted() -> None:
        searches.append("search")
        search()

    monkeypatch.setattr(manifests, "_search", counted)
    return searches


def test_a_prepared_index_leaves_the_search_to_prepare(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server searches in a thread of its own (prepare) before the lint; the lint's index
    then searches nothing, and one that finds a search asked for since (the configuration
    changed: the lint is stale) is None at once."""
    manifests = WorkspaceManifests([str(tree)])
    searches = _counting_searches(manifests, monkeypatch)
    path, data = str(tree / "worker.yaml"), (DEPLOYMENT % "worker").encode()
    manifests.prepare()
    assert searches == ["search"]
    assert sorted(_paths(manifests.index(path, data, prepared=True))) == [
        "api.yaml", "configmap.yaml", "worker.yaml"
    ]
    manifests.reset()
    assert manifests.index(path, data, prepared=True) is None
    assert searches == ["search"]
    manifests.prepare()
    assert searches == ["search", "search"]
    assert manifests.index(path, data, prepared=True) is not None
    manifests.prepare()  # nothing asked for since: nothing searched
    assert searches == ["search", "search"]


def test_a_prepared_index_does_not_wait_for_a_search(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifests = WorkspaceManifests([str(tree)])
    manifests.prepare()
    started, release = threading.Event(), threading.Event()
    search = manifests._search

    def held() -> None:
        started.set()
        release.wait(30)
        search()

    monkeypatch.setattr(manifests, "_search", held)
    manifests.reset()
    searching = threading.Thread(target=manifests.prepare)
    searching.start()
    assert started.wait(30)
    path, data = str(tree / "worker.yaml"), (DEPLOYMENT % "worker").encode()
    assert manifests.index(path, data, prepared=True) is None  # at once, while it searches
    release.set()
    searching.join(30)
    assert manifests.index(path, data, prepared=True) is not None


def test_an_editor_that_refuses_to_watch_files(caplog: pytest.LogCaptureFixture) -> None:
    class Refusing:
        client_capabilities = types.ClientCapabilities(
            workspace=types.WorkspaceClientCapabilities(
                did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                    dynamic_registration=True
                )
            )
        )

        async def client_register_capability_async(self, params: object) -> None:
            raise JsonRpcMethodNotFound.of(types.CLIENT_REGISTER_CAPABILITY)

    asyncio.run(workspace.watch(cast("LanguageServer", Refusing())))
    assert "the editor refused to watch files: Method Not Found" in caplog.text
