"""The console: each stdin line is a message in a simulated chat; replies are printed.

A line may start with ``[sender@chat]`` to pick who speaks and where (``[zhang@b3] #帮助``);
``[sender]`` or ``[@chat]`` change one of the two. Without a prefix the defaults given on
the command line apply. Member and chat keys are the ones in the config.
"""
from __future__ import annotations

import asyncio
import re
import threading
from datetime import datetime
from typing import TextIO

from bot.events import IncomingMessage, Outgoing
from bot.outbound import Limits
from bot.render import as_text

PREFIX = re.compile(r"^\[\s*([A-Za-z0-9_.-]*)\s*(?:@\s*([A-Za-z0-9_.-]+))?\s*\]\s?")


def parse_console_line(line: str, *, default_sender: str, default_chat: str, bot_name: str,
                       names: dict[str, str], now: datetime) -> IncomingMessage | None:
    """Turn one console line into a message; None for a blank line."""
    line = line.rstrip("\r\n")
    sender, chat = default_sender, default_chat
    match = PREFIX.match(line)
    if match:
        sender = match.group(1) or sender
        chat = match.group(2) or chat
        line = line[match.end():]
    if not line.strip():
        return None
    text, mentions_bot = strip_bot_mention(line, bot_name)
    return IncomingMessage(
        platform="console", chat_id=chat, sender_id=sender, sender_name=names.get(sender, sender),
        text=text, at=now, mentions_bot=mentions_bot,
    )


def strip_bot_mention(text: str, bot_name: str) -> tuple[str, bool]:
    """``@共建助手 帮助`` → ("帮助", True); text without the mention is returned unchanged."""
    stripped = text.lstrip()
    tag = f"@{bot_name}"
    if stripped.startswith(tag):
        return stripped[len(tag):].lstrip(" \u2005\u3000"), True
    return text, False


class ConsoleAdapter:
    """Reads stdin on a daemon thread (so Ctrl-C never waits on a blocked read) and prints replies."""

    platform = "console"
    limits = Limits()

    def __init__(self, *, stdin: TextIO, stdout: TextIO, default_sender: str, default_chat: str,
                 bot_name: str, names: dict[str, str]) -> None:
        self.stdin, self.stdout = stdin, stdout
        self.default_sender, self.default_chat = default_sender, default_chat
        self.bot_name, self.names = bot_name, names
        self._done = asyncio.Event()
        self._reader: asyncio.Task | None = None

    async def start(self, runtime) -> None:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()

        def pump() -> None:
            for line in self.stdin:
                loop.call_soon_threadsafe(queue.put_nowait, line)
            loop.call_soon_threadsafe(queue.put_nowait, None)

        threading.Thread(target=pump, name="console-stdin", daemon=True).start()
        self._reader = asyncio.create_task(self._consume(queue, runtime))

    async def _consume(self, queue: asyncio.Queue, runtime) -> None:
        try:
            while (line := await queue.get()) is not None:
                event = parse_console_line(
                    line, default_sender=self.default_sender, default_chat=self.default_chat,
                    bot_name=self.bot_name, names=self.names, now=runtime.clock.now(),
                )
                if event is not None:
                    await runtime.submit(event)
        finally:
            self._done.set()

    async def send(self, outgoing: Outgoing) -> str | None:
        self.stdout.write(f"[{self.bot_name} → {outgoing.chat_name}] {as_text(outgoing)}\n")
        self.stdout.flush()
        return None

    async def wait_closed(self) -> None:
        await self._done.wait()

    async def stop(self) -> None:
        if self._reader is not None and not self._reader.done():
            self._reader.cancel()
