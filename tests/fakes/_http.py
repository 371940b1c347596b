"""A minimal HTTP/1.1 server (asyncio streams + h11) for fakes that need full control of the wire.

Why not aiohttp or hypercorn: h11 is already a hard dependency of httpx (hence of
python-telegram-bot), so nothing is added; and owning the connection loop lets a fake hold a
request open indefinitely, close a connection without answering (a network error for the
client), and release everything at once on shutdown, all without framework shutdown grace periods.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import h11

HOST = "127.0.0.1"
_READ_CHUNK = 65536


@dataclass(frozen=True)
class HttpRequest:
    """One complete request: method, decoded path, raw query string, lower-cased headers, body."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass(frozen=True)
class HttpResponse:
    """A complete response to write back."""

    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


#: Returns the response, or None to close the connection without answering.
RequestHandler = Callable[[HttpRequest], Awaitable[HttpResponse | None]]


class HttpServer:
    """Serves ``handler`` on 127.0.0.1 with a kernel-chosen free port, keep-alive included."""

    def __init__(self, handler: RequestHandler) -> None:
        self._handler = handler
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._busy: set[asyncio.Task[None]] = set()  # connections with a request in flight
        self._closing = False
        self.port = 0

    async def start(self) -> None:
        """Bind and start accepting connections."""
        # Say IPPROTO_TCP explicitly: asyncio only disables Nagle on sockets whose proto says TCP
        # (accepted sockets inherit it); with proto 0 small responses lag ~40 ms.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind((HOST, 0))
        self.port = sock.getsockname()[1]
        self._server = await asyncio.start_server(self._on_connection, sock=sock)

    async def close(self, grace: float = 1.0) -> None:
        """Stop accepting, cut idle connections, give in-flight responses ``grace`` seconds."""
        self._closing = True
        if self._server is not None:
            self._server.close()
        for task in self._connections - self._busy:
            task.cancel()  # idle keep-alive connections: nothing to finish
        if connections := set(self._connections):
            _, pending = await asyncio.wait(connections, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*connections, return_exceptions=True)
        if self._server is not None:
            # Bounded: on Python 3.12+ wait_closed() also waits for every client connection.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(grace):
                    await self._server.wait_closed()

    async def _on_connection(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        """Track the connection task so ``close`` can cut it, then serve it."""
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await self._serve(reader, writer)
        except (ConnectionError, h11.ProtocolError):
            pass  # the client went away or spoke nonsense: nothing left to answer
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answer requests on one connection until either side closes it."""
        conn = h11.Connection(h11.SERVER)
        task = asyncio.current_task()
        assert task is not None
        while (request := await _read_request(conn, reader)) is not None:
            self._busy.add(task)
            try:
                response = await self._respond(conn, reader, request)
                if response is None:
                    return  # the client hung up, or a simulated network failure: close
                await _write_response(conn, writer, response)
            finally:
                self._busy.discard(task)
            if self._closing or conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                return
            conn.start_next_cycle()

    async def _respond(
        self, conn: h11.Connection, reader: asyncio.StreamReader, request: HttpRequest
    ) -> HttpResponse | None:
        """Run the handler while watching the socket, so a client that hangs up cancels it.

        Without this, a long poll the client abandoned would linger and later "answer" into a
        dead socket, and be recorded as if the client had received it.
        """
        handling = asyncio.ensure_future(self._handler(request))
        reading: asyncio.Future[bytes] | None = None
        try:
            while True:
                reading = asyncio.ensure_future(reader.read(_READ_CHUNK))
                await asyncio.wait({handling, reading}, return_when=asyncio.FIRST_COMPLETED)
                if not reading.done():
                    return handling.result()
                if not (data := reading.result()):
                    return None  # EOF: the client is gone
                conn.receive_data(data)  # a pipelined next request: h11 buffers it
        finally:
            for future in (handling, reading):
                if future is not None and not future.done():
                    future.cancel()
            await asyncio.gather(handling, return_exceptions=True)


async def _read_request(conn: h11.Connection, reader: asyncio.StreamReader) -> HttpRequest | None:
    """Read one full request from ``conn``; None when the client closed the connection."""
    head: h11.Request | None = None
    body = bytearray()
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            conn.receive_data(await reader.read(_READ_CHUNK))
        elif isinstance(event, h11.Request):
            head = event
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            assert head is not None
            return _to_request(head, bytes(body))
        elif isinstance(event, h11.ConnectionClosed):
            return None


def _to_request(head: h11.Request, body: bytes) -> HttpRequest:
    """Convert h11's request head plus the body into an ``HttpRequest``."""
    target = urlsplit(head.target.decode("latin-1"))
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in head.headers}
    return HttpRequest(
        method=head.method.decode("ascii"),
        # Decoded: python-telegram-bot percent-encodes file URLs, turning the token's ":" into %3A.
        path=unquote(target.path),
        query=target.query,
        headers=headers,
        body=body,
    )


async def _write_response(
    conn: h11.Connection, writer: asyncio.StreamWriter, response: HttpResponse
) -> None:
    """Write a complete response with an explicit Content-Length."""
    headers = [*response.headers, ("content-length", str(len(response.body)))]
    writer.write(conn.send(h11.Response(status_code=response.status, headers=headers)))
    writer.write(conn.send(h11.Data(data=response.body)))
    writer.write(conn.send(h11.EndOfMessage()))
    await writer.drain()
