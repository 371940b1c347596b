"""The fake Bot API works end to end with the real python-telegram-bot client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, EndPointNotFound, InvalidToken, NetworkError
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from tests.fakes.botapi import BotApiCall, FakeBotApi, bot_command_entities, polling_app, user

TOKEN = "123:ABC"
GROUP = -1001234
ZHANG = user(11, "张阿姨", "zhang")
LI = user(12, "李师傅")
CHART_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) + b"\r\n--boundary\r\n"
HELP_TEXT = "可用命令：/help /chart"
WAIT = 10.0

App = Application[Any, Any, Any, Any, Any, Any]
Context = ContextTypes.DEFAULT_TYPE


def local_request() -> HTTPXRequest:
    """An HTTPXRequest that ignores proxy variables, which httpx applies even to 127.0.0.1."""
    return HTTPXRequest(httpx_kwargs={"trust_env": False})


def build_app(
    api: FakeBotApi,
    *,
    token: str = TOKEN,
    retries: int | None = None,
    requests: tuple[HTTPXRequest, HTTPXRequest] | None = None,
) -> App:
    """A real Application pointed at the fake, with a handler for every path under test."""
    request, updates_request = requests or (local_request(), local_request())
    builder = (
        Application.builder()
        .token(token)
        .base_url(api.base_url)
        .base_file_url(api.base_file_url)
        .request(request)
        .get_updates_request(updates_request)
    )
    if retries is not None:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=retries))
    app = builder.build()
    app.add_handler(CommandHandler("help", on_help))
    app.add_handler(CommandHandler("chart", on_chart))
    app.add_handler(MessageHandler(filters.StatusUpdate.NEW_CHAT_MEMBERS, on_new_members))
    app.add_handler(MessageHandler(filters.PHOTO, on_photo))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, on_text))
    app.add_handler(CallbackQueryHandler(on_button))
    return app


async def on_help(update: Update, context: Context) -> None:
    """/help: the command list with an inline button."""
    buttons = [[InlineKeyboardButton("报修", callback_data="ticket:new")]]
    await update.effective_message.reply_text(HELP_TEXT, reply_markup=InlineKeyboardMarkup(buttons))


async def on_chart(update: Update, context: Context) -> None:
    """/chart: upload a photo (multipart)."""
    message = update.effective_message
    await message.reply_photo(CHART_BYTES, caption="本周积分", filename="chart.png")


async def on_text(update: Update, context: Context) -> None:
    """Plain text: echo it as a reply."""
    await update.effective_message.reply_text("echo: " + update.effective_message.text)


async def on_button(update: Update, context: Context) -> None:
    """A button press: answer the query, then edit the message."""
    query = update.callback_query
    await query.answer("已收到")
    await query.edit_message_text(f"已选择：{query.data}")


async def on_new_members(update: Update, context: Context) -> None:
    """New members: welcome them by name."""
    names = "、".join(member.first_name for member in update.effective_message.new_chat_members)
    await update.effective_message.reply_text(f"欢迎 {names}")


async def on_photo(update: Update, context: Context) -> None:
    """A member's photo: download it through getFile and report its size."""
    photo = await update.effective_message.photo[-1].get_file()
    data = await photo.download_as_bytearray()
    await update.effective_message.reply_text(f"收到图片 {len(data)} 字节")


def text_is(text: str) -> Callable[[BotApiCall], bool]:
    """Predicate: a call whose ``text`` parameter equals ``text``."""
    return lambda call: call.params.get("text") == text


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A fake Bot API that knows one building group."""
    async with FakeBotApi(token=TOKEN, bot_username="cocreate_bot") as fake:
        fake.add_chat(GROUP, "幸福里3栋")
        yield fake


@pytest.fixture
async def app(api: FakeBotApi) -> AsyncIterator[App]:
    """The test Application, polling the fake."""
    async with polling_app(build_app(api)) as running:
        yield running


@pytest.fixture
def bot(api: FakeBotApi) -> Bot:
    """A bare Bot (no polling) for calling API methods directly."""
    return Bot(
        TOKEN,
        base_url=api.base_url,
        base_file_url=api.base_file_url,
        request=local_request(),
        get_updates_request=local_request(),
    )


async def test_startup_calls_get_me_and_delete_webhook_then_polls(
    api: FakeBotApi, app: App
) -> None:
    await api.wait_polling()  # a held getUpdates is only recorded once it is answered

    assert [c.method for c in api.calls] == ["getMe", "deleteWebhook"]
    assert app.bot.username == "cocreate_bot"


async def test_group_help_command_replies_with_an_inline_keyboard(
    api: FakeBotApi, app: App
) -> None:
    command = api.push_command(GROUP, ZHANG, "help")

    reply = await api.wait_call("sendMessage")

    assert command["message"]["text"] == "/help@cocreate_bot"
    assert reply.params["chat_id"] == GROUP
    assert reply.params["text"] == HELP_TEXT
    keyboard = reply.params["reply_markup"]["inline_keyboard"]
    assert keyboard == [[{"text": "报修", "callback_data": "ticket:new"}]]


async def test_command_for_another_bot_is_ignored(api: FakeBotApi, app: App) -> None:
    api.push_command(GROUP, ZHANG, "help", addressed_to="other_bot")
    api.push_message(GROUP, ZHANG, "之后的消息")

    # Updates are handled in order, so once the later message is answered the command was seen.
    await api.wait_call("sendMessage", text_is("echo: 之后的消息"))

    assert [c.params["text"] for c in api.calls_to("sendMessage")] == ["echo: 之后的消息"]


async def test_plain_text_is_echoed_as_a_reply(api: FakeBotApi, app: App) -> None:
    pushed = api.push_message(GROUP, LI, "楼道灯坏了")

    reply = await api.wait_call("sendMessage", text_is("echo: 楼道灯坏了"))

    assert reply.params["reply_parameters"]["message_id"] == pushed["message"]["message_id"]
    assert reply.result["reply_to_message"]["text"] == "楼道灯坏了"


async def test_button_press_is_answered_and_the_message_edited(api: FakeBotApi, app: App) -> None:
    api.push_command(GROUP, ZHANG, "help")
    menu = (await api.wait_call("sendMessage", text_is(HELP_TEXT))).result

    api.push_callback(GROUP, LI, "ticket:new", menu["message_id"])
    answer = await api.wait_call("answerCallbackQuery")
    await api.wait_call("editMessageText")

    assert answer.params["text"] == "已收到"
    edited = api.message(GROUP, menu["message_id"])
    assert edited["text"] == "已选择：ticket:new"
    assert "reply_markup" not in edited  # an edit without a keyboard removes it, as in Telegram


async def test_new_members_are_welcomed(api: FakeBotApi, app: App) -> None:
    api.push_new_members(GROUP, [user(21, "王大爷"), user(22, "赵姐")], added_by=ZHANG)

    await api.wait_call("sendMessage", text_is("欢迎 王大爷、赵姐"))


async def test_photo_is_uploaded_as_multipart_with_its_bytes(api: FakeBotApi, app: App) -> None:
    api.push_command(GROUP, ZHANG, "chart")

    upload = await api.wait_call("sendPhoto")

    photo = upload.files["photo"]
    assert (photo.filename, photo.data) == ("chart.png", CHART_BYTES)
    assert upload.params["caption"] == "本周积分"
    assert upload.params["chat_id"] == GROUP
    assert upload.result["photo"][0]["file_size"] == len(CHART_BYTES)


async def test_member_photo_is_downloaded_through_get_file(api: FakeBotApi, app: App) -> None:
    api.push_photo(GROUP, LI, CHART_BYTES, caption="漏水照片")

    await api.wait_call("sendMessage", text_is(f"收到图片 {len(CHART_BYTES)} 字节"))

    assert len(api.calls_to("getFile")) == 1


async def test_429_is_retried_after_retry_after(api: FakeBotApi) -> None:
    api.fail_next("sendMessage", status=429, retry_after=1)

    async with polling_app(build_app(api, retries=1)):
        api.push_message(GROUP, ZHANG, "重试")
        await api.wait_call("sendMessage", text_is("echo: 重试"))

    assert [c.status for c in api.calls_to("sendMessage")] == [429, 200]


async def test_dropped_connection_is_a_network_error(api: FakeBotApi, bot: Bot) -> None:
    api.drop_next("sendMessage")

    async with bot:
        with pytest.raises(NetworkError):
            await bot.send_message(GROUP, "第一次")
        await bot.send_message(GROUP, "第二次")

    assert [c.status for c in api.calls_to("sendMessage")] == [0, 200]


async def test_bad_token_is_invalid_token(api: FakeBotApi) -> None:
    requests = (local_request(), local_request())
    app = build_app(api, token="999:WRONG", requests=requests)
    try:
        with pytest.raises(InvalidToken):
            await app.initialize()
    finally:
        # initialize() opened the HTTP clients before getMe failed, and shutdown() would skip them.
        await asyncio.gather(*(request.shutdown() for request in requests))

    assert api.calls_to("getMe")[0].status == 401


async def test_unknown_method_is_a_bot_api_404(api: FakeBotApi, bot: Bot) -> None:
    async with bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("getNonsense")


async def test_editing_to_the_same_content_is_refused(api: FakeBotApi, bot: Bot) -> None:
    async with bot:
        sent = await bot.send_message(GROUP, "投票：墙面颜色")
        with pytest.raises(BadRequest, match="not modified"):
            await bot.edit_message_text("投票：墙面颜色", chat_id=GROUP, message_id=sent.message_id)


async def test_sending_to_an_unknown_chat_is_refused(api: FakeBotApi, bot: Bot) -> None:
    async with bot:
        with pytest.raises(BadRequest, match=r"[Cc]hat not found"):
            await bot.send_message(-999, "hi")


async def test_commands_are_stored_per_scope(api: FakeBotApi, bot: Bot) -> None:
    async with bot:
        await bot.set_my_commands([("help", "帮助"), ("report", "报修")])
        commands = await bot.get_my_commands()

    assert [(c.command, c.description) for c in commands] == [("help", "帮助"), ("report", "报修")]


async def test_get_updates_honours_offset(api: FakeBotApi, bot: Bot) -> None:
    first = api.push_message(GROUP, ZHANG, "一")
    second = api.push_message(GROUP, ZHANG, "二")

    async with bot:
        everything = await bot.get_updates(timeout=0)
        after_first = await bot.get_updates(offset=second["update_id"], timeout=0)

    assert [u.update_id for u in everything] == [first["update_id"], second["update_id"]]
    assert [u.message.text for u in after_first] == ["二"]


async def test_held_get_updates_is_released_when_the_server_stops() -> None:
    async with httpx.AsyncClient(trust_env=False) as client:
        async with FakeBotApi(token=TOKEN) as api:
            url = f"{api.base_url}{TOKEN}/getUpdates"
            poll = asyncio.create_task(client.post(url, data={"timeout": "30"}))
            await api.wait_polling()
        # Well before the 30 s poll timeout: stopping the server answers it at once.
        response = await asyncio.wait_for(poll, WAIT)

    assert response.json() == {"ok": True, "result": []}


def test_command_entity_counts_utf16_units() -> None:
    assert bot_command_entities("/help@cocreate_bot 3栋") == [
        {"type": "bot_command", "offset": 0, "length": len("/help@cocreate_bot")}
    ]
    assert bot_command_entities("你好 /help") == []


async def test_document_keeps_a_chinese_file_name_and_its_bytes(api: FakeBotApi, bot: Bot) -> None:
    async with bot:
        await bot.send_document(GROUP, document=CHART_BYTES, filename="积分表.xlsx")

    upload = await api.wait_call("sendDocument")

    document = upload.files["document"]
    assert (document.filename, document.data) == ("积分表.xlsx", CHART_BYTES)
    assert upload.result["document"]["file_name"] == "积分表.xlsx"


async def test_custom_method_serves_what_the_fake_lacks(api: FakeBotApi, bot: Bot) -> None:
    admin = {"status": "creator", "user": ZHANG, "is_anonymous": False}
    api.set_method("getChatAdministrators", lambda params, files: [admin])

    async with bot:
        admins = await bot.get_chat_administrators(GROUP)

    assert [a.user.first_name for a in admins] == ["张阿姨"]
