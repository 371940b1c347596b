"""What an adapter is: it turns platform traffic into neutral events and sends outgoing messages."""
from __future__ import annotations

from typing import Protocol

from bot.events import Outgoing


class Adapter(Protocol):
    """One platform connection, owned and started by the serving runtime."""

    platform: str

    async def start(self, runtime) -> None:
        """Begin receiving; each event is passed to ``await runtime.submit(event)``."""

    async def send(self, outgoing: Outgoing) -> str | None:
        """Send one message; returns the platform's message id when it gives one."""

    async def wait_closed(self) -> None:
        """Return when the adapter has no more input (console: end of stdin); others never."""

    async def stop(self) -> None:
        """Disconnect."""
