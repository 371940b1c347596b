"""Receiving Telegram updates by webhook: one POST route on a small ASGI server (Hypercorn).

Telegram sends the configured secret in ``X-Telegram-Bot-Api-Secret-Token``; anything
without it is refused. Accepted updates go to the Application's update queue, the same
place polling puts them.
"""
from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import Awaitable, Callable

from hypercorn.asyncio import serve
from hypercorn.config import Config

log = logging.getLogger(__name__)

SECRET_HEADER = b"x-telegram-bot-api-secret-token"
MAX_BODY = 1 << 20


class WebhookServer:
    """Serves ``POST path`` on ``listen:port`` and hands each update's JSON to ``receive`` (False: malformed)."""

    def __init__(self, *, listen: str, port: int, path: str, secret: str,
                 receive: Callable[[dict], Awaitable[bool]]) -> None:
        self.listen, self.port, self.path = listen, port, path
        self._secret = secret.encode()
        self._receive = receive
        self._stop = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._started = asyncio.Event()

    async def start(self) -> None:
        """Listen; raises (e.g. the port is taken) if the server cannot start."""
        config = Config()
        config.bind = [f"{self.listen}:{self.port}"]
        config.accesslog = None
        config.errorlog = log
        self._task = asyncio.create_task(serve(self._app, config, shutdown_trigger=self._stop.wait))
        started = asyncio.create_task(self._started.wait())
        await asyncio.wait({self._task, started}, return_when=asyncio.FIRST_COMPLETED)
        if self._task.done():
            started.cancel()
            self._task.result()
            raise RuntimeError("the webhook server stopped as it started")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)

    async def _app(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self._started.set()
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        status = await self._handle(scope, receive)
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"0")]})
        await send({"type": "http.response.body", "body": b""})

    async def _handle(self, scope, receive) -> int:
        if scope["path"] != self.path:
            return 404
        if scope["method"] != "POST":
            return 405
        secret = dict(scope["headers"]).get(SECRET_HEADER, b"")
        if not hmac.compare_digest(secret, self._secret):
            return 403
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > MAX_BODY:
                return 413
            if not message.get("more_body"):
                break
        try:
            update = json.loads(body)
        except ValueError:
            return 400
        if not isinstance(update, dict):
            return 400
        return 200 if await self._receive(update) else 400
