"""The language server end to end: a real LSP client (pytest-lsp) drives ``dfmemlint server``
over standard input and output."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from helpers.lsp import Client, make_client
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import ClientServerConfig, client_capabilities

from dfmemlint.golang.units import MIB
from dfmemlint.reporters.sarif import rule_url

pytestmark = pytest.mark.asyncio(loop_scope="function")

TIMEOUT = 20.0


@pytest_lsp.fixture(  # type: ignore[untyped-decorator,unused-ignore]
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "dfmemlint", "server"], client_factory=make_client
    ),
)
async def client(lsp_client: Client) -> AsyncIterator[Client]:
    yield lsp_client
    await lsp_client.shutdown_session()


async def initialize(client: Client, options: object = None, root: Path | None = None) -> None:
    await client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"),
            initialization_options=options,
            root_uri=root.as_uri() if root is not None else None,
        )
    )


async def diagnostics_for(
    client: Client, uri: str, version: int
) -> list[types.Diagnostic]:
    """The diagnostics published for ``version`` of ``uri`` (waits for them)."""

    async def wait() -> list[types.Diagnostic]:
        while True:
            for params in client.published:
                if params.uri == uri and params.version == version:
                    return list(params.diagnostics)
            await asyncio.sleep(0.01)

    return await asyncio.wait_for(wait(), TIMEOUT)


def open_doc(client: Client, path: Path, text: str, language: str = "dockerfile") -> str:
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=text
            )
        )
    )
    return uri


def change(client: Client, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _offset(text: str, position: types.Position) -> int:
    lines = re.split(r"(?<=\r\n)|(?<=\r)(?!\n)|(?<=\n)", text)
    start = sum(len(line) for line in lines[: position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return start + index
        units += utf16(char)
    return start + len(line)


def apply(text: str, edit: types.WorkspaceEdit | None) -> str:
    """The text after a client applies ``edit`` (its edits refer to the original text)."""
    assert edit is not None
    assert edit.document_changes is not None
    changes = edit.document_changes[0]
    assert isinstance(changes, types.TextDocumentEdit)
    spans = sorted(
        ((_offset(text, e.range.start), _offset(text, e.range.end), e.new_text)
         for e in changes.edits if isinstance(e, types.TextEdit)),
        reverse=True,
    )
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


async def raw_request(client: Client, request_id: str, method: str, params: object) -> object:
    """Send a request as raw JSON, past the client's own checks, and wait for the answer."""
    future: asyncio.Future[object] = asyncio.get_running_loop().create_future()
    client.protocol._request_futures[request_id] = future  # type: ignore[assignment]
    body = json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, "params": params})
    assert client.protocol.writer is not None
    client.protocol.writer.write(f"Content-Length: {len(body)}\r\n\r\n{body}".encode())
    return await future


def codes(diagnostics: list[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in diagnostics)


# A value after non-ASCII text on its line: an emoji (two UTF-16 units) and an accent (one).
PREFIX = 'FROM golang:1.22\nENV GREETING="h\u00e9llo \U0001F433" GOMEMLIMIT='
DOCKERFILE = PREFIX + '512MB\nRUN go build -o /app .\nCMD ["/app"]\n'


async def test_diagnostics_ranges_and_change(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    uri = open_doc(client, tmp_path / "Dockerfile", DOCKERFILE)
    found = await diagnostics_for(client, uri, 1)
    malformed = [d for d in found if d.code == "DFM004"]
    assert len(malformed) == 1
    line = PREFIX.split("\n")[-1]
    start = utf16(line)  # in UTF-16 units, not code points (the emoji counts twice)
    assert start == len(line) + 1
    assert malformed[0].range == types.Range(
        start=types.Position(line=1, character=start),
        end=types.Position(line=1, character=start + len("512MB")),
    )
    assert malformed[0].severity == types.DiagnosticSeverity.Error
    assert malformed[0].source == "dfmemlint"
    assert malformed[0].code_description == types.CodeDescription(href=rule_url("DFM004"))
    # The unsaved buffer is linted, never the file on disk (there is none).
    assert not (tmp_path / "Dockerfile").exists()
    change(client, uri, 2, DOCKERFILE.replace("512MB", "512MiB"))
    assert "DFM004" not in codes(await diagnostics_for(client, uri, 2))


async def test_quick_fix_applied_and_relinted(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    uri = open_doc(client, tmp_path / "Dockerfile", DOCKERFILE)
    found = await diagnostics_for(client, uri, 1)
    malformed = next(d for d in found if d.code == "DFM004")
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=malformed.range,
            context=types.CodeActionContext(diagnostics=[malformed]),
        )
    )
    assert result is not None
    actions = [a for a in result if isinstance(a, types.CodeAction)]
    fix = next(a for a in actions if a.title.startswith("DFM004"))
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.is_preferred
    fixed = apply(DOCKERFILE, fix.edit)
    assert fixed == DOCKERFILE.replace("GOMEMLIMIT=512MB", "GOMEMLIMIT=512MiB")
    change(client, uri, 2, fixed)
    assert "DFM004" not in codes(await diagnostics_for(client, uri, 2))


async def test_unsafe_fix_is_marked(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    # Set after the build, so no build step reads it (a cap a build reads has no fix).
    text = "FROM golang:1.22 AS build\nRUN go build -o /app .\nENV GOMEMLIMIT=512MiB\n" \
        'FROM alpine\nCOPY --from=build /app /app\nCMD ["/app"]\n'
    uri = open_doc(client, tmp_path / "Dockerfile", text)
    wrong_stage = next(d for d in await diagnostics_for(client, uri, 1) if d.code == "DFM002")
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=wrong_stage.range,
            context=types.CodeActionContext(diagnostics=[wrong_stage]),
        )
    )
    assert result is not None
    fix = next(
        a for a in result if isinstance(a, types.CodeAction) and a.title.startswith("DFM002")
    )
    assert fix.title.endswith("(unsafe fix)")
    assert not fix.is_preferred
    fixed = apply(text, fix.edit)
    assert "GOMEMLIMIT" not in fixed
    change(client, uri, 2, fixed)
    assert "DFM002" not in codes(await diagnostics_for(client, uri, 2))


async def test_fix_all_source_action(client: Client, tmp_path: Path) -> None:
    await initialize(client, {"dfmemlint": {"memoryLimit": "512MiB"}})
    text = 'FROM golang:1.22 AS build\nENV GOMEMLIMIT=1.5GiB\nRUN go build -o /app .\n' \
        'FROM scratch\nCOPY --from=build /app /app\nCMD ["/app"]\n'
    uri = open_doc(client, tmp_path / "Dockerfile", text)
    before = codes(await diagnostics_for(client, uri, 1))
    assert "DFM006" in before
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(start=types.Position(line=0, character=0),
                              end=types.Position(line=0, character=0)),
            context=types.CodeActionContext(diagnostics=[], only=["source.fixAll"]),
        )
    )
    assert result is not None
    assert [a.kind for a in result if isinstance(a, types.CodeAction)] == [
        "source.fixAll.dfmemlint"
    ]
    action = result[0]
    assert isinstance(action, types.CodeAction)
    fixed = apply(text, action.edit)
    assert "GOMEMLIMIT=1536MiB" in fixed
    assert "GOMEMLIMIT=409MiB" in fixed  # from the editor's memoryLimit setting
    change(client, uri, 2, fixed)
    after = codes(await diagnostics_for(client, uri, 2))
    assert "DFM006" not in after
    assert "DFM004" not in after


async def test_ignore_comment_written_and_merged(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    text = (
        "FROM golang:1.22\n  # why: a test\n  ENV GOMEMLIMIT=512MB\nRUN go build -o /app .\n"
        'CMD ["/app"]\n'
    )
    uri = open_doc(client, tmp_path / "Dockerfile", text)
    version = 1
    for code in ("DFM004", "DFM003"):
        found = await diagnostics_for(client, uri, version)
        target = next(d for d in found if d.code == code)
        result = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=target.range,
                context=types.CodeActionContext(diagnostics=[target], only=["quickfix"]),
            )
        )
        assert result is not None
        title = f"dfmemlint: ignore {code} on this line"
        ignore = next(a for a in result if isinstance(a, types.CodeAction) and a.title == title)
        text = apply(text, ignore.edit)
        version += 1
        change(client, uri, version, text)
    assert text == (
        "FROM golang:1.22\n  # why: a test\n  # dfmemlint: ignore=DFM004, DFM003\n"
        '  ENV GOMEMLIMIT=512MB\nRUN go build -o /app .\nCMD ["/app"]\n'
    )
    remaining = codes(await diagnostics_for(client, uri, version))
    assert "DFM004" not in remaining
    assert "DFM003" not in remaining


async def test_hover_value_and_declared_limit(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    text = "# dfmemlint: memory-limit=512MiB\nFROM golang:1.22\nENV GOMEMLIMIT=409MiB\n"
    uri = open_doc(client, tmp_path / "Dockerfile", text)
    await diagnostics_for(client, uri, 1)

    async def hover(line: int, character: int) -> types.Hover | None:
        return await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=line, character=character),
            )
        )

    on_value = await hover(2, len("ENV GOMEMLIMIT=4"))
    assert on_value is not None
    assert isinstance(on_value.contents, types.MarkupContent)
    markdown = on_value.contents.value
    limit, gomemlimit = 512 * MIB, 409 * MIB
    assert f"{gomemlimit:,} bytes" in markdown
    assert f"{round(gomemlimit * 1000 / limit) / 10} %" in markdown  # 79.9 %
    assert "comment on line 1" in markdown
    threshold = min(limit * 9 // 10, gomemlimit * 11 // 10)
    assert f"{threshold:,} bytes" in markdown
    assert on_value.range == types.Range(
        start=types.Position(line=2, character=len("ENV GOMEMLIMIT=")),
        end=types.Position(line=2, character=len("ENV GOMEMLIMIT=409MiB")),
    )
    on_limit = await hover(0, len("# dfmemlint: memory-limit=5"))
    assert on_limit is not None
    assert isinstance(on_limit.contents, types.MarkupContent)
    assert f"{limit:,} bytes" in on_limit.contents.value
    assert "GOMEMLIMIT=409MiB" in on_limit.contents.value
    assert await hover(1, 2) is None


async def test_configuration_files_and_settings(client: Client, tmp_path: Path) -> None:
    (tmp_path / ".dfmemlint.toml").write_text('ignore = ["DFM006"]\nmemory-limit = "1GiB"\n')
    await initialize(client, {"dfmemlint": {"ratio": 0.5}}, root=tmp_path)
    text = 'FROM golang:1.22\nENV GOMEMLIMIT=500MiB\nCMD ["/app"]\n'
    uri = open_doc(client, tmp_path / "Dockerfile", text)
    # Configuration found from the file, as the command line finds it: DFM006 ignored, and
    # 500MiB is under 95 % of 1GiB.
    assert codes(await diagnostics_for(client, uri, 1)) == []
    hovered = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=len("ENV GOMEMLIMIT=5")),
        )
    )
    assert hovered is not None
    assert isinstance(hovered.contents, types.MarkupContent)
    assert "GOMEMLIMIT=512MiB" in hovered.contents.value  # ratio 0.5 from initializationOptions
    assert ".dfmemlint.toml" in hovered.contents.value
    count = len(client.published)
    # The editor's settings override the configuration file.
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"dfmemlint": {"memoryLimit": "512MiB"}})
    )

    async def republished() -> list[types.Diagnostic]:
        while len(client.published) == count:
            await asyncio.sleep(0.01)
        return list(client.published[-1].diagnostics)

    found = await asyncio.wait_for(republished(), TIMEOUT)
    assert codes(found) == ["DFM007"]  # 500MiB is 97.7 % of 512MiB
    # A bad setting is reported and the previous settings stay.
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"dfmemlint": {"ratio": 2}})
    )

    async def message() -> str:
        while not client.messages:
            await asyncio.sleep(0.01)
        return client.messages[-1].message

    assert (await asyncio.wait_for(message(), TIMEOUT)).startswith(
        "dfmemlint: Invalid value for 'dfmemlint.ratio': the ratio must be"
    )
    # A configuration file changed on disk (the editor watches it) or saved in the editor.
    (tmp_path / ".dfmemlint.toml").write_text('ignore = ["DFM006", "DFM007"]\n')
    count = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=(tmp_path / ".dfmemlint.toml").as_uri(),
                                     type=types.FileChangeType.Changed)]
        )
    )
    assert codes(await asyncio.wait_for(republished(), TIMEOUT)) == []
    (tmp_path / ".dfmemlint.toml").write_text('ignore = ["DFM006"]\n')
    count = len(client.published)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=(tmp_path / ".dfmemlint.toml").as_uri())
        )
    )
    assert codes(await asyncio.wait_for(republished(), TIMEOUT)) == ["DFM007"]
    count = len(client.published)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert codes(await asyncio.wait_for(republished(), TIMEOUT)) == ["DFM007"]


async def test_unreadable_file_gives_one_diagnostic(client: Client, tmp_path: Path) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / ".dfmemlint.toml").write_text("select = [\n")
    await initialize(client)
    empty = open_doc(client, tmp_path / "Dockerfile", "# nothing here\n")
    found = await diagnostics_for(client, empty, 1)
    assert codes(found) == ["DFM000"]
    broken = open_doc(client, tmp_path / "bad" / "Dockerfile", DOCKERFILE)
    found = await diagnostics_for(client, broken, 1)
    assert len(found) == 1
    assert "configuration error" in found[0].message
    # An unsaved, untitled buffer is linted with the workspace's configuration.
    untitled = "untitled:Untitled-1"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=untitled, language_id="dockerfile", version=1, text=DOCKERFILE
            )
        )
    )
    assert "DFM004" in codes(await diagnostics_for(client, untitled, 1))
    # Documents dfmemlint does not read get nothing, and the server goes on serving.
    other = open_doc(client, tmp_path / "notes.md", "GOMEMLIMIT=1MB", language="markdown")
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=other),
            position=types.Position(line=0, character=0),
        )
    )
    assert result is None


async def test_malformed_requests_get_errors(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    uri = open_doc(client, tmp_path / "Dockerfile", DOCKERFILE)
    await diagnostics_for(client, uri, 1)
    for request_id, method, params in (
        ("bad-1", types.TEXT_DOCUMENT_HOVER, {"textDocument": 5, "position": "here"}),
        ("bad-2", types.TEXT_DOCUMENT_CODE_ACTION, {"textDocument": {"uri": uri}}),
        ("bad-3", "dfmemlint/noSuchMethod", {}),
    ):
        with pytest.raises(JsonRpcException):
            await asyncio.wait_for(raw_request(client, request_id, method, params), TIMEOUT)
    # Still serving.
    hovered = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=utf16(PREFIX.split("\n")[-1])),
        )
    )
    assert hovered is not None


async def test_close_clears_diagnostics(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    uri = open_doc(client, tmp_path / "Dockerfile", DOCKERFILE)
    assert await diagnostics_for(client, uri, 1)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )

    async def cleared() -> None:
        while client.published[-1].uri != uri or client.published[-1].diagnostics:
            await asyncio.sleep(0.01)

    await asyncio.wait_for(cleared(), TIMEOUT)


async def test_rapid_changes_end_in_last_version(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    uri = open_doc(client, tmp_path / "Dockerfile", DOCKERFILE)
    await diagnostics_for(client, uri, 1)
    first = len(client.published)
    last = 201
    for version in range(2, last + 1):
        change(client, uri, version, DOCKERFILE.replace("512MB", f"{version}MB"))
    final = await diagnostics_for(client, uri, last)
    assert any(f"{last}MB" in d.message for d in final)
    burst = [p.version or 0 for p in client.published[first:] if p.uri == uri]
    assert burst[-1] == last
    assert burst == sorted(set(burst))  # never an older version after a newer one
    # Coalesced: the edits were sent together, so not one lint each (and, read together, not
    # even under load: tests/test_server_stdio.py).
    assert len(burst) <= 20
    await asyncio.sleep(0.2)
    assert client.published[-1].version == last


async def test_compose_service_limit_as_the_command_line(client: Client, tmp_path: Path) -> None:
    """A Dockerfile that a Compose service builds runs under the service's memory limit, in the
    editor as on the command line; saving the Compose file re-lints it."""
    (tmp_path / "compose.yaml").write_text("services:\n  api:\n    build: .\n    mem_limit: 1g\n")
    await initialize(client)
    text = 'FROM golang:1.22\nENV GOMEMLIMIT=500MiB\nCMD ["/app"]\n'
    uri = open_doc(client, tmp_path / "Dockerfile", text)
    assert codes(await diagnostics_for(client, uri, 1)) == []
    (tmp_path / "compose.yaml").write_text("services:\n  api:\n    build: .\n    mem_limit: 512m\n")
    count = len(client.published)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=(tmp_path / "compose.yaml").as_uri())
        )
    )

    async def republished() -> list[types.Diagnostic]:
        while len(client.published) == count:
            await asyncio.sleep(0.01)
        return list(client.published[-1].diagnostics)

    assert codes(await asyncio.wait_for(republished(), TIMEOUT)) == ["DFM007"]
    hovered = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=1, character=len("ENV GOMEMLIMIT=5")),
        )
    )
    assert hovered is not None
    assert isinstance(hovered.contents, types.MarkupContent)
    source = f"from the Compose service api, {tmp_path / 'compose.yaml'}:4"
    assert source in hovered.contents.value


# -- Kubernetes manifests ------------------------------------------------------------------------

# The malformed value after non-ASCII text on its line (an accent: one UTF-16 unit; an emoji: two),
# in a ConfigMap the Deployment's container reads with envFrom.
MANIFEST_PREFIX = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: api-env}\n"
    'data: {GREETING: "h\u00e9llo \U0001F433", GOMEMLIMIT: '
)
MANIFEST = MANIFEST_PREFIX + (
    "512MB}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n"
    "  template:\n    spec:\n      containers:\n        - name: api\n"
    "          image: example/api\n          envFrom:\n"
    "            - configMapRef: {name: api-env}\n"
    "          resources:\n            limits:\n              memory: 512Mi\n"
)


async def code_actions_at(
    client: Client, uri: str, target: types.Diagnostic, only: list[str] | None = None
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=target.range,
            context=types.CodeActionContext(diagnostics=[target], only=only),
        )
    )
    return [a for a in result or [] if isinstance(a, types.CodeAction)]


async def hover_markdown(client: Client, uri: str, line: int, character: int) -> types.Hover:
    hovered = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )
    assert hovered is not None
    assert isinstance(hovered.contents, types.MarkupContent)
    return hovered


async def test_manifest_diagnostics_quick_fix_and_hover(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    uri = open_doc(client, tmp_path / "deploy.yaml", MANIFEST, language="yaml")
    found = await diagnostics_for(client, uri, 1)
    assert codes(found) == ["DFM004"]
    line = MANIFEST_PREFIX.split("\n")[-1]
    start = utf16(line)
    assert start == len(line) + 1  # the emoji counts twice
    value_range = types.Range(
        start=types.Position(line=3, character=start),
        end=types.Position(line=3, character=start + len("512MB")),
    )
    assert found[0].range == value_range
    assert found[0].severity == types.DiagnosticSeverity.Error
    assert found[0].code_description == types.CodeDescription(href=rule_url("DFM004"))
    actions = await code_actions_at(client, uri, found[0])
    fix = next(a for a in actions if a.title.startswith("DFM004"))
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.is_preferred
    fixed = apply(MANIFEST, fix.edit)
    # 0.8 of the container's 512Mi limit, in whole MiB.
    recommended = 512 * 8 // 10
    assert fixed == MANIFEST.replace("GOMEMLIMIT: 512MB", f"GOMEMLIMIT: {recommended}MiB")
    change(client, uri, 2, fixed)
    assert codes(await diagnostics_for(client, uri, 2)) == []

    on_value = await hover_markdown(client, uri, 3, start + 1)
    assert isinstance(on_value.contents, types.MarkupContent)
    markdown = on_value.contents.value
    limit, gomemlimit = 512 * MIB, recommended * MIB
    assert f"**GOMEMLIMIT={recommended}MiB**" in markdown
    assert f"{gomemlimit:,} bytes" in markdown
    assert f"{round(gomemlimit * 1000 / limit) / 10} %" in markdown
    assert f"`resources.limits.memory: 512Mi` on line {MANIFEST.count(chr(10))}" in markdown
    threshold = min(limit * 9 // 10, gomemlimit * 11 // 10)
    assert f"{threshold:,} bytes" in markdown
    assert on_value.range == types.Range(
        start=value_range.start,
        end=types.Position(line=3, character=start + len(f"{recommended}MiB")),
    )
    last = MANIFEST.count("\n") - 1
    on_limit = await hover_markdown(client, uri, last, len("              memory: 5"))
    assert isinstance(on_limit.contents, types.MarkupContent)
    assert f"{limit:,} bytes" in on_limit.contents.value
    assert f"GOMEMLIMIT={recommended}MiB" in on_limit.contents.value
    assert on_limit.range == types.Range(
        start=types.Position(line=last, character=len("              memory: ")),
        end=types.Position(line=last, character=len("              memory: 512Mi")),
    )
    nothing = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=2),
        )
    )
    assert nothing is None


async def test_manifest_ignore_comment_and_fix_all(client: Client, tmp_path: Path) -> None:
    await initialize(client)
    uri = open_doc(client, tmp_path / "deploy.yml", MANIFEST, language="yaml")
    found = await diagnostics_for(client, uri, 1)
    actions = await code_actions_at(client, uri, found[0], only=["quickfix"])
    ignore = next(a for a in actions if a.title == "dfmemlint: ignore DFM004 on this line")
    ignored = apply(MANIFEST, ignore.edit)
    assert ignored == MANIFEST.replace("\ndata:", "\n# dfmemlint: ignore=DFM004\ndata:")
    change(client, uri, 2, ignored)
    assert codes(await diagnostics_for(client, uri, 2)) == []
    change(client, uri, 3, MANIFEST)
    await diagnostics_for(client, uri, 3)
    source = await code_actions_at(
        client,
        uri,
        types.Diagnostic(range=types.Range(start=types.Position(line=0, character=0),
                                           end=types.Position(line=0, character=0)),
                         message=""),
        only=["source.fixAll"],
    )
    assert [a.kind for a in source] == ["source.fixAll.dfmemlint"]
    fixed = apply(MANIFEST, source[0].edit)
    assert fixed == MANIFEST.replace("GOMEMLIMIT: 512MB", "GOMEMLIMIT: 409MiB")
    change(client, uri, 4, fixed)
    assert codes(await diagnostics_for(client, uri, 4)) == []


@pytest.mark.parametrize(
    ("language", "text", "before", "after"),
    [
        ("yaml", MANIFEST, "GOMEMLIMIT: 512MB", "GOMEMLIMIT: 409MiB"),
        ("yaml", "services:\n  api:\n    image: example/api\n    mem_limit: 1g\n"
         "    environment:\n      GOMEMLIMIT: 512MB\n",
         "GOMEMLIMIT: 512MB", "GOMEMLIMIT: 512MiB"),
        ("dockercompose", "services:\n  api:\n    environment: [GOMEMLIMIT=1.5GiB]\n",
         "GOMEMLIMIT=1.5GiB", "GOMEMLIMIT=1536MiB"),
    ],
    ids=["manifest", "compose-by-content", "compose-by-language"],
)
async def test_fix_all_of_an_unsaved_yaml_buffer(
    client: Client, tmp_path: Path, language: str, text: str, before: str, after: str
) -> None:
    """A buffer never saved has no file name: its format comes from its text and the editor's
    language, and "fix all" reads it the same way."""
    await initialize(client, root=tmp_path)
    uri = "untitled:Untitled-1"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id=language, version=1, text=text
            )
        )
    )
    assert codes(await diagnostics_for(client, uri, 1)) == ["DFM004"]
    nowhere = types.Range(start=types.Position(line=0, character=0),
                          end=types.Position(line=0, character=0))
    source = await code_actions_at(
        client, uri, types.Diagnostic(range=nowhere, message=""), only=["source.fixAll"]
    )
    assert [a.kind for a in source] == ["source.fixAll.dfmemlint"]
    fixed = apply(text, source[0].edit)
    assert fixed == text.replace(before, after)
    change(client, uri, 2, fixed)
    assert codes(await diagnostics_for(client, uri, 2)) == []


async def test_yaml_that_is_not_a_manifest(client: Client, tmp_path: Path) -> None:
    """A chart's values.yaml gets no diagnostics and no error (not even from a broken
    configuration beside it); once its text is a manifest it is linted, and its diagnostics go
    away when it no longer is one."""
    (tmp_path / ".dfmemlint.toml").write_text("select = [\n")
    await initialize(client)
    values = "image: example/api\nenv:\n  GOMEMLIMIT: 512MB\n"
    uri = open_doc(client, tmp_path / "values.yaml", values, language="yaml")
    assert await diagnostics_for(client, uri, 1) == []
    hovered = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=2, character=len("  GOMEMLIMIT: 5")),
        )
    )
    assert hovered is None
    (tmp_path / ".dfmemlint.toml").unlink()
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=(tmp_path / ".dfmemlint.toml").as_uri(),
                                     type=types.FileChangeType.Deleted)]
        )
    )
    change(client, uri, 2, MANIFEST)
    assert codes(await diagnostics_for(client, uri, 2)) == ["DFM004"]
    change(client, uri, 3, values)
    assert await diagnostics_for(client, uri, 3) == []


async def test_compose_file_diagnostics_and_quick_fix(client: Client, tmp_path: Path) -> None:
    """A Compose file gets the command line's findings (formats.ENGINES) with exact ranges."""
    await initialize(client)
    prefix = '    environment: {GREETING: "h\u00e9llo \U0001F433", GOMEMLIMIT: '
    text = "services:\n  api:\n    image: example/api\n    mem_limit: 512m\n" + prefix + "512MB}\n"
    uri = open_doc(client, tmp_path / "compose.yaml", text, language="dockercompose")
    found = await diagnostics_for(client, uri, 1)
    assert codes(found) == ["DFM004"]
    assert found[0].range == types.Range(
        start=types.Position(line=4, character=utf16(prefix)),
        end=types.Position(line=4, character=utf16(prefix) + len("512MB")),
    )
    fix = next(a for a in await code_actions_at(client, uri, found[0]) if a.is_preferred)
    fixed = apply(text, fix.edit)
    assert fixed == text.replace("GOMEMLIMIT: 512MB", "GOMEMLIMIT: 409MiB")
    change(client, uri, 2, fixed)
    assert codes(await diagnostics_for(client, uri, 2)) == []


# -- ConfigMaps across the workspace's manifests -------------------------------------------------

CONFIG_MAP_FILE = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tuning}\ndata:\n  GOMEMLIMIT: \"512MB\"\n"
)
CONSUMER = (
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n"
    "  template:\n    spec:\n      containers:\n        - name: api\n          envFrom:\n"
    "            - configMapRef: {name: tuning}\n          env:\n"
    '            - {name: GOGC, value: "off"}\n'
    "          resources: {limits: {memory: 1Gi}}\n"
)


async def republished(client: Client, uri: str, count: int) -> list[types.Diagnostic]:
    """The diagnostics of ``uri`` published after the first ``count`` publications."""

    async def wait() -> list[types.Diagnostic]:
        while True:
            for params in client.published[count:]:
                if params.uri == uri:
                    return list(params.diagnostics)
            await asyncio.sleep(0.01)

    return await asyncio.wait_for(wait(), TIMEOUT)


async def test_a_configmap_value_read_by_a_workload_on_disk(
    client: Client, tmp_path: Path
) -> None:
    """The ConfigMap's document gets the finding of a Deployment that is only on disk, in the
    workspace folder, as ``dfmemlint .`` reports it; its quick fix is the command line's."""
    (tmp_path / "deployment.yaml").write_text(CONSUMER)
    (tmp_path / "node_modules").mkdir()  # excluded, as the command line's search excludes it
    (tmp_path / "node_modules" / "other.yaml").write_text(
        CONSUMER.replace("name: api,", "name: hidden,")
    )
    await initialize(client, root=tmp_path)
    uri = open_doc(client, tmp_path / "configmap.yaml", CONFIG_MAP_FILE, language="yaml")
    [found] = await diagnostics_for(client, uri, 1)
    assert found.code == "DFM004"
    assert found.range.start == types.Position(line=4, character=len('  GOMEMLIMIT: "'))
    assert f"Deployment/api in {tmp_path / 'deployment.yaml'}" in found.message
    assert "hidden" not in found.message
    fix = next(a for a in await code_actions_at(client, uri, found) if a.is_preferred)
    fixed = apply(CONFIG_MAP_FILE, fix.edit)
    assert fixed == CONFIG_MAP_FILE.replace("512MB", "512MiB")
    change(client, uri, 2, fixed)
    assert await diagnostics_for(client, uri, 2) == []


async def test_a_workload_reads_configmaps_of_the_workspace_and_open_documents(
    client: Client, tmp_path: Path
) -> None:
    """A ConfigMap on disk that sets no GOMEMLIMIT leaves GOGC=off unbounded (DFM008; were it
    not read, GOMEMLIMIT could come from it and nothing would be reported); once the ConfigMap's
    open, unsaved text sets one and is saved, the Deployment is linted again without DFM008,
    and closing the ConfigMap without writing it brings back the file's text."""
    unbounded = CONFIG_MAP_FILE.replace('GOMEMLIMIT: "512MB"', 'OTHER: "x"')
    (tmp_path / "configmap.yaml").write_text(unbounded)
    await initialize(client, root=tmp_path)
    uri = open_doc(client, tmp_path / "deployment.yaml", CONSUMER, language="yaml")
    assert codes(await diagnostics_for(client, uri, 1)) == ["DFM008"]
    config_uri = open_doc(client, tmp_path / "configmap.yaml", unbounded, language="yaml")
    await diagnostics_for(client, config_uri, 1)
    change(client, config_uri, 2, unbounded.replace('OTHER: "x"', 'GOMEMLIMIT: "800MiB"'))
    await diagnostics_for(client, config_uri, 2)
    count = len(client.published)
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=config_uri))
    )
    assert codes(await republished(client, uri, count)) == []
    count = len(client.published)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=config_uri))
    )
    assert codes(await republished(client, uri, count)) == ["DFM008"]


async def test_a_file_the_editor_reports_changed_is_read_again(
    client: Client, tmp_path: Path
) -> None:
    """A ConfigMap file created after the search is read when the editor reports it."""
    await initialize(client, root=tmp_path)
    uri = open_doc(client, tmp_path / "deployment.yaml", CONSUMER, language="yaml")
    assert codes(await diagnostics_for(client, uri, 1)) == []  # the ConfigMap may set it
    path = tmp_path / "configmap.yaml"
    path.write_text(CONFIG_MAP_FILE.replace('GOMEMLIMIT: "512MB"', 'OTHER: "x"'))
    count = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=path.as_uri(), type=types.FileChangeType.Created)]
        )
    )
    assert codes(await republished(client, uri, count)) == ["DFM008"]


async def test_workspace_folders_added_are_searched(client: Client, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "configmap.yaml").write_text(
        CONFIG_MAP_FILE.replace('GOMEMLIMIT: "512MB"', 'OTHER: "x"')
    )
    await initialize(client, root=tmp_path / "a")
    uri = open_doc(client, tmp_path / "b" / "deployment.yaml", CONSUMER, language="yaml")
    assert codes(await diagnostics_for(client, uri, 1)) == []  # b is not searched
    count = len(client.published)
    client.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(
                added=[types.WorkspaceFolder(uri=(tmp_path / "b").as_uri(), name="b")],
                removed=[],
            )
        )
    )
    assert codes(await republished(client, uri, count)) == ["DFM008"]
