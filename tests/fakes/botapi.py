"""A fake Telegram Bot API server that a real python-telegram-bot ``Application`` talks to.

It serves ``http://127.0.0.1:PORT/bot<token>/<method>`` (and file downloads under ``/file/bot``)
with the Bot API's envelope ``{"ok": ..., "result" | "error_code"/"description"}``. Tests push
updates (messages, commands, button presses, new members) that the bot long-polls with
``getUpdates``, and assert on the calls the bot made. Errors (429 with ``retry_after``, any
status, or a dropped connection) can be injected per method.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import email.parser
import email.policy
import inspect
import itertools
import json
import re
import time
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from types import TracebackType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from tests.fakes._http import HttpRequest, HttpResponse, HttpServer
from tests.fakes._recorder import DEFAULT_TIMEOUT, Recorder

if TYPE_CHECKING:
    from telegram.ext import Application

JsonDict = dict[str, Any]

_API_PATH = re.compile(r"^/bot(?P<token>[^/]+)/(?P<method>[A-Za-z]+)$")
_FILE_PATH = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")
_JSON = [("content-type", "application/json")]

# Parameters the Bot API types as String. Everything else arrives JSON-encoded when it is not a
# string, so it is decoded; these stay verbatim so that e.g. text="123" is not turned into 123.
_STRING_PARAMS = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "file_id",
        "url", "description", "short_description", "name", "title", "language_code",
        "emoji", "question", "query", "photo", "document", "audio", "video", "voice",
        "animation", "sticker", "thumbnail", "business_connection_id", "message_effect_id",
    }
)
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)


class BotApiError(Exception):
    """Raise from a custom method handler to answer with a Bot API error."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(f"{status} {description}")
        self.status = status
        self.description = description
        self.retry_after = retry_after


@dataclass(frozen=True)
class UploadedFile:
    """One file part of a multipart request."""

    filename: str | None
    content_type: str
    data: bytes


Params = dict[str, Any]
Files = dict[str, UploadedFile]


@dataclass(frozen=True)
class BotApiCall:
    """One request the bot made: decoded parameters, uploaded files, and the status answered."""

    method: str
    params: Params
    files: Files = field(default_factory=dict)
    status: int = 200  # 0 when the fake dropped the connection instead of answering
    result: Any = None  # what the fake answered, e.g. the sent Message with its message_id

    @property
    def ok(self) -> bool:
        """Whether the fake answered this call successfully."""
        return self.status == HTTPStatus.OK


@dataclass(frozen=True)
class _Failure:
    """An injected failure; ``status`` None means: close the connection without answering."""

    status: int | None
    description: str = ""
    retry_after: int | None = None


@dataclass
class _StoredFile:
    file_unique_id: str
    file_path: str
    data: bytes


#: ``handler(params, files) -> result``; may be a coroutine function; raise BotApiError to fail.
MethodHandler = Callable[[Params, Files], Any]


def user(
    user_id: int, first_name: str, username: str | None = None, *, is_bot: bool = False
) -> JsonDict:
    """A Bot API ``User`` object."""
    result: JsonDict = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    if username:
        result["username"] = username
    return result


def bot_command_entities(text: str) -> list[JsonDict]:
    """The ``bot_command`` entity Telegram attaches to a text starting with ``/cmd[@bot]``."""
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": _utf16_len(command)}]


def _utf16_len(text: str) -> int:
    """Entity offsets and lengths count UTF-16 code units, not Python characters."""
    return len(text.encode("utf-16-le")) // 2


class FakeBotApi:
    """A Bot API server on 127.0.0.1 with a free port; use as ``async with``."""

    def __init__(
        self, token: str = "123:ABC", bot_username: str = "cocreate_bot", bot_name: str = "共建助手"
    ) -> None:
        self.token = token
        # Like Telegram, the bot's user id is the token's numeric prefix.
        prefix = token.partition(":")[0]
        bot_id = int(prefix) if prefix.isdigit() else 1
        self.bot_user = user(bot_id, bot_name, bot_username, is_bot=True)
        self.bot_user.update(
            can_join_groups=True, can_read_all_group_messages=False, supports_inline_queries=False
        )
        self.chats: dict[int, JsonDict] = {}
        self.commands: dict[str, list[JsonDict]] = {}
        self._server = HttpServer(self._handle)
        self._calls: Recorder[BotApiCall] = Recorder("Bot API calls")
        self._updates: list[JsonDict] = []
        self._messages: dict[tuple[int, int], JsonDict] = {}
        self._files: dict[str, _StoredFile] = {}
        self._file_ids_by_path: dict[str, str] = {}
        self._open_callbacks: set[str] = set()
        self._failures: dict[str, deque[_Failure]] = defaultdict(deque)
        self._custom: dict[str, MethodHandler] = {}
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._other_ids = itertools.count(1)
        self._poll_seq = 0
        self._held_polls = 0
        self._polling = asyncio.Event()
        self._wake = asyncio.Event()
        self._stopping = False

    # --- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> FakeBotApi:
        await self._server.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopping = True
        self._wake_pollers()  # held getUpdates answer [] now instead of at their timeout
        await self._server.close()

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder.base_url``."""
        return f"http://127.0.0.1:{self._server.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder.base_file_url``."""
        return f"http://127.0.0.1:{self._server.port}/file/bot"

    # --- arranging the world ---------------------------------------------------------------

    def add_chat(self, chat_id: int, title: str, chat_type: str = "group") -> JsonDict:
        """Make a group chat known (the bot can only send to chats it is in)."""
        self.chats[chat_id] = {"id": chat_id, "type": chat_type, "title": title}
        return self.chats[chat_id]

    def add_file(self, data: bytes, file_path: str | None = None) -> str:
        """Store a file the bot can fetch with ``getFile`` and download; returns its ``file_id``."""
        n = next(self._other_ids)
        file_id = f"file-{n}"
        path = file_path or f"files/file_{n}"
        self._files[file_id] = _StoredFile(f"unique-{n}", path, data)
        self._file_ids_by_path[path] = file_id
        return file_id

    def set_method(self, method: str, handler: MethodHandler) -> None:
        """Serve (or override) ``method`` with ``handler``; raise ``BotApiError`` in it to fail."""
        self._custom[method.lower()] = handler

    def fail_next(
        self,
        method: str,
        status: int = HTTPStatus.TOO_MANY_REQUESTS,
        *,
        retry_after: int | None = None,
        description: str | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with an error (429 gets retry_after=1)."""
        if status == HTTPStatus.TOO_MANY_REQUESTS and retry_after is None:
            retry_after = 1
        text = description or _default_description(status, retry_after)
        self._failures[method.lower()].extend([_Failure(status, text, retry_after)] * times)

    def drop_next(self, method: str, *, times: int = 1) -> None:
        """Close the connection on the next ``times`` calls of ``method``: a network error."""
        self._failures[method.lower()].extend([_Failure(None)] * times)

    # --- updates the bot receives ----------------------------------------------------------

    def push_message(
        self,
        chat_id: int,
        from_user: Mapping[str, Any],
        text: str,
        chat_type: str = "group",
        entities: Sequence[Mapping[str, Any]] | None = None,
        reply_to: int | None = None,
    ) -> JsonDict:
        """A user writes ``text``; a leading /command gets its entity unless ``entities`` given."""
        message = self._new_message(chat_id, from_user, chat_type)
        message["text"] = text
        found = bot_command_entities(text) if entities is None else [dict(e) for e in entities]
        if found:
            message["entities"] = found
        if reply_to is not None:
            message["reply_to_message"] = self._message(chat_id, reply_to)
        return self._push({"message": message})

    def push_command(
        self,
        chat_id: int,
        from_user: Mapping[str, Any],
        command: str,
        args: str = "",
        *,
        addressed_to: str | None = None,
        chat_type: str = "group",
    ) -> JsonDict:
        """A command like ``/help@cocreate_bot args``; ``addressed_to=""`` sends bare ``/help``."""
        target = self.bot_user["username"] if addressed_to is None else addressed_to
        head = f"/{command}@{target}" if target else f"/{command}"
        text = f"{head} {args}" if args else head
        entities = bot_command_entities(text)
        return self.push_message(chat_id, from_user, text, chat_type, entities=entities)

    def push_photo(
        self, chat_id: int, from_user: Mapping[str, Any], data: bytes, caption: str | None = None
    ) -> JsonDict:
        """A user posts a photo; the bot can download it through ``getFile``."""
        message = self._new_message(chat_id, from_user, "group")
        file_id = self.add_file(data, self._new_file_path("photos", ".jpg"))
        message["photo"] = [self._photo_size(file_id)]
        if caption is not None:
            message["caption"] = caption
        return self._push({"message": message})

    def push_callback(
        self, chat_id: int, from_user: Mapping[str, Any], data: str, message_id: int
    ) -> JsonDict:
        """A user presses an inline button with ``data`` under message ``message_id``."""
        query_id = str(next(self._other_ids))
        self._open_callbacks.add(query_id)
        query = {
            "id": query_id,
            "from": dict(from_user),
            "chat_instance": f"instance-{chat_id}",
            "data": data,
            "message": self._message(chat_id, message_id),
        }
        return self._push({"callback_query": query})

    def push_new_members(
        self,
        chat_id: int,
        users: Sequence[Mapping[str, Any]],
        added_by: Mapping[str, Any] | None = None,
    ) -> JsonDict:
        """``users`` join a group (added by ``added_by``, else they joined by themselves)."""
        message = self._new_message(chat_id, added_by or users[0], "group")
        message["new_chat_members"] = [dict(u) for u in users]
        return self._push({"message": message})

    # --- what the bot did ------------------------------------------------------------------

    @property
    def calls(self) -> list[BotApiCall]:
        """Every call so far, in arrival order, failed ones included."""
        return list(self._calls)

    def calls_to(self, method: str) -> list[BotApiCall]:
        """Every call of ``method`` so far, failed ones included."""
        return self._calls.matching(lambda call: call.method.lower() == method.lower())

    def message(self, chat_id: int, message_id: int) -> JsonDict:
        """The current state of a message (after any edits)."""
        return self._message(chat_id, message_id)

    async def wait_call(
        self,
        method: str,
        predicate: Callable[[BotApiCall], bool] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        include_failed: bool = False,
    ) -> BotApiCall:
        """The first successful call of ``method`` matching ``predicate``, waiting if needed."""
        (call,) = await self.wait_calls(
            method, 1, predicate, timeout=timeout, include_failed=include_failed
        )
        return call

    async def wait_calls(
        self,
        method: str,
        count: int,
        predicate: Callable[[BotApiCall], bool] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        include_failed: bool = False,
    ) -> list[BotApiCall]:
        """The first ``count`` successful calls of ``method`` matching ``predicate``."""

        def matches(call: BotApiCall) -> bool:
            return (
                call.method.lower() == method.lower()
                and (include_failed or call.ok)
                and (predicate is None or predicate(call))
            )

        return await self._calls.wait_for(matches, count=count, timeout=timeout)

    async def wait_polling(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait until a ``getUpdates`` request is being held open (the bot is long-polling)."""
        try:
            async with asyncio.timeout(timeout):
                await self._polling.wait()
        except TimeoutError:
            raise TimeoutError(f"no getUpdates was held open within {timeout}s") from None

    # --- HTTP dispatch ---------------------------------------------------------------------

    async def _handle(self, request: HttpRequest) -> HttpResponse | None:
        """Route one HTTP request: file download, or a Bot API method call."""
        if match := _FILE_PATH.match(request.path):
            return self._download(match["token"], match["path"])
        match = _API_PATH.match(request.path)
        if match is None:
            return _error_response(HTTPStatus.NOT_FOUND, "Not Found")
        params, files = _decode_request(request)
        call = BotApiCall(match["method"], params, files)
        if match["token"] != self.token:
            return self._record(call, _error_response(HTTPStatus.UNAUTHORIZED, "Unauthorized"))
        if failures := self._failures.get(call.method.lower()):
            return self._record(call, _failure_response(failures.popleft()))
        try:
            result = await self._call(call.method, params, files)
        except BotApiError as err:
            return self._record(call, _error_response(err.status, err.description, err.retry_after))
        return self._record(call, _ok_response(result), result)

    def _record(
        self, call: BotApiCall, response: HttpResponse | None, result: Any = None
    ) -> HttpResponse | None:
        """Record the call with the status it gets (0 for a dropped connection) and its result."""
        status = 0 if response is None else int(response.status)
        # Snapshot the result: a later edit mutates the stored message it may refer to.
        self._calls.add(replace(call, status=status, result=copy.deepcopy(result)))
        return response

    async def _call(self, method: str, params: Params, files: Files) -> Any:
        """Compute a method's result; unknown methods fail like the real API (404)."""
        name = method.lower()
        handler = self._custom.get(name) or self._methods().get(name)
        if handler is None:
            raise BotApiError(HTTPStatus.NOT_FOUND, "Not Found")
        result = handler(params, files)
        return await result if inspect.isawaitable(result) else result

    def _methods(self) -> dict[str, MethodHandler]:
        """The built-in methods, keyed by lower-cased name (the Bot API ignores case)."""
        return {
            "getupdates": lambda p, f: self._get_updates(p),
            "getme": lambda p, f: self.bot_user,
            "deletewebhook": lambda p, f: True,
            "setmycommands": self._set_my_commands,
            "getmycommands": lambda p, f: self.commands.get(_scope_key(p), []),
            "deletemycommands": self._delete_my_commands,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "answercallbackquery": self._answer_callback_query,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "getfile": self._get_file,
            "sendchataction": self._send_chat_action,
            "deletemessage": self._delete_message,
        }

    # --- long polling ----------------------------------------------------------------------

    async def _get_updates(self, params: Params) -> list[JsonDict]:
        """Unconfirmed updates from ``offset`` on; waits up to ``timeout`` s for the first one."""
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        self._confirm(offset)
        self._poll_seq += 1
        mine = self._poll_seq
        self._wake_pollers()  # an older poll still waiting is now superseded
        deadline = asyncio.get_running_loop().time() + float(params.get("timeout") or 0)
        while not self._stopping:
            if mine != self._poll_seq:
                raise BotApiError(
                    HTTPStatus.CONFLICT,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self._updates:
                return self._updates[:limit]
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                break
            await self._hold(remaining)
        return []

    async def _hold(self, seconds: float) -> None:
        """Hold a long poll until something changes or ``seconds`` pass."""
        self._held_polls += 1
        self._polling.set()
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(seconds):
                    await self._wake.wait()
        finally:
            self._held_polls -= 1
            if not self._held_polls:
                self._polling.clear()

    def _confirm(self, offset: int) -> None:
        """Forget updates confirmed by ``offset``; a negative offset keeps the last ``-offset``."""
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]

    def _push(self, update: JsonDict) -> JsonDict:
        """Queue an update and wake the long poll."""
        # Snapshot: later edits of an embedded message must not change an update already sent.
        update = {"update_id": next(self._update_ids), **copy.deepcopy(update)}
        self._updates.append(update)
        self._wake_pollers()
        return update

    def _wake_pollers(self) -> None:
        # Swap events so each poller re-checks state once per change.
        wake, self._wake = self._wake, asyncio.Event()
        wake.set()

    # --- methods ---------------------------------------------------------------------------

    def _send_message(self, params: Params, files: Files) -> JsonDict:
        text = params.get("text")
        if not text:
            raise BotApiError(HTTPStatus.BAD_REQUEST, "Bad Request: message text is empty")
        message = self._outgoing(params)
        message["text"] = str(text)
        return message

    def _send_photo(self, params: Params, files: Files) -> JsonDict:
        file_id = self._incoming_file(params, files, "photo", "photos", ".jpg")
        message = self._outgoing(params)
        message["photo"] = [self._photo_size(file_id)]
        return message

    def _send_document(self, params: Params, files: Files) -> JsonDict:
        file_id = self._incoming_file(params, files, "document", "documents", "")
        upload = files.get("document")
        stored = self._files[file_id]
        message = self._outgoing(params)
        message["document"] = {
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": (upload and upload.filename) or stored.file_path.rsplit("/", 1)[-1],
            "mime_type": upload.content_type if upload else "application/octet-stream",
            "file_size": len(stored.data),
        }
        return message

    def _edit_message_text(self, params: Params, files: Files) -> JsonDict | bool:
        if "inline_message_id" in params:
            return True  # inline messages are not tracked
        message = self._editable(params)
        new_text = str(params.get("text") or "")
        if not new_text:
            raise BotApiError(HTTPStatus.BAD_REQUEST, "Bad Request: message text is empty")
        # Like Telegram, an edit without reply_markup removes the inline keyboard.
        self._apply_edit(message, {"text": new_text}, params.get("reply_markup"))
        return message

    def _edit_message_reply_markup(self, params: Params, files: Files) -> JsonDict | bool:
        if "inline_message_id" in params:
            return True
        message = self._editable(params)
        self._apply_edit(message, {}, params.get("reply_markup"))
        return message

    def _answer_callback_query(self, params: Params, files: Files) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._open_callbacks:
            raise BotApiError(
                HTTPStatus.BAD_REQUEST,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._open_callbacks.discard(query_id)
        return True

    def _get_file(self, params: Params, files: Files) -> JsonDict:
        file_id = str(params.get("file_id"))
        stored = self._files.get(file_id)
        if stored is None:
            raise BotApiError(HTTPStatus.BAD_REQUEST, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    def _set_my_commands(self, params: Params, files: Files) -> bool:
        self.commands[_scope_key(params)] = list(params.get("commands") or [])
        return True

    def _delete_my_commands(self, params: Params, files: Files) -> bool:
        self.commands.pop(_scope_key(params), None)
        return True

    def _send_chat_action(self, params: Params, files: Files) -> bool:
        self._chat(params)  # only validates the chat, as Telegram does
        return True

    def _delete_message(self, params: Params, files: Files) -> bool:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if self._messages.pop(key, None) is None:
            raise BotApiError(HTTPStatus.BAD_REQUEST, "Bad Request: message to delete not found")
        return True

    def _download(self, token: str, file_path: str) -> HttpResponse:
        """Serve a stored file's bytes, as the Bot API's file endpoint does."""
        file_id = self._file_ids_by_path.get(file_path)
        if token != self.token or file_id is None:
            return _error_response(HTTPStatus.NOT_FOUND, "Not Found")
        data = self._files[file_id].data
        return HttpResponse(HTTPStatus.OK, data, [("content-type", "application/octet-stream")])

    # --- message helpers -------------------------------------------------------------------

    def _new_message(self, chat_id: int, from_user: Mapping[str, Any], chat_type: str) -> JsonDict:
        """A new user message in ``chat_id``, stored so replies, buttons and edits can find it."""
        if chat_id not in self.chats:
            if chat_type == "private":
                name = from_user["first_name"]
                self.chats[chat_id] = {"id": chat_id, "type": "private", "first_name": name}
            else:
                self.add_chat(chat_id, f"Group {chat_id}", chat_type)
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self.chats[chat_id],
            "from": dict(from_user),
        }
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _outgoing(self, params: Params) -> JsonDict:
        """A new message from the bot into ``params['chat_id']`` (which must be a known chat)."""
        chat = self._chat(params)
        message = self._new_message(chat["id"], self.bot_user, chat["type"])
        if params.get("caption"):
            message["caption"] = str(params["caption"])
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # only inline keyboards are echoed back
        replied = self._messages.get((chat["id"], _reply_to_id(params)))  # type: ignore[arg-type]
        if replied is not None:
            message["reply_to_message"] = replied
        return message

    def _chat(self, params: Params) -> JsonDict:
        chat = self.chats.get(params.get("chat_id"))  # type: ignore[arg-type]
        if chat is None:
            raise BotApiError(HTTPStatus.BAD_REQUEST, "Bad Request: chat not found")
        return chat

    def _message(self, chat_id: int, message_id: int) -> JsonDict:
        try:
            return self._messages[(chat_id, message_id)]
        except KeyError:
            raise KeyError(f"the fake has no message {message_id} in chat {chat_id}") from None

    def _editable(self, params: Params) -> JsonDict:
        key = (params.get("chat_id"), params.get("message_id"))
        message = self._messages.get(key)  # type: ignore[arg-type]
        if message is None:
            raise BotApiError(HTTPStatus.BAD_REQUEST, "Bad Request: message to edit not found")
        return message

    def _apply_edit(self, message: JsonDict, changes: JsonDict, markup: Any) -> None:
        """Apply an edit, refusing a no-op edit the way Telegram does."""
        new_markup = markup if isinstance(markup, dict) and markup.get("inline_keyboard") else None
        unchanged = all(message.get(k) == v for k, v in changes.items())
        if unchanged and message.get("reply_markup") == new_markup:
            raise BotApiError(HTTPStatus.BAD_REQUEST, _NOT_MODIFIED)
        message.update(changes, edit_date=int(time.time()))
        if new_markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = new_markup

    def _incoming_file(
        self,
        params: Params,
        files: Files,
        field_name: str,
        folder: str,
        suffix: str,
    ) -> str:
        """Store an uploaded file (or resolve a known file_id) and return its file_id."""
        upload = files.get(field_name)
        if upload is not None:
            return self.add_file(upload.data, self._new_file_path(folder, suffix))
        reference = params.get(field_name)
        if isinstance(reference, str) and reference in self._files:
            return reference
        raise BotApiError(
            HTTPStatus.BAD_REQUEST, f"Bad Request: there is no {field_name} in the request"
        )

    def _new_file_path(self, folder: str, suffix: str) -> str:
        """A unique ``file_path`` like Telegram's ``photos/file_3.jpg``."""
        return f"{folder}/file_{next(self._other_ids)}{suffix}"

    def _photo_size(self, file_id: str) -> JsonDict:
        """A ``PhotoSize``; the fake does not decode images, so dimensions are 0."""
        stored = self._files[file_id]
        return {
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "width": 0,
            "height": 0,
            "file_size": len(stored.data),
        }


# --- request decoding and responses ------------------------------------------------------------


def _decode_request(request: HttpRequest) -> tuple[Params, Files]:
    """Decode query, form-encoded, multipart or JSON parameters (plus uploaded files)."""
    raw: dict[str, str] = dict(parse_qsl(request.query, keep_blank_values=True))
    files: Files = {}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        fields, files = _parse_multipart(content_type, request.body)
        raw.update(fields)
    elif content_type.startswith("application/json") and request.body:
        return {**raw, **json.loads(request.body)}, files
    elif request.body:
        raw.update(parse_qsl(request.body.decode("utf-8"), keep_blank_values=True))
    return {name: _decode_value(name, value) for name, value in raw.items()}, files


def _decode_value(name: str, value: str) -> Any:
    """Undo python-telegram-bot's encoding: non-string values are sent JSON-encoded."""
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], Files]:
    """Split a multipart/form-data body into text fields and file parts (stdlib email parser)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, str] = {}
    files: Files = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is None:
            fields[str(name)] = data.decode("utf-8")
        else:
            files[str(name)] = UploadedFile(filename, part.get_content_type(), data)
    return fields, files


def _ok_response(result: Any) -> HttpResponse:
    return HttpResponse(HTTPStatus.OK, json.dumps({"ok": True, "result": result}).encode(), _JSON)


def _error_response(status: int, description: str, retry_after: int | None = None) -> HttpResponse:
    body: JsonDict = {"ok": False, "error_code": int(status), "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return HttpResponse(status, json.dumps(body).encode(), _JSON)


def _failure_response(failure: _Failure) -> HttpResponse | None:
    if failure.status is None:
        return None
    return _error_response(failure.status, failure.description, failure.retry_after)


def _default_description(status: int, retry_after: int | None) -> str:
    """The description Telegram uses for common statuses."""
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        return f"Too Many Requests: retry after {retry_after}"
    if status == HTTPStatus.FORBIDDEN:
        return "Forbidden: bot was kicked from the group chat"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _scope_key(params: Mapping[str, Any]) -> str:
    """Key commands by scope type and language, as Telegram does."""
    scope = params.get("scope")
    scope_type = scope.get("type", "default") if isinstance(scope, dict) else "default"
    return f"{scope_type}:{params.get('language_code') or ''}"


def _reply_to_id(params: Mapping[str, Any]) -> int | None:
    """The message a send replies to (``reply_parameters`` since Bot API 7.0)."""
    reply = params.get("reply_parameters")
    if isinstance(reply, dict) and "message_id" in reply:
        return int(reply["message_id"])
    legacy = params.get("reply_to_message_id")
    return int(legacy) if legacy is not None else None


@contextlib.asynccontextmanager
async def polling_app(
    app: Application[Any, Any, Any, Any, Any, Any], *, poll_interval: float = 0.0
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    """Run a python-telegram-bot ``Application`` with polling for a test, then shut it down.

    Uses the non-blocking lifecycle (``run_polling`` would block and install signal handlers).
    """
    await app.initialize()
    try:
        await app.start()
        try:
            await app.updater.start_polling(poll_interval=poll_interval)
            try:
                yield app
            finally:
                await app.updater.stop()
        finally:
            await app.stop()
    finally:
        await app.shutdown()
