"""The language server's search of the workspace's manifests (``server.workspace``), end to
end with pytest-lsp: it runs beside the linting thread, never in front of a Dockerfile's lint,
and the editor is asked to report the files it reads when they change on disk."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from helpers.gated_search_server import GATE
from helpers.lsp import Client, make_client
from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from dfmemlint.server.workspace import WATCHED

pytestmark = pytest.mark.asyncio(loop_scope="function")

TIMEOUT = 20.0
SERVER = Path(__file__).parent / "helpers" / "gated_search_server.py"

# GOGC=off from the Deployment, GOMEMLIMIT from the ConfigMap of another file, if it sets one:
# DFM008 (the heap grows unbounded) only once that file is known to set none.
CONFIG_MAP = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tuning}\ndata:\n  %s\n"
UNBOUNDED = CONFIG_MAP % 'OTHER: "x"'
CONSUMER = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n"
    "  template:\n    spec:\n      containers:\n        - name: api\n          image: a\n"
    "          envFrom: [{configMapRef: {name: tuning}}]\n"
    '          env: [{name: GOGC, value: "off"}]\n'
)
DOCKERFILE = 'FROM golang:1.22\nENV GOMEMLIMIT=512MB\nCMD ["/app"]\n'


@pytest_lsp.fixture(  # type: ignore[untyped-decorator,unused-ignore]
    config=ClientServerConfig(
        server_command=[sys.executable, str(SERVER)], client_factory=make_client
    ),
)
async def client(lsp_client: Client) -> AsyncIterator[Client]:
    yield lsp_client
    await lsp_client.shutdown_session()


async def _initialize(client: Client, root: Path) -> None:
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"), root_uri=root.as_uri()
        )
    )


def _open(client: Client, path: Path, text: str, language: str) -> str:
    path.write_text(text)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=path.as_uri(), language_id=language, version=1, text=text
            )
        )
    )
    return path.as_uri()


async def _codes(client: Client, uri: str, version: int, after: int = 0) -> list[str]:
    """The codes of the first diagnostics published for ``version`` of ``uri`` after the
    first ``after`` publications (waits for them)."""

    async def wait() -> list[str]:
        while True:
            for params in client.published[after:]:
                if params.uri == uri and params.version == version:
                    return [str(d.code) for d in params.diagnostics]
            await asyncio.sleep(0.01)

    return await asyncio.wait_for(wait(), TIMEOUT)


async def test_a_dockerfile_is_linted_while_the_workspace_is_searched(
    client: Client, tmp_path: Path
) -> None:
    """The search (held here until the test opens its gate) runs for a manifest; a Dockerfile
    opened after the manifest gets its diagnostics meanwhile, and the manifest its own, with
    the ConfigMap the search found, once the search is done."""
    (tmp_path / "tuning.yaml").write_text(UNBOUNDED)
    await _initialize(client, tmp_path)
    manifest = _open(client, tmp_path / "api.yaml", CONSUMER, "yaml")
    dockerfile = _open(client, tmp_path / "Dockerfile", DOCKERFILE, "dockerfile")
    assert await _codes(client, dockerfile, 1) == ["DFM004"]
    assert [p.uri for p in client.published] == [dockerfile]  # the manifest waits
    (tmp_path / GATE).write_text("")
    assert await _codes(client, manifest, 1) == ["DFM008"]  # tuning.yaml was read


async def test_files_changed_on_disk_are_watched(client: Client, tmp_path: Path) -> None:
    """The server registers a watcher for the files a lint reads besides its document, and a
    ConfigMap changed on disk changes the diagnostics of the manifest that reads it."""
    (tmp_path / GATE).write_text("")
    (tmp_path / "tuning.yaml").write_text(UNBOUNDED)
    await _initialize(client, tmp_path)

    async def registered() -> list[types.Registration]:
        while not client.registrations:
            await asyncio.sleep(0.01)
        return client.registrations

    [registration] = await asyncio.wait_for(registered(), TIMEOUT)
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    options = registration.register_options
    assert isinstance(options, dict)  # the client reads what it does not know as JSON
    assert [w["globPattern"] for w in options["watchers"]] == list(WATCHED)
    manifest = _open(client, tmp_path / "api.yaml", CONSUMER, "yaml")
    assert await _codes(client, manifest, 1) == ["DFM008"]
    (tmp_path / "tuning.yaml").write_text(CONFIG_MAP % 'GOMEMLIMIT: "800MiB"')
    published = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[
                types.FileEvent(
                    uri=(tmp_path / "tuning.yaml").as_uri(), type=types.FileChangeType.Changed
                )
            ]
        )
    )
    assert await _codes(client, manifest, 1, after=published) == []
