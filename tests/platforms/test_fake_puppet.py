"""The fake puppet service works end to end with the real python-wechaty client."""

from __future__ import annotations

from bot.adapters.wechat import compat  # noqa: F401 - must run before anything imports wechaty

# isort: split

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from grpclib.client import Channel
from grpclib.exceptions import StreamTerminatedError
from wechaty import Contact, FileBox, Message, MessageType, Room, Wechaty, WechatyOptions
from wechaty_grpc.wechaty import PuppetStub
from wechaty_grpc.wechaty.puppet import EventType
from wechaty_puppet import PuppetOptions

from tests.fakes.puppet import MENTION_SEPARATOR, FakePuppet, SentMessage, running_bot

BOT_ID, BOT_NAME = "bot", "共建助手"
ROOM = "room-3"
ZHANG, LI, WANG = "u-zhang", "u-li", "u-wang"
# Not a real image: the fake and the client only move bytes, including awkward ones.
CHART_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) + b"\r\n--boundary\r\n"
WAIT = 10.0


@dataclass(frozen=True)
class Heard:
    """What the bot saw of one incoming message."""

    room_id: str | None
    talker_id: str
    type: MessageType
    text: str
    mentions_self: bool


class EchoBot(Wechaty):
    """A minimal bot touching every path the fake must serve."""

    def __init__(self, options: WechatyOptions) -> None:
        super().__init__(options)
        self.logged_in = asyncio.Event()
        self.heard: list[Heard] = []
        self.joins: list[tuple[str, list[str], str]] = []

    async def on_login(self, contact: Contact) -> None:
        """Signal that the login event was handled."""
        self.logged_in.set()

    async def on_message(self, msg: Message) -> None:
        """Record what was heard, then reply."""
        room = msg.room()
        mentions_self = await msg.mention_self()
        heard = Heard(
            room and room.room_id, msg.talker().contact_id, msg.type(), msg.text(), mentions_self
        )
        self.heard.append(heard)
        await self._reply(msg, room, mentions_self)

    async def _reply(self, msg: Message, room: Room | None, mentions_self: bool) -> None:
        if msg.type() == MessageType.MESSAGE_TYPE_IMAGE:
            image = await msg.to_file_box()
            await msg.say(f"收到图片 {len(base64.b64decode(image.base64))} 字节")
        elif room is None:
            await msg.say("私聊收到：" + msg.text())
        elif mentions_self:
            talker_id = msg.talker().contact_id
            await room.say("收到：" + await msg.mention_text(), mention_ids=[talker_id])
        elif msg.text() == "发图":
            await msg.say(FileBox.from_base64(base64.b64encode(CHART_BYTES), name="chart.png"))
        elif msg.text() == "成员":
            names = sorted(member.name for member in await room.member_list())
            await msg.say("成员：" + "、".join(names))
        else:
            await msg.say("echo: " + msg.text())

    async def on_room_join(
        self, room: Room, invitees: list[Contact], inviter: Contact, date: datetime
    ) -> None:
        """Record the join and welcome the newcomers with an @mention."""
        invitee_ids = [c.contact_id for c in invitees]
        self.joins.append((room.room_id, invitee_ids, inviter.contact_id))
        await room.say("欢迎新邻居", mention_ids=invitee_ids)


def make_bot(puppet: FakePuppet, port: int, scheduler: AsyncIOScheduler) -> EchoBot:
    """A real Wechaty pointed at the fake, with explicit (never shared default) options."""
    options = WechatyOptions(
        puppet="wechaty-puppet-service",
        puppet_options=PuppetOptions(end_point=puppet.endpoint, token=puppet.token),
        port=port,  # only checked to be free at login, but the default 5000 may be taken
        scheduler=scheduler,  # in-memory: the default is SQLite in the import-time cache dir
    )
    return EchoBot(options)


@pytest.fixture
async def puppet() -> AsyncIterator[FakePuppet]:
    """A fake service with the bot, three residents and one building group."""
    async with FakePuppet(self_id=BOT_ID, self_name=BOT_NAME) as fake:
        fake.add_contact(ZHANG, "张阿姨")
        fake.add_contact(LI, "李师傅")
        fake.add_contact(WANG, "王大爷")
        fake.add_room(ROOM, "幸福里3栋", [ZHANG, LI])
        yield fake


@pytest.fixture
async def scheduler() -> AsyncIterator[AsyncIOScheduler]:
    """An in-memory scheduler: wechaty starts it at login but never stops it, so we do."""
    sched = AsyncIOScheduler()
    yield sched
    if sched.running:
        sched.shutdown(wait=False)


@pytest.fixture
async def bot(
    puppet: FakePuppet, scheduler: AsyncIOScheduler, free_port: int, wechaty_state: Path
) -> AsyncIterator[EchoBot]:
    """The echo bot, started against the fake and logged in."""
    echo_bot = make_bot(puppet, free_port, scheduler)
    async with running_bot(echo_bot, puppet, timeout=WAIT):
        await asyncio.wait_for(echo_bot.logged_in.wait(), WAIT)
        yield echo_bot


def text_is(text: str) -> Callable[[SentMessage], bool]:
    """Predicate: a sent text message equal to ``text``."""
    return lambda sent: sent.text == text


async def test_room_text_is_echoed_to_the_room(bot: EchoBot, puppet: FakePuppet) -> None:
    await puppet.send_room_text(ROOM, ZHANG, "你好")

    reply = await puppet.wait_sent(text_is("echo: 你好"))

    assert (reply.room_id, reply.conversation_id, reply.mention_ids) == (ROOM, ROOM, ())
    assert bot.heard == [Heard(ROOM, ZHANG, MessageType.MESSAGE_TYPE_TEXT, "你好", False)]


async def test_mention_of_the_bot_is_answered_with_a_mention(
    bot: EchoBot, puppet: FakePuppet
) -> None:
    await puppet.send_room_text(ROOM, ZHANG, "3栋漏水", mention_ids=[BOT_ID])

    reply = await puppet.wait_sent(lambda sent: "收到" in (sent.text or ""))

    # Room.say(mention_ids=...) prefixes "@name" itself; mention_text() stripped "@共建助手\u2005".
    assert reply.text == "@张阿姨 收到：3栋漏水"
    assert reply.mention_ids == (ZHANG,)
    (heard,) = bot.heard
    assert heard.text == f"@{BOT_NAME}{MENTION_SEPARATOR}3栋漏水"
    assert heard.mentions_self


async def test_mention_of_someone_else_is_not_a_mention_of_the_bot(
    bot: EchoBot, puppet: FakePuppet
) -> None:
    await puppet.send_room_text(ROOM, ZHANG, "修好了吗", mention_ids=[LI])

    reply = await puppet.wait_sent()

    assert reply.text == f"echo: @李师傅{MENTION_SEPARATOR}修好了吗"
    assert not bot.heard[0].mentions_self


async def test_concurrent_messages_are_all_answered(bot: EchoBot, puppet: FakePuppet) -> None:
    texts = [f"第{i}条" for i in range(5)]
    for text in texts:
        await puppet.send_room_text(ROOM, LI, text)

    # Handled concurrently: replies may arrive in any order, so match by content.
    replies = await puppet.wait_sent_many(len(texts), lambda s: (s.text or "").startswith("echo: "))

    assert sorted(r.text for r in replies) == sorted(f"echo: {t}" for t in texts)


async def test_member_list_comes_from_the_fake(bot: EchoBot, puppet: FakePuppet) -> None:
    await puppet.send_room_text(ROOM, ZHANG, "成员")

    reply = await puppet.wait_sent()

    assert reply.text == "成员：" + "、".join(sorted([BOT_NAME, "张阿姨", "李师傅"]))
    assert any(call.method == "RoomMemberList" for call in puppet.calls)


async def test_direct_message_is_answered_in_the_direct_chat(
    bot: EchoBot, puppet: FakePuppet
) -> None:
    await puppet.send_direct_text(WANG, "怎么报修？")

    reply = await puppet.wait_sent()

    assert (reply.conversation_id, reply.room_id) == (WANG, None)
    assert reply.text == "私聊收到：怎么报修？"


async def test_room_join_reaches_on_room_join(bot: EchoBot, puppet: FakePuppet) -> None:
    await puppet.join_room(ROOM, [WANG], inviter_id=ZHANG)

    welcome = await puppet.wait_sent(lambda sent: "欢迎" in (sent.text or ""))

    assert bot.joins == [(ROOM, [WANG], ZHANG)]
    assert (welcome.room_id, welcome.mention_ids) == (ROOM, (WANG,))
    assert WANG in puppet.room_member_ids(ROOM)


async def test_image_sent_by_the_bot_reaches_the_fake_as_a_file(
    bot: EchoBot, puppet: FakePuppet
) -> None:
    await puppet.send_room_text(ROOM, ZHANG, "发图")

    sent = await puppet.wait_sent(lambda s: s.is_file)

    assert (sent.room_id, sent.file_name, sent.file_bytes) == (ROOM, "chart.png", CHART_BYTES)


async def test_image_posted_by_a_member_can_be_downloaded(bot: EchoBot, puppet: FakePuppet) -> None:
    await puppet.send_room_image(ROOM, LI, CHART_BYTES, name="leak.jpg")

    reply = await puppet.wait_sent()

    assert reply.text == f"收到图片 {len(CHART_BYTES)} 字节"
    assert bot.heard[0].type == MessageType.MESSAGE_TYPE_IMAGE


async def test_ending_the_stream_lets_start_return_and_stop_cleanly(
    puppet: FakePuppet, scheduler: AsyncIOScheduler, free_port: int, wechaty_state: Path
) -> None:
    echo_bot = make_bot(puppet, free_port, scheduler)
    start = asyncio.create_task(echo_bot.start())
    await puppet.login()
    await asyncio.wait_for(echo_bot.logged_in.wait(), WAIT)

    puppet.end_stream()
    await asyncio.wait_for(start, WAIT)
    await echo_bot.stop()

    # start() calls Stop then Start; stop() calls Stop once more.
    assert [c.method for c in puppet.calls if c.method in {"Start", "Stop", "Event"}] == [
        "Stop", "Start", "Event", "Stop"
    ]


async def test_dropped_stream_errors_the_client_and_buffers_events(puppet: FakePuppet) -> None:
    # The raw gRPC stub: wechaty itself would only log the error and retry after 60 s.
    channel = Channel(host="127.0.0.1", port=puppet.port)
    stub = PuppetStub(channel)
    try:
        # Sent before any stream is open: buffered, then delivered on the first one.
        before = await puppet.send_room_text(ROOM, ZHANG, "连上之前")
        first = stub.event().__aiter__()
        delivered = await asyncio.wait_for(anext(first), WAIT)
        assert json.loads(delivered.payload) == {"messageId": before}

        puppet.drop_stream()
        with pytest.raises(StreamTerminatedError):
            await asyncio.wait_for(anext(first), WAIT)
        during = await puppet.send_room_text(ROOM, ZHANG, "断线期间")

        second = stub.event().__aiter__()
        event = await asyncio.wait_for(anext(second), WAIT)
    finally:
        channel.close()

    assert event.type == EventType.EVENT_TYPE_MESSAGE
    assert json.loads(event.payload) == {"messageId": during}
    assert puppet.streams_opened == 2


async def test_unknown_ids_are_refused(puppet: FakePuppet) -> None:
    with pytest.raises(LookupError):
        await puppet.send_room_text("no-such-room", ZHANG, "hi")
    with pytest.raises(LookupError):
        await puppet.send_room_text(ROOM, WANG, "not a member yet")


def test_sent_message_is_a_file_only_with_a_name() -> None:
    assert SentMessage("m", "r", "r", file_name="a.png").is_file
    assert not SentMessage("m", "r", "r", text="hi").is_file
