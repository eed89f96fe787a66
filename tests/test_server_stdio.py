"""The language server's standard input: messages sent together are handled together
(``dfmemlint.server.stdio``), so a burst of edits is linted once whatever the machine's load."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from pathlib import Path

import pytest

from dfmemlint.server.protocol import Linted, Snapshot, create_server
from dfmemlint.server.stdio import ChunkedReader


def _pieces(data: bytes, size: int) -> list[bytes]:
    return [data[start : start + size] for start in range(0, len(data), size)]


def _reader(chunks: list[bytes]) -> ChunkedReader:
    queue = list(chunks)

    def read(size: int) -> bytes:
        assert size > 0
        return queue.pop(0) if queue else b""

    return ChunkedReader(read)


def test_lines_and_bodies_across_chunks() -> None:
    data = b"Content-Length: 7\r\n\r\n{\"a\":1}Content-Length: 2\r\n\r\n{}tail"

    async def read_all() -> list[bytes]:
        reader = _reader(_pieces(data, 3))
        return [
            await reader.readline(),
            await reader.readline(),
            await reader.readexactly(7),
            await reader.readline(),
            await reader.readline(),
            await reader.readexactly(2),
            await reader.readline(),  # the end of input: what is left, without a newline
            await reader.readline(),
            await reader.readexactly(5),
        ]

    assert asyncio.run(read_all()) == [
        b"Content-Length: 7\r\n",
        b"\r\n",
        b'{"a":1}',
        b"Content-Length: 2\r\n",
        b"\r\n",
        b"{}",
        b"tail",
        b"",
        b"",
    ]


def test_a_short_body_at_the_end_of_input() -> None:
    async def read() -> bytes:
        return await _reader([b"Content-Length: 9\r\n", b"\r\n{}"]).readexactly(40)

    assert asyncio.run(read()) == b"Content-Length: 9\r\n\r\n{}"


def test_what_one_read_brought_is_handed_out_without_a_turn_of_the_loop() -> None:
    """Nothing else runs on the loop between the messages of one read (pygls' own reader gives
    the loop a turn before every line and body)."""

    async def read() -> list[str]:
        reader = _reader([b"Content-Length: 2\r\n\r\n{}" * 3])
        events: list[str] = []

        async def other() -> None:
            events.append("another task")

        assert await reader.readline() == b"Content-Length: 2\r\n"  # one read takes all
        task = asyncio.ensure_future(other())
        assert await reader.readline() == b"\r\n"
        assert await reader.readexactly(2) == b"{}"
        for _ in range(2):
            assert await reader.readline() == b"Content-Length: 2\r\n"
            assert await reader.readline() == b"\r\n"
            assert await reader.readexactly(2) == b"{}"
        events.append("three messages")
        await task
        return events

    assert asyncio.run(read()) == ["three messages", "another task"]


def _message(payload: dict[str, object]) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _collect(stream: int, into: list[dict[str, object]]) -> None:
    """Append every message the server writes to ``stream`` to ``into``, as it comes, until
    the server closes it."""
    data = b""
    while chunk := os.read(stream, 65536):
        data += chunk
        while b"\r\n\r\n" in data:
            header, _, rest = data.partition(b"\r\n\r\n")
            length = int(header.split(b"Content-Length: ")[1].split(b"\r\n")[0])
            if len(rest) < length:
                break
            into.append(json.loads(rest[:length]))
            data = rest[length:]


def _notification(method: str, params: dict[str, object]) -> bytes:
    return _message({"jsonrpc": "2.0", "method": method, "params": params})


def test_edits_sent_together_are_linted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hundred edits that reach the server in one read are one burst: only the last version
    is linted and published, however long the server takes to get to them (the server runs
    in a thread here, over pipes)."""
    uri = (tmp_path / "Dockerfile").as_uri()
    text = 'FROM golang:1.22\nENV GOMEMLIMIT={}MB\nCMD ["/app"]\n'
    last = 101
    document = {"uri": uri, "languageId": "dockerfile", "version": 1, "text": text.format(1)}
    data = b"".join(
        [
            _message({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                      "params": {"capabilities": {}}}),
            _notification("initialized", {}),
            _notification("textDocument/didOpen", {"textDocument": document}),
            *(
                _notification(
                    "textDocument/didChange",
                    {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [{"text": text.format(version)}],
                    },
                )
                for version in range(2, last + 1)
            ),
        ]
    )
    assert len(data) < 65536  # a pipe holds it all: one read takes it
    stdin_read, stdin_write = os.pipe()
    stdout_read, stdout_write = os.pipe()
    os.write(stdin_write, data)
    server = create_server()
    lints: list[int | None] = []
    lint_now = server.lint_now

    def counted(snapshot: Snapshot) -> Linted | None:
        lints.append(snapshot.version)
        return lint_now(snapshot)

    monkeypatch.setattr(server, "lint_now", counted)
    received: list[dict[str, object]] = []
    collecting = threading.Thread(target=_collect, args=(stdout_read, received))
    collecting.start()
    with open(stdin_read, "rb") as stdin, open(stdout_write, "wb") as stdout:
        serving = threading.Thread(target=server.start_io, args=(stdin, stdout))
        serving.start()
        for _ in range(1200):  # the initialize response, then the diagnostics
            if len(received) >= 2:
                break
            time.sleep(0.05)
        # pygls ends the server at an exit notification (after writing what was published).
        os.write(stdin_write, _message({"jsonrpc": "2.0", "id": 2, "method": "shutdown"}))
        os.write(stdin_write, _notification("exit", {}))
        os.close(stdin_write)
        serving.join(60)
    collecting.join(60)
    os.close(stdout_read)
    assert not serving.is_alive()
    published = [
        message["params"]
        for message in received
        if message.get("method") == "textDocument/publishDiagnostics"
    ]
    assert [params["version"] for params in published] == [last]  # type: ignore[index]
    assert lints == [last]  # not one lint begun before the last edit was read
