"""What an adapter is: it turns platform traffic into neutral events and sends outgoing messages."""
from __future__ import annotations

from typing import Protocol

from bot.events import Outgoing
from bot.outbound import Limits


class Adapter(Protocol):
    """One platform connection, owned and started by the serving runtime."""

    platform: str
    # What one message may hold; the outbound queue splits and paces to fit.
    limits: Limits

    async def start(self, runtime) -> None:
        """Begin receiving; each event is passed to ``await runtime.submit(event)``."""

    async def send(self, outgoing: Outgoing) -> str | None:
        """Send one message that fits ``limits``; returns the platform's message id when it gives one.

        Raise ``bot.outbound.RetryLater`` for a transient failure (network, rate limit) and
        ``bot.outbound.Undeliverable`` when the platform refuses the message.
        """

    async def wait_closed(self) -> None:
        """Return when the adapter has no more input (console: end of stdin); others never."""

    async def stop(self) -> None:
        """Disconnect; safe to call when ``start`` failed or never ran."""
