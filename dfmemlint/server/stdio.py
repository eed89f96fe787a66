"""How the server reads its messages: standard input in chunks, so that the messages an editor
sent together are handled together, and a request it cannot read answered with an error.

pygls' own reader (``pygls.io_.StdinAsyncReader``) reads every header line and every body with
its own trip to a thread (``loop.run_in_executor(executor, stdin.readline)``), so the event loop
runs whatever is ready between any two messages, however many are already waiting in the pipe.
The server coalesces a burst of edits by time (``server.protocol.QUIET_SECONDS``): when the
machine is loaded, those trips (each waiting for the interpreter lock a lint in the linting
thread holds) spread 200 edits sent at once further apart than that, and the server lints and
publishes version after version of the burst.

:class:`ChunkedReader` instead reads whatever the pipe holds (up to :data:`CHUNK_BYTES`) in
one trip and hands out lines and bodies from its buffer without giving the loop a turn while
the buffer holds them: pygls' message loop (``pygls.io_.run_async``) then handles every message
of a chunk before a lint task runs, and the edits an editor sent together are one burst
whatever the load.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import threading
from typing import TYPE_CHECKING, Any, BinaryIO

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.io_ import StdoutWriter, run_async
from pygls.protocol import LanguageServerProtocol

if TYPE_CHECKING:
    from collections.abc import Callable
    from concurrent.futures import Executor

    from pygls.lsp.server import LanguageServer

logger = logging.getLogger(__name__)

#: The most bytes one read of standard input takes (what a pipe holds on Linux, pipe(7)).
CHUNK_BYTES = 65536


class ChunkedReader:
    """The reader pygls' message loop takes (``readline`` and ``readexactly``, awaited).

    ``read(n)`` is called in a thread of ``executor``; it returns between 1 and ``n`` bytes as
    soon as any are there, and ``b""`` at the end of input (``os.read`` of a file descriptor,
    ``io.BufferedReader.read1``)."""

    def __init__(self, read: Callable[[int], bytes], executor: Executor | None = None) -> None:
        self._read = read
        self._executor = executor
        self._buffer = bytearray()
        self._ended = False

    async def _fill(self) -> None:
        loop = asyncio.get_running_loop()
        data = await loop.run_in_executor(self._executor, self._read, CHUNK_BYTES)
        if data:
            self._buffer += data
        else:
            self._ended = True

    def _take(self, size: int) -> bytes:
        taken = bytes(self._buffer[:size])
        del self._buffer[:size]
        return taken

    async def readline(self) -> bytes:
        """The next line with its ``\\n`` (at the end of input, what is left: maybe ``b""``)."""
        searched = 0
        while True:
            end = self._buffer.find(b"\n", searched)
            if end >= 0:
                return self._take(end + 1)
            if self._ended:
                return self._take(len(self._buffer))
            searched = len(self._buffer)
            await self._fill()

    async def readexactly(self, size: int) -> bytes:
        """The next ``size`` bytes (fewer only at the end of input)."""
        while len(self._buffer) < size and not self._ended:
            await self._fill()
        return self._take(size)


def serve(server: LanguageServer, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Serve LSP over ``stdin`` and ``stdout`` until the client says ``exit``, as pygls'
    ``start_io`` does (``pygls.server.JsonRPCServer._start_io_async``), except that ``stdin``
    is read by a :class:`ChunkedReader`."""
    server._stop_event = threading.Event()
    reader = ChunkedReader(functools.partial(os.read, stdin.fileno()), server.thread_pool)
    server.protocol.set_writer(StdoutWriter(stdout))
    try:
        asyncio.run(
            run_async(
                stop_event=server._stop_event,
                reader=reader,
                protocol=server.protocol,
                logger=logger,
                error_handler=server.report_server_error,
            )
        )
    except (KeyboardInterrupt, SystemExit):
        pass  # pygls ends an ``exit`` notification with sys.exit
    finally:
        server.shutdown()  # type: ignore[no-untyped-call]


class AnsweringProtocol(LanguageServerProtocol):
    """pygls' protocol, except that a request whose params it cannot read gets an error
    response (JSON-RPC 2.0 "Invalid params", -32602) instead of only a log line; pygls then
    goes on reading the next message."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            request_id = data.get("id")
            if request_id is not None and "method" in data:
                self._send_response(
                    request_id,
                    error=types.ResponseError(
                        code=exc.code, message=f"{exc.message} for {data['method']}"
                    ),
                )
            raise
