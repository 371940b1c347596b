"""A conversation driver in the spirit of errbot's ``testbot``: push a message, read the replies.

It runs the real runtime on a simulated clock against a real database, so what a test
sees is what a chat would see.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session

from bot.adapters.replay import strip_bot_mention
from bot.config import Settings, load_settings
from bot.events import ChoiceSelected, Image, IncomingMessage, MembersJoined, Outgoing
from bot.export import export_state
from bot.render import as_text
from bot.runtime import SimulatedRuntime, simulated_message_id
from storage.db import session_scope

DATA = Path(__file__).resolve().parent.parent / "data"
START = datetime.fromisoformat("2026-11-23T09:00:00+08:00")  # a Monday


@dataclass(frozen=True)
class Sent:
    """A message the bot sent, as the chat saw it."""

    at: datetime
    chat: str
    text: str
    mentions: tuple[str | None, ...]
    image: str | None
    outgoing: Outgoing


class TestBot:
    __test__ = False

    def __init__(self, *, database_url: str, settings: Settings | None = None, start: datetime = START,
                 features: tuple[str, ...] | None = None) -> None:
        self.settings = settings or load_settings(DATA / "community.yaml")
        self.sent: list[Sent] = []
        self._names = {m.key: m.name for c in self.settings.communities for m in c.members}
        self._seq = 0
        kwargs = {"features": features} if features else {}
        self.runtime = SimulatedRuntime(self.settings, start=start, sink=self._record,
                                        database_url=database_url, **kwargs)

    # -- driving ------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        return self.runtime.clock.now()

    def say(self, chat: str, sender: str, text: str, *, name: str | None = None, after: timedelta | None = None,
            message_id: str | None = None, mention_bot: bool = False, reply_to: "Sent | None" = None,
            mentions: tuple[str, ...] = (), images: tuple[str, ...] = ()) -> list[Sent]:
        """Post ``text`` as ``sender`` in ``chat`` (one minute after the last event by default).

        ``reply_to`` quotes one of the bot's messages; ``mentions`` are member ids @mentioned.
        """
        text, mentioned = strip_bot_mention(text, self.settings.bot_name)
        event = IncomingMessage(
            platform="console", chat_id=chat, sender_id=sender, sender_name=name or self._names.get(sender, sender),
            text=text, at=self._next_time(after), message_id=message_id, mentions=tuple(mentions),
            mentions_bot=mention_bot or mentioned,
            reply_to=simulated_message_id(reply_to.outgoing.outbox_id) if reply_to else None,
            reply_to_bot=reply_to is not None, images=tuple(Image(i) for i in images),
        )
        return self._push(event)

    def press(self, chat: str, sender: str, action: str, *, after: timedelta | None = None) -> list[Sent]:
        """Press a button (a choice action) as ``sender``."""
        event = ChoiceSelected("console", chat, sender, self._names.get(sender, sender), action, self._next_time(after))
        return self._push(event)

    def join(self, chat: str, members: list[tuple[str, str]]) -> list[Sent]:
        return self._push(MembersJoined("console", chat, tuple(members), self._next_time(None)))

    def advance(self, delta: timedelta | None = None, *, to: datetime | None = None) -> list[Sent]:
        """Let simulated time pass; returns what the bot sent meanwhile (scheduled work)."""
        before = len(self.sent)
        self.runtime.advance_to(to if to is not None else self.now + delta)
        return self.sent[before:]

    def _push(self, event) -> list[Sent]:
        before = len(self.sent)
        self.runtime.handle(event)
        return self.sent[before:]

    def _next_time(self, after: timedelta | None) -> datetime:
        return self.now + (after if after is not None else timedelta(minutes=1))

    def _record(self, outgoing: Outgoing) -> None:
        self.sent.append(Sent(outgoing.at, outgoing.chat_key, as_text(outgoing),
                              tuple(m.user_id for m in outgoing.mentions), outgoing.image, outgoing))

    # -- looking ------------------------------------------------------------------------

    @contextmanager
    def session(self) -> Session:
        with session_scope(self.runtime.engine) as session:
            yield session

    def export(self) -> dict:
        with self.session() as session:
            return export_state(session, registry=self.runtime.registry, tz=self.settings.tz)

    def close(self) -> None:
        self.runtime.close()


def texts(sent: list[Sent]) -> list[str]:
    return [s.text for s in sent]


def only(sent: list[Sent]) -> Sent:
    assert len(sent) == 1, f"expected one message, got {len(sent)}: {texts(sent)}"
    return sent[0]
