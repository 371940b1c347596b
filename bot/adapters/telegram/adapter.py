"""The Telegram adapter: a python-telegram-bot Application for the configured group chats.

Updates are read in order (polling, or a webhook) and turned into neutral events: group
commands (``/cmd`` and ``/cmd@this_bot``; ``/cmd@other_bot`` is not ours), the ``#`` commands
in plain text (the bot needs privacy mode off to see them), @mentions, replies to the bot,
photos, new members and button presses. Sending goes through ``AIORateLimiter`` (about
30 messages a second overall, 20 a minute into one group); a 429 it could not absorb is
handed back to the outbound queue to retry later.
"""
from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from datetime import timedelta
from pathlib import Path

from telegram import LinkPreviewOptions, Message, MessageEntity, Update
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, ContextTypes, TypeHandler
from telegram.request import HTTPXRequest

from bot.adapters.chats import ConfiguredChats
from bot.adapters.files import incoming_path, saved_image
from bot.adapters.telegram.callbacks import CallbackCodec
from bot.adapters.telegram.config import TelegramConfig
from bot.adapters.telegram.outgoing import compose, keyboard
from bot.adapters.telegram.webhook import WebhookServer
from bot.config import ConfigError
from bot.dispatch import STALE_CHOICE_TEXT
from bot.events import ChoiceSelected, IncomingMessage, MembersJoined, Outgoing
from bot.outbound import Limits, RetryLater, Undeliverable

log = logging.getLogger(__name__)

PLATFORM = "telegram"
UPDATES = ["message", "callback_query"]
# Retries of a 429 inside the rate limiter before the outbound queue takes over.
LIMITER_RETRIES = 1
REMEMBERED_USERS = 10_000


class TelegramAdapter:
    """One Telegram bot serving the group chats bound to chats in the config."""

    platform = PLATFORM
    limits = Limits(max_text=4096, caption=1024, text_choices=False)

    def __init__(self, config: TelegramConfig, *, chat_ids: set[str], data_dir: Path,
                 rate_limiter: AIORateLimiter | None = None) -> None:
        self.config = config
        self.chat_ids = ConfiguredChats(PLATFORM, chat_ids)
        self.data_dir = data_dir
        self.codec = CallbackCodec(config.token)
        self.username: str | None = None
        self._rate_limiter = rate_limiter or AIORateLimiter(max_retries=LIMITER_RETRIES)
        self._app: Application | None = None
        self._runtime = None
        self._webhook: WebhookServer | None = None
        self._starter: asyncio.Task | None = None
        self._running = False
        self._usernames: OrderedDict[int, str] = OrderedDict()
        self._closed = asyncio.Event()

    def describe(self) -> str:
        return f"Telegram（{self.config.mode}，{len(self.chat_ids)} 个群）"

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self, runtime) -> None:
        """Connect; a wrong token stops the process, an unreachable Bot API is retried in the background."""
        self._runtime = runtime
        self._app = self._build()
        try:
            await self._app.initialize()
        except InvalidToken as exc:
            raise ConfigError(f"section `telegram`: token: the Bot API refused it ({exc})") from exc
        except NetworkError as exc:
            log.warning("Telegram is not reachable yet (%s); retrying in the background", exc)
            self._starter = asyncio.create_task(self._initialize_later(), name="telegram start")
            return
        await self._run()

    async def _initialize_later(self) -> None:
        delay = 1.0
        while True:
            await asyncio.sleep(delay)
            try:
                await self._app.initialize()
            except InvalidToken as exc:
                log.error("Telegram refused the token (%s); fix `telegram.token` and restart", exc)
                return
            except NetworkError as exc:
                delay = min(delay * 2, 300.0)
                log.warning("Telegram still not reachable (%s); next try in %.0f s", exc, delay)
                continue
            await self._run()
            return

    def _build(self) -> Application:
        def request() -> HTTPXRequest:
            return HTTPXRequest(connection_pool_size=8, proxy=self.config.proxy)

        builder = (
            Application.builder()
            .token(self.config.token)
            .request(request())
            .get_updates_request(request())
            .rate_limiter(self._rate_limiter)
        )
        if self.config.base_url:
            builder = builder.base_url(self.config.base_url)
        if self.config.base_file_url:
            builder = builder.base_file_url(self.config.base_file_url)
        if self.config.mode == "webhook":
            builder = builder.updater(None)
        app = builder.build()
        app.add_handler(TypeHandler(Update, self._on_update))
        app.add_error_handler(self._on_error)
        return app

    async def _run(self) -> None:
        self.username = self._app.bot.username
        await self._app.start()
        if self.config.mode == "polling":
            await self._app.updater.start_polling(allowed_updates=UPDATES, poll_interval=0.0)
        else:
            webhook = self.config.webhook
            self._webhook = WebhookServer(
                listen=webhook.listen, port=webhook.port, path=webhook.path,
                secret=self.config.webhook_secret(), receive=self._receive_webhook,
            )
            await self._webhook.start()
            await self._app.bot.set_webhook(
                url=webhook.url, secret_token=self.config.webhook_secret(), allowed_updates=UPDATES
            )
        self._running = True
        log.info("Telegram bot @%s is serving %d chats (%s)", self.username, len(self.chat_ids), self.config.mode)

    async def _receive_webhook(self, data: dict) -> bool:
        try:
            update = Update.de_json(data, self._app.bot)
        except Exception as exc:  # whatever arrives from outside: refuse it, never fail on it
            log.warning("a webhook post is not a Telegram update: %s", exc)
            return False
        await self._app.update_queue.put(update)
        return True

    async def wait_closed(self) -> None:
        await self._closed.wait()

    async def stop(self) -> None:
        if self._starter is not None:
            self._starter.cancel()
            await asyncio.gather(self._starter, return_exceptions=True)
        app = self._app
        if app is not None:
            if self._webhook is not None:
                await self._webhook.stop()
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            try:
                await app.shutdown()
            except Exception as exc:  # a half-initialised application: nothing left to close
                log.info("Telegram did not shut down cleanly: %s", exc)
        self._running = False
        self._closed.set()

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("Telegram update could not be handled", exc_info=context.error)

    # -- incoming -----------------------------------------------------------------------

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await self._on_button(update)
        elif update.message is not None:
            event = await self._read_message(update.message)
            if event is not None:
                await self._runtime.submit(event)

    async def _read_message(self, message: Message):
        chat_id = str(message.chat.id)
        sender = message.from_user
        if not self.chat_ids.serves(chat_id) or sender is None:
            return None
        if message.migrate_to_chat_id:
            log.warning("telegram chat %s became supergroup %s: put the new id in the config",
                        chat_id, message.migrate_to_chat_id)
            return None
        now = self._runtime.clock.now()
        if message.new_chat_members:
            members = tuple((str(u.id), u.full_name) for u in message.new_chat_members if not u.is_bot)
            return MembersJoined(PLATFORM, chat_id, members, now, message_id=str(message.message_id)) if members else None
        if sender.is_bot:
            return None
        self._remember(sender.id, sender.username)
        text = message.text or message.caption or ""
        entities = list(message.entities or message.caption_entities or ())
        if self._for_another_bot(text, entities):
            return None
        text, mentions_bot, mentions = self._read_mentions(text, entities)
        replied = message.reply_to_message
        reply_to_bot = replied is not None and replied.from_user is not None and replied.from_user.id == self._app.bot.id
        images = ()
        if message.photo:
            images = (await self._save_photo(message),)
        if not text and not images:
            return None
        return IncomingMessage(
            platform=PLATFORM, chat_id=chat_id, sender_id=str(sender.id), sender_name=sender.full_name,
            text=text, at=now, message_id=str(message.message_id), mentions=mentions,
            mentions_bot=mentions_bot, reply_to=str(replied.message_id) if reply_to_bot else None,
            reply_to_bot=reply_to_bot, images=images,
        )

    def _for_another_bot(self, text: str, entities: list[MessageEntity]) -> bool:
        """``/cmd@other_bot``: a command addressed to some other bot in the group."""
        command = next((e for e in entities if e.type == MessageEntity.BOT_COMMAND and e.offset == 0), None)
        if command is None:
            return False
        _, _, target = _entity_text(text, command).partition("@")
        return bool(target) and (self.username is None or target.lower() != self.username.lower())

    def _read_mentions(self, text: str, entities: list[MessageEntity]) -> tuple[str, bool, tuple[str, ...]]:
        """The text without the bot's @mention, whether it had one, and the other people mentioned."""
        mine = f"@{self.username}".lower() if self.username else None
        mentioned: list[str] = []
        cut: MessageEntity | None = None
        for entity in entities:
            if entity.type == MessageEntity.TEXT_MENTION and entity.user is not None:
                mentioned.append(str(entity.user.id))
            elif entity.type == MessageEntity.MENTION:
                handle = _entity_text(text, entity)
                if mine and handle.lower() == mine:
                    cut = cut or entity
                elif (user_id := self._user_of(handle[1:])) is not None:
                    mentioned.append(str(user_id))
        if cut is None:
            return text, False, tuple(dict.fromkeys(mentioned))
        start, end = _utf16_span(text, cut)
        return (text[:start] + text[end:]).strip(), True, tuple(dict.fromkeys(mentioned))

    async def _save_photo(self, message: Message):
        photo = message.photo[-1]
        path = incoming_path(self.data_dir, PLATFORM, f"{message.chat.id}-{message.message_id}", ".jpg")
        file = await photo.get_file()
        await file.download_to_drive(path)
        return saved_image(path)

    async def _on_button(self, update: Update) -> None:
        query = update.callback_query
        message = query.message
        chat_id = message.chat.id if message is not None else None
        pressed = self.codec.decode(query.data, chat_id=chat_id) if chat_id is not None else None
        known = pressed is not None and (not pressed.action or self._runtime.registry.action(pressed.action))
        if not known or not self.chat_ids.serves(str(chat_id)):
            await self._answer(query, STALE_CHOICE_TEXT)
            return
        await self._answer(query, None)
        user = query.from_user
        self._remember(user.id, user.username)
        await self._runtime.submit(ChoiceSelected(
            PLATFORM, str(chat_id), str(user.id), user.full_name, pressed.action, self._runtime.clock.now(),
            message_id=f"cb:{query.id}", choice_of=pressed.choice_of,
        ))

    async def _answer(self, query, text: str | None) -> None:
        try:
            await query.answer(text)
        except TelegramError as exc:  # too old to answer; the press itself still counts
            log.info("could not answer a Telegram button press: %s", exc)

    def _remember(self, user_id: int, username: str | None) -> None:
        if username:
            self._usernames[user_id] = username
            self._usernames.move_to_end(user_id)
            while len(self._usernames) > REMEMBERED_USERS:
                self._usernames.popitem(last=False)

    def _user_of(self, username: str) -> int | None:
        wanted = username.lower()
        return next((uid for uid, name in self._usernames.items() if name.lower() == wanted), None)

    # -- outgoing -----------------------------------------------------------------------

    async def send(self, outgoing: Outgoing) -> str | None:
        """Send one part: a photo (with a caption when it fits) or a text, buttons under it."""
        if not self._running:
            raise RetryLater("Telegram is not connected yet")
        bot = self._app.bot
        chat_id = int(outgoing.chat_external_id)
        text, entities = compose(outgoing, dict(self._usernames))
        markup = keyboard(outgoing, self.codec)
        try:
            if outgoing.image:
                with open(outgoing.image, "rb") as photo:
                    sent = await bot.send_photo(
                        chat_id, photo=photo, caption=text or None, caption_entities=entities or None,
                        reply_markup=markup,
                    )
            else:
                sent = await bot.send_message(
                    chat_id, text, entities=entities or None, reply_markup=markup,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )
        except OSError as exc:
            raise Undeliverable(f"cannot read the image {outgoing.image}: {exc}") from exc
        except RetryAfter as exc:
            raise RetryLater("Telegram flood control (429)", retry_after=_seconds(exc.retry_after)) from exc
        except ChatMigrated as exc:
            raise Undeliverable(f"the group became a supergroup: set its id to {exc.new_chat_id} in the config") from exc
        except (Forbidden, BadRequest, InvalidToken) as exc:
            raise Undeliverable(f"Telegram refused it: {exc}") from exc
        except NetworkError as exc:  # includes TimedOut
            raise RetryLater(f"{type(exc).__name__}: {exc}") from exc
        return str(sent.message_id)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _utf16_span(text: str, entity: MessageEntity) -> tuple[int, int]:
    """An entity's start and end as Python string indexes (entities count UTF-16 units)."""
    encoded = text.encode("utf-16-le")
    start = len(encoded[: entity.offset * 2].decode("utf-16-le"))
    end = start + len(encoded[entity.offset * 2:(entity.offset + entity.length) * 2].decode("utf-16-le"))
    return start, end


def _entity_text(text: str, entity: MessageEntity) -> str:
    start, end = _utf16_span(text, entity)
    return text[start:end]
