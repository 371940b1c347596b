"""The WeChat adapter: a wechaty client on a puppet service, for the configured rooms.

Three things differ from running ``Wechaty.start()``:

- Incoming events are read in stream order by one consumer (wechaty handles each message
  in its own task, so a "1" could overtake the command it answers).
- A broken event stream is reconnected by restarting the same puppet connection with
  backoff (0.5 s doubling up to ``reconnect_max_s``), where wechaty sleeps a fixed 60 s and
  rebuilds everything. The same puppet object keeps its listeners, login and object pools.
- Texts are sent with the puppet's ``message_send_text``: ``Room.say`` fetches the message
  it just sent and raises if that fails, which would send it a second time on retry.
"""
from __future__ import annotations

import asyncio
import base64
import logging
import os
import time
from pathlib import Path

from bot.adapters.wechat import compat  # noqa: F401  (patches wechaty's neighbours first)

# isort: split

from grpclib.const import Status
from grpclib.exceptions import GRPCError, ProtocolError, StreamTerminatedError
from wechaty_puppet import FileBox, MessageType
from wechaty_puppet.exceptions import WechatyPuppetError
from wechaty_puppet.file_box import FileBoxType

from bot.adapters.chats import ConfiguredChats
from bot.adapters.files import incoming_path, saved_image
from bot.adapters.wechat.config import WechatConfig
from bot.adapters.wechat.incoming import MENTION_END, RecentIds, SentIndex, read_quote, strip_self_mention
from bot.events import IncomingMessage, MembersJoined, Outgoing
from bot.outbound import Limits, RetryLater, Undeliverable
from bot.render import as_text

log = logging.getLogger(__name__)

PLATFORM = "wechat"
SEND_TIMEOUT_S = 30.0
READ_ATTEMPTS = 4
STABLE_S = 30.0  # a connection that lasted this long resets the backoff
# What a lost connection or a busy, restarting service looks like; a send failing so is retried.
READ_ERRORS = (OSError, TimeoutError, GRPCError, ProtocolError, StreamTerminatedError, WechatyPuppetError)
TRANSIENT_STATUS = {
    Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED, Status.RESOURCE_EXHAUSTED,
    Status.ABORTED, Status.INTERNAL, Status.UNKNOWN, Status.CANCELLED,
}


def load_wechaty(data_dir: Path):
    """Import wechaty through the compatibility shim, its cache and log level set first.

    wechaty creates ``$CACHE_DIR`` when imported and logs every message at INFO on its own
    handlers; both are set here unless the environment already says otherwise.
    """
    os.environ.setdefault("CACHE_DIR", str(data_dir / "wechaty"))
    os.environ.setdefault("WECHATY_LOG", "warn")
    from bot.adapters.wechat.compat import import_wechaty

    return import_wechaty()


class WechatAdapter:
    """One WeChat account serving the rooms bound to chats in the config."""

    platform = PLATFORM

    def __init__(self, config: WechatConfig, *, room_ids: set[str], bot_name: str, data_dir: Path) -> None:
        self.config = config
        self.limits = Limits(max_text=config.max_text, min_interval_s=config.min_interval_s)
        self.room_ids = ConfiguredChats(PLATFORM, room_ids)
        self.bot_name = bot_name
        self.data_dir = data_dir
        self.reconnects = 0
        self._bot = None
        self._tasks: list[asyncio.Task] = []
        self._inbox: asyncio.Queue[tuple[str, object]] = asyncio.Queue()
        self._seen = RecentIds()
        self._sent = SentIndex()
        self._my_name: str | None = None
        self._my_alias: dict[str, str] = {}  # room id -> the bot's nickname there
        self._closed = asyncio.Event()

    def describe(self) -> str:
        return f"微信（puppet 服务 {self.config.endpoint}，{len(self.room_ids)} 个群）"

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self, runtime) -> None:
        wechaty = load_wechaty(self.data_dir)
        from apscheduler.schedulers.asyncio import AsyncIOScheduler
        from wechaty_puppet import PuppetOptions

        options = wechaty.WechatyOptions(
            puppet="wechaty-puppet-service",
            # Explicit options: the default PuppetOptions object is shared by every bot.
            puppet_options=PuppetOptions(end_point=self.config.endpoint, token=self.config.token),
            # wechaty's plugin web server is never started; port 0 can never be "in use".
            port=0,
            # An in-memory scheduler instead of wechaty's SQLite file in its cache dir.
            scheduler=AsyncIOScheduler(),
        )
        self._bot = wechaty.Wechaty(options)
        await self._bot.init_puppet()
        puppet = self._bot.puppet
        # Plain functions run as the stream delivers each event, so the inbox keeps its order.
        puppet.on("message", lambda payload: self._inbox.put_nowait(("message", payload)))
        puppet.on("room-join", lambda payload: self._inbox.put_nowait(("room-join", payload)))
        puppet.on("login", lambda payload: log.info("WeChat logged in as %s", payload.contact_id))
        puppet.on("logout", lambda payload: log.warning("WeChat account %s logged out", payload.contact_id))
        puppet.on("scan", self._on_scan)
        self._tasks = [
            asyncio.create_task(self._connect_forever(), name="wechat connection"),
            asyncio.create_task(self._consume(runtime), name="wechat inbox"),
        ]

    async def wait_closed(self) -> None:
        await self._closed.wait()

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        puppet = getattr(self._bot, "_puppet", None) if self._bot is not None else None
        if puppet is not None:
            try:
                async with asyncio.timeout(5):
                    await self._bot.stop()
            except Exception as exc:  # the service may already be gone; we are leaving anyway
                log.info("WeChat puppet did not stop cleanly: %s", exc)
        self._closed.set()

    async def _connect_forever(self) -> None:
        """Keep the puppet's event stream open, reconnecting with backoff when it breaks."""
        delay, first = 0.5, True
        puppet = self._bot.puppet
        while True:
            opened = time.monotonic()
            if not first:
                self.reconnects += 1
            first = False
            try:
                await puppet.start()  # Stop, Start, then the event stream until it ends
                reason = "the event stream ended"
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                reason = f"{type(exc).__name__}: {exc}"
            if time.monotonic() - opened > STABLE_S:
                delay = 0.5
            log.warning("WeChat puppet connection lost (%s); reconnecting in %.1f s", reason, delay)
            if puppet.channel is not None:
                puppet.channel.close()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.config.reconnect_max_s)

    def _on_scan(self, payload) -> None:
        if payload.qrcode:
            log.warning("WeChat needs a login: scan https://wechaty.js.org/qrcode/%s", payload.qrcode)

    # -- incoming -----------------------------------------------------------------------

    async def _consume(self, runtime) -> None:
        while True:
            kind, payload = await self._inbox.get()
            if kind == "message" and self._seen.seen(payload.message_id):
                continue
            try:
                event = await self._read(kind, payload, runtime.clock.now())
                if event is not None:
                    await runtime.submit(event)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("WeChat %s event could not be handled", kind)

    async def _read(self, kind: str, payload, now):
        """Turn one puppet event into a neutral event, retrying reads while reconnecting."""
        for attempt in range(READ_ATTEMPTS):
            try:
                if kind == "message":
                    return await self._message_event(payload.message_id, now)
                return await self._join_event(payload, now)
            except READ_ERRORS as exc:
                if attempt == READ_ATTEMPTS - 1 or isinstance(_refusal(exc), Undeliverable):
                    raise
                log.info("reading a WeChat %s failed (%s); trying again", kind, exc)
                await asyncio.sleep(0.5 * 2**attempt)
        return None

    async def _message_event(self, message_id: str, now) -> IncomingMessage | None:
        puppet = self._bot.puppet
        payload = await puppet.message_payload(message_id)
        room_id = payload.room_id
        self_id = puppet.login_user_id
        if not room_id or payload.from_id == self_id or not self.room_ids.serves(room_id):
            return None
        message = self._bot.Message.load(message_id)
        await message.ready()
        room, talker = message.room(), message.talker()
        name = await room.alias(talker) or talker.name or payload.from_id
        images = ()
        if message.type() == MessageType.MESSAGE_TYPE_IMAGE:
            images = (await self._save_image(message, message_id),)
            text = ""
        elif message.type() == MessageType.MESSAGE_TYPE_TEXT:
            text = message.text()
        else:
            return None
        mention_ids = [m for m in payload.mention_ids if m]
        mentions_bot = self_id is not None and self_id in mention_ids
        text, typed = strip_self_mention(text, await self._self_names_in(room, self_id))
        reply_to, reply_to_bot = None, False
        quote = read_quote(text)
        if quote is not None:
            text = quote.text
            reply_to_bot = quote.name in await self._self_names_in(room, self_id)
            reply_to = self._sent.find(room_id, quote.quoted) if reply_to_bot else None
        return IncomingMessage(
            platform=PLATFORM, chat_id=room_id, sender_id=payload.from_id, sender_name=name, text=text,
            at=now, message_id=message_id, mentions=tuple(m for m in mention_ids if m != self_id),
            mentions_bot=mentions_bot or typed, reply_to=reply_to, reply_to_bot=reply_to_bot, images=images,
        )

    async def _join_event(self, payload, now) -> MembersJoined | None:
        if not self.room_ids.serves(payload.room_id):
            return None
        self_id = self._bot.puppet.login_user_id
        members = []
        for contact_id in payload.invited_ids:
            if contact_id == self_id:
                continue
            contact = self._bot.Contact.load(contact_id)
            await contact.ready()
            members.append((contact_id, contact.name or contact_id))
        if not members:
            return None
        marker = f"join:{payload.timestamp}:{','.join(i for i, _ in members)}"[:128]
        return MembersJoined(PLATFORM, payload.room_id, tuple(members), now, message_id=marker)

    async def _self_names_in(self, room, self_id: str | None) -> set[str]:
        """The names the bot may be @mentioned by in a room: its room nickname, its name, the config's."""
        names = {self.bot_name}
        if self_id is None:
            return names
        me = self._bot.Contact.load(self_id)
        if self._my_name is None:
            await me.ready()
            self._my_name = me.name
        if room.room_id not in self._my_alias:
            self._my_alias[room.room_id] = await room.alias(me) or ""
        return {n for n in (*names, self._my_name, self._my_alias[room.room_id]) if n}

    async def _save_image(self, message, message_id: str):
        box = await message.to_file_box()
        path = incoming_path(self.data_dir, PLATFORM, message_id, box.name or "")
        data = await _file_box_bytes(box)
        await asyncio.to_thread(path.write_bytes, data)
        return saved_image(path)

    # -- outgoing -----------------------------------------------------------------------

    async def send(self, outgoing: Outgoing) -> str | None:
        """Send one part: an image as a file, else text with real @mentions."""
        if self._bot is None or getattr(self._bot, "_puppet", None) is None:
            raise RetryLater("WeChat is not connected yet")
        puppet = self._bot.puppet
        room_id = outgoing.chat_external_id
        try:
            async with asyncio.timeout(SEND_TIMEOUT_S):
                if outgoing.image:
                    message_id = await puppet.message_send_file(conversation_id=room_id, file=_file_box(outgoing.image))
                else:
                    text, mention_ids = render(outgoing)
                    message_id = await puppet.message_send_text(
                        conversation_id=room_id, message=text, mention_ids=mention_ids or None
                    )
                    self._sent.add(room_id, message_id, text)
        except READ_ERRORS as exc:
            raise _refusal(exc) from exc
        return message_id or None


def render(outgoing: Outgoing) -> tuple[str, list[str]]:
    """Text with "@名字" before the body and numbered choices after it; the ids to notify."""
    prefix = "".join(f"@{m.name}{MENTION_END}" for m in outgoing.mentions)
    body = as_text(outgoing, with_mentions=False).strip("\n")
    return prefix + body, [m.user_id for m in outgoing.mentions if m.user_id]


def _file_box(path: str) -> FileBox:
    try:
        return FileBox.from_file(path)
    except OSError as exc:
        raise Undeliverable(f"cannot read the image {path}: {exc}") from exc


async def _file_box_bytes(box) -> bytes:
    """The bytes of a received file box (URL boxes are fetched off the event loop)."""
    kind = box.type()
    if kind == FileBoxType.Base64:
        data = box.base64
        if isinstance(data, str) and data.startswith("data:"):
            data = data.split(",", 1)[1]
        return base64.b64decode(data)
    if kind == FileBoxType.Url:
        import requests

        response = await asyncio.to_thread(requests.get, box.remoteUrl, timeout=30)
        response.raise_for_status()
        return response.content
    if kind == FileBoxType.Buffer:
        return bytes(box.buffer)
    raise ValueError(f"unsupported file box type {kind}")


def _refusal(exc: Exception) -> Exception:
    """A send failure as the outbound queue understands it: try again later, or refused."""
    if isinstance(exc, GRPCError) and exc.status not in TRANSIENT_STATUS:
        return Undeliverable(f"the puppet service refused it: {exc.status.name} {exc.message or ''}".strip())
    return RetryLater(f"{type(exc).__name__}: {exc}")
