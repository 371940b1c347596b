"""The outbound queue: one ordered queue per chat between the outbox and the platforms.

Platform limits are respected here without dropping anything: long texts are split on
line boundaries under the platform's limit (choices stay on the last part, @mentions on
the first), a platform's minimum interval between messages is kept, and transient errors
(network, 429 ``retry_after``) are retried with backoff. A message stays an undelivered
outbox row until its last part is sent, and parts already sent are recorded, so a restart
carries on where the previous process stopped.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Protocol

from bot.events import Mention, Outgoing
from bot.render import choice_lines

log = logging.getLogger(__name__)


class RetryLater(Exception):
    """A transient failure (network, rate limit): send the same part again after a pause."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Undeliverable(Exception):
    """This message cannot be sent now (bot removed from the chat, missing file, …)."""


class _Stopping(Exception):
    """The queue is closing: leave the rest of this message in the outbox."""


@dataclass(frozen=True, slots=True)
class Limits:
    """What one platform accepts. Lengths count UTF-16 code units, as Telegram does."""

    max_text: int | None = None
    # Longest caption under an image; 0 sends an image as a message of its own.
    caption: int = 0
    # Choices rendered as numbered lines at the end of the text (False: buttons).
    text_choices: bool = True
    # Least time between two messages the account sends, across all its chats.
    min_interval_s: float = 0.0


class Ledger(Protocol):
    """Where delivery is recorded (the outbox, through the runtime's database worker)."""

    async def delivered(self, outbox_id: int, platform_message_id: str | None) -> None: ...

    async def progressed(self, outbox_id: int, parts_sent: int) -> None: ...

    async def failed(self, outbox_id: int, error: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential pauses between retries of one part: 0.5 s, 1 s, 2 s … up to ``cap_s``."""

    base_s: float = 0.5
    cap_s: float = 60.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        return max(retry_after or 0.0, min(self.cap_s, self.base_s * 2 ** min(attempt, 16)))


def measure(text: str) -> int:
    """Length in UTF-16 code units: how Telegram counts, and never less than characters."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int, *, head: int = 0, tail: int = 0) -> list[str]:
    """Split ``text`` on line boundaries so every part fits ``limit``.

    The first part leaves ``head`` units free (for @mentions) and the last leaves ``tail``
    (for numbered choices); when nothing else works the last part is empty, choices alone.
    A single line longer than a part is cut inside the line.
    """
    if measure(text) + head + tail <= limit:
        return [text]
    room = limit - max(head, tail)
    if room < 1:
        raise ValueError(f"limit {limit} leaves no room for text")
    lines = [piece for line in text.split("\n") for piece in _cut(line, room)]
    parts: list[list[str]] = [[]]
    budget = limit - head
    for line in lines:
        current = parts[-1]
        if current and measure("\n".join([*current, line])) > budget:
            parts.append([line])
            budget = limit
        else:
            current.append(line)
    # The last part needs room for the tail: keep its longest ending that has it.
    last = parts.pop()
    alone = not parts
    keep = len(last)
    while keep and measure("\n".join(last[-keep:])) + tail + (head if alone and keep == len(last) else 0) > limit:
        keep -= 1
    if keep < len(last):
        parts.append(last[:len(last) - keep])
    parts.append(last[len(last) - keep:])
    return ["\n".join(part) for part in parts]


def _cut(line: str, room: int) -> list[str]:
    """A line in pieces of at most ``room`` units, never inside a surrogate pair."""
    if measure(line) <= room:
        return [line]
    pieces, current, size = [], [], 0
    for char in line:
        width = measure(char)
        if size + width > room:
            pieces.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    pieces.append("".join(current))
    return pieces


def mention_width(mentions: tuple[Mention, ...]) -> int:
    """Room for the @names an adapter puts before the text ("@张阿姨\u2005")."""
    return sum(measure(m.name) + 2 for m in mentions)


def plan_parts(item: Outgoing, limits: Limits) -> list[Outgoing]:
    """The platform messages one outbox message becomes, in sending order."""
    head = mention_width(item.mentions)
    tail = measure("\n" + choice_lines(item.choices)) if item.choices and limits.text_choices else 0
    parts: list[Outgoing] = []
    if item.image:
        if limits.caption and measure(item.text) + head + tail <= limits.caption:
            return [item]
        parts.append(replace(item, text="", mentions=(), choices=()))
        if not item.text.strip() and not item.choices:
            return parts
        item = replace(item, image=None)
    chunks = [item.text] if limits.max_text is None else split_text(item.text, limits.max_text, head=head, tail=tail)
    last = len(chunks) - 1
    parts.extend(
        replace(item, text=chunk, mentions=item.mentions if n == 0 else (), choices=item.choices if n == last else ())
        for n, chunk in enumerate(chunks)
    )
    return parts


class Sender(Protocol):
    platform: str
    limits: Limits

    async def send(self, outgoing: Outgoing) -> str | None: ...


class Outbound:
    """Per-chat ordered delivery with pacing, splitting and retries."""

    # Outbox ids delivered lately: a ``due()`` read just before their acknowledgement
    # was recorded may list them once more; they must not go out twice.
    REMEMBER = 10_000
    # After a message failed for good, the outbox holds it back; until then ignore it.
    COOLDOWN_S = 60.0

    def __init__(
        self,
        senders: Iterable[Sender],
        ledger: Ledger,
        *,
        backoff: Backoff = Backoff(),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.senders = {s.platform: s for s in senders}
        self.ledger = ledger
        self.backoff = backoff
        self._clock, self._sleep = clock, sleep
        self._queues: dict[str, asyncio.Queue[Outgoing]] = {}
        self._workers: dict[str, asyncio.Task] = {}
        self._sending: set[asyncio.Task] = set()
        self._known: set[int] = set()
        # Cut short by closing, not sent: the process lets go of them on its way out.
        self._interrupted: set[int] = set()
        self._done: OrderedDict[int, None] = OrderedDict()
        self._cooling: dict[int, float] = {}
        self._pace_locks: dict[str, asyncio.Lock] = {}
        self._next_slot: dict[str, float] = {}
        self._warned: set[str] = set()
        self._closing = False

    def put(self, items: Iterable[Outgoing]) -> None:
        """Queue messages behind those already waiting for their chat; known ones are skipped."""
        now = self._clock()
        for item in items:
            if item.outbox_id in self._known or item.outbox_id in self._done:
                continue
            if item.outbox_id in self._cooling:
                if self._cooling[item.outbox_id] > now:
                    continue
                del self._cooling[item.outbox_id]
            if item.platform not in self.senders:
                if item.platform not in self._warned:
                    self._warned.add(item.platform)
                    log.warning("no %s adapter is running; its messages stay in the outbox", item.platform)
                continue
            self._known.add(item.outbox_id)
            self._queue_for(item).put_nowait(item)

    def in_hand(self) -> list[int]:
        """Outbox ids queued or being sent here, or left unsent by closing."""
        return list(self._known | self._interrupted)

    async def drain(self) -> None:
        """Return once every queued message has been dealt with."""
        for queue in list(self._queues.values()):
            await queue.join()

    async def close(self, grace_s: float = 5.0) -> None:
        """Stop: parts being sent get ``grace_s`` to finish; the rest stays in the outbox."""
        self._closing = True
        sending = {t for t in self._sending if not t.done()}
        for task in self._workers.values():
            if task not in sending:
                task.cancel()
        if sending:
            await asyncio.wait(sending, timeout=grace_s)
        for task in self._workers.values():
            task.cancel()
        await asyncio.gather(*self._workers.values(), return_exceptions=True)
        self._workers.clear()

    def _queue_for(self, item: Outgoing) -> asyncio.Queue[Outgoing]:
        key = f"{item.platform}:{item.chat_external_id}"
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = asyncio.Queue()
            self._workers[key] = asyncio.create_task(self._work(queue), name=f"outbound {key}")
        return queue

    async def _work(self, queue: asyncio.Queue[Outgoing]) -> None:
        while not self._closing:
            item = await queue.get()
            try:
                await self._deliver(item)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivering outbox message %s failed", item.outbox_id)
            finally:
                queue.task_done()

    async def _deliver(self, item: Outgoing) -> None:
        sender = self.senders[item.platform]
        parts = plan_parts(item, sender.limits)
        last = len(parts) - 1
        try:
            for index in range(min(item.parts_sent, len(parts)), len(parts)):
                if self._closing:
                    return
                # From the moment a part goes out until it is recorded, closing waits for us.
                platform_id = await self._send_part(sender, parts[index])
                try:
                    if index < last:
                        await _unstoppable(self.ledger.progressed(item.outbox_id, index + 1))
                    else:
                        self._remember_done(item.outbox_id)
                        await _unstoppable(self.ledger.delivered(item.outbox_id, platform_id))
                finally:
                    self._sending.discard(asyncio.current_task())
        except _Stopping:
            return
        except Undeliverable as exc:
            log.warning("outbox message %s to %s not delivered: %s", item.outbox_id, item.chat_key, exc)
            self._cooling[item.outbox_id] = self._clock() + self.COOLDOWN_S
            await _unstoppable(self.ledger.failed(item.outbox_id, str(exc) or type(exc).__name__))
        finally:
            self._known.discard(item.outbox_id)
            if self._closing and item.outbox_id not in self._done:
                self._interrupted.add(item.outbox_id)

    def _remember_done(self, outbox_id: int) -> None:
        self._done[outbox_id] = None
        while len(self._done) > self.REMEMBER:
            self._done.popitem(last=False)

    async def _send_part(self, sender: Sender, part: Outgoing) -> str | None:
        """Send one part, retrying transient failures; on return the caller is still marked as sending."""
        task = asyncio.current_task()
        attempt = 0
        while True:
            try:
                async with self._paced(sender):
                    self._sending.add(task)
                    return await sender.send(part)
            except RetryLater as exc:
                retry = exc
            except (Undeliverable, asyncio.CancelledError):
                self._sending.discard(task)
                raise
            except Exception as exc:
                self._sending.discard(task)
                log.exception("unexpected error sending to %s", part.chat_key)
                raise Undeliverable(f"{type(exc).__name__}: {exc}") from exc
            self._sending.discard(task)
            if self._closing:
                raise _Stopping
            delay = self.backoff.delay(attempt, retry.retry_after)
            log.info("sending to %s: %s; again in %.1f s", part.chat_key, retry, delay)
            attempt += 1
            await self._sleep(delay)

    @asynccontextmanager
    async def _paced(self, sender: Sender) -> AsyncIterator[None]:
        """Keep the platform's minimum interval between any two messages of the account.

        The slot is held while the message is sent, so a slow send cannot bring the next
        one closer than the interval.
        """
        interval = sender.limits.min_interval_s
        if interval <= 0:
            yield
            return
        lock = self._pace_locks.setdefault(sender.platform, asyncio.Lock())
        async with lock:
            wait = self._next_slot.get(sender.platform, 0.0) - self._clock()
            if wait > 0:
                await self._sleep(wait)
            self._next_slot[sender.platform] = self._clock() + interval
            yield


async def _unstoppable(record: Awaitable[None]) -> None:
    """Record delivery even if the queue is being cancelled meanwhile: a sent part must be noted."""
    await asyncio.shield(asyncio.ensure_future(record))
