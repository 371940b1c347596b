"""A fake wechaty puppet service: the gRPC server that a real ``wechaty.Wechaty`` connects to.

The fake speaks the ``wechaty.Puppet`` service of wechaty-grpc over plain HTTP/2 on 127.0.0.1
(grpclib server, wechaty-grpc's betterproto messages). Tests arrange contacts and rooms, make
residents "say" things (pushed down the client's Event stream), and assert on what the bot sent.
It does not import ``wechaty`` itself, so it works whether or not the compat shim was applied.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from types import TracebackType
from typing import Any, Protocol

import betterproto
from grpclib.const import Cardinality, Handler, Status
from grpclib.exceptions import GRPCError
from grpclib.server import Server, Stream
from wechaty_grpc.wechaty import puppet as pb

from tests.fakes._recorder import DEFAULT_TIMEOUT, Recorder

HOST = "127.0.0.1"
MENTION_SEPARATOR = "\u2005"  # WeChat ends an @mention with a four-per-em space
_SERVICE_PREFIX = "/wechaty.Puppet/"
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp")
_BOX_TYPE_BASE64 = 1  # FileBoxType.Base64; URL boxes (2) are recorded but never fetched


class WireMessageType(IntEnum):
    """Message types as a puppet service puts them on the wire (TypeScript puppet numbering).

    The Python client re-maps the number by position onto its own enum, so text must be sent as 7
    (6, the gRPC enum's TEXT, would arrive as an image).
    """

    ATTACHMENT = 1
    IMAGE = 6
    TEXT = 7


@dataclass(frozen=True)
class SentMessage:
    """One message the bot sent through the puppet (text, or a file such as an image)."""

    message_id: str
    conversation_id: str
    room_id: str | None
    text: str | None = None
    mention_ids: tuple[str, ...] = ()
    file_name: str | None = None
    file_bytes: bytes | None = None
    file_url: str | None = None

    @property
    def is_file(self) -> bool:
        """Whether this was a file message rather than text."""
        return self.file_name is not None


@dataclass(frozen=True)
class GrpcCall:
    """One RPC the client made, with its decoded request."""

    method: str
    request: betterproto.Message


@dataclass
class _Room:
    """Server-side state of one room (group chat)."""

    topic: str
    member_ids: list[str]
    owner_id: str
    aliases: dict[str, str] = field(default_factory=dict)


class _Runnable(Protocol):
    """What ``running_bot`` needs: ``wechaty.Wechaty`` or an adapter wrapping it."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


# Control items on an event-stream queue, next to the EventResponse items.
_END_STREAM = object()
_DROP_STREAM = object()

_UnaryHandler = Callable[[Any], betterproto.Message]


class FakePuppet:
    """A wechaty puppet service on 127.0.0.1 with a free port; use as ``async with``."""

    def __init__(
        self,
        self_id: str = "bot",
        self_name: str = "共建助手",
        token: str = "fake-puppet-token",
    ) -> None:
        self.self_id = self_id
        self.token = token
        self.port = 0
        self.streams_opened = 0
        self._contacts: dict[str, pb.ContactPayloadResponse] = {}
        self._rooms: dict[str, _Room] = {}
        self._messages: dict[str, pb.MessagePayloadResponse] = {}
        self._file_boxes: dict[str, str] = {}
        self._sent: Recorder[SentMessage] = Recorder("sent messages")
        self._calls: Recorder[GrpcCall] = Recorder("gRPC calls")
        self._stream_queue: asyncio.Queue[object] | None = None
        self._undelivered: list[pb.EventResponse] = []
        self._connected = asyncio.Event()
        self._server: Server | None = None
        # A per-instance tag keeps ids unique per process: the client's message-id cache would
        # silently drop a second "msg-1" from a later test.
        self._id_tag = uuid.uuid4().hex[:6]
        self._id_counter = itertools.count(1)
        self.add_contact(self_id, self_name)

    # --- lifecycle -------------------------------------------------------------------------

    async def __aenter__(self) -> FakePuppet:
        # proto=IPPROTO_TCP matters: grpclib only sets TCP_NODELAY on sockets that say they are TCP,
        # and accepted sockets inherit it; with proto 0 every reply waits ~40 ms for Nagle.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.bind((HOST, 0))  # port 0: the kernel picks a free port, no race with other tests
        self.port = sock.getsockname()[1]
        self._server = Server([self])
        await self._server.start(sock=sock)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.end_stream()
        if self._server is None:
            return
        self._server.close()
        # Since Python 3.12 wait_closed() also waits for client connections a test forgot to
        # close; never let that hang the suite.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(DEFAULT_TIMEOUT):
                await self._server.wait_closed()

    @property
    def endpoint(self) -> str:
        """``host:port`` for ``PuppetOptions(end_point=...)``."""
        return f"{HOST}:{self.port}"

    # --- arranging the world ---------------------------------------------------------------

    def add_contact(self, contact_id: str, name: str, *, alias: str = "") -> None:
        """Create (or replace) a contact the client can look up."""
        self._contacts[contact_id] = pb.ContactPayloadResponse(
            id=contact_id, name=name, alias=alias, type=pb.ContactType.CONTACT_TYPE_PERSONAL
        )

    def add_room(
        self, room_id: str, topic: str, member_ids: Iterable[str], *, owner_id: str | None = None
    ) -> None:
        """Create a room with known contacts as members; the bot itself is always a member."""
        members = list(dict.fromkeys([*member_ids, self.self_id]))
        for member_id in members:
            self._contact(member_id)
        owner = owner_id or members[0]
        self._rooms[room_id] = _Room(topic=topic, member_ids=members, owner_id=owner)

    def set_room_alias(self, room_id: str, contact_id: str, alias: str) -> None:
        """Set a member's nickname in one room (群昵称), used in @mentions and RoomMemberPayload."""
        room = self._room(room_id)
        self._member(room, room_id, contact_id)
        room.aliases[contact_id] = alias

    def room_member_ids(self, room_id: str) -> list[str]:
        """Current member ids of a room."""
        return list(self._room(room_id).member_ids)

    # --- events the client receives --------------------------------------------------------

    async def wait_connected(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait until the client has opened its Event stream."""
        try:
            async with asyncio.timeout(timeout):
                await self._connected.wait()
        except TimeoutError:
            raise TimeoutError(f"no client opened the Event stream within {timeout}s") from None

    async def login(self, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait for the client's Event stream, then emit ``login`` and ``ready`` like a service."""
        await self.wait_connected(timeout)
        self._emit(pb.EventType.EVENT_TYPE_LOGIN, {"contactId": self.self_id})
        self._emit(pb.EventType.EVENT_TYPE_READY, {"data": "ready"})

    async def logout(self) -> None:
        """Emit ``logout`` for the bot's account."""
        self._emit(pb.EventType.EVENT_TYPE_LOGOUT, {"contactId": self.self_id, "data": "logout"})

    async def send_room_text(
        self, room_id: str, talker_id: str, text: str, mention_ids: Iterable[str] = ()
    ) -> str:
        """A member says ``text`` in a room, @mentioning ``mention_ids`` first; returns the id."""
        room = self._room(room_id)
        self._member(room, room_id, talker_id)
        mentions = list(mention_ids)
        prefix = "".join(
            f"@{self._display_name(room, room_id, m)}{MENTION_SEPARATOR}" for m in mentions
        )
        return self._receive(
            pb.MessagePayloadResponse(
                type=WireMessageType.TEXT,
                text=prefix + text,
                from_id=talker_id,
                room_id=room_id,
                mention_ids=mentions,
            )
        )

    async def send_direct_text(self, talker_id: str, text: str) -> str:
        """A contact sends ``text`` to the bot in a one-to-one chat; returns the message id."""
        self._contact(talker_id)
        return self._receive(
            pb.MessagePayloadResponse(
                type=WireMessageType.TEXT, text=text, from_id=talker_id, to_id=self.self_id
            )
        )

    async def send_room_image(
        self, room_id: str, talker_id: str, data: bytes, name: str = "photo.jpg"
    ) -> str:
        """A member posts an image in a room; the client can fetch it (MessageImage/MessageFile)."""
        self._member(self._room(room_id), room_id, talker_id)
        payload = pb.MessagePayloadResponse(
            type=WireMessageType.IMAGE, filename=name, from_id=talker_id, room_id=room_id
        )
        return self._receive(payload, file_box=_base64_file_box(data, name))

    async def join_room(self, room_id: str, invitee_ids: Iterable[str], inviter_id: str) -> None:
        """``inviter_id`` adds ``invitee_ids`` to a room: update members and emit ``room-join``."""
        room = self._room(room_id)
        invitees = list(invitee_ids)
        for contact_id in [*invitees, inviter_id]:
            self._contact(contact_id)
        room.member_ids.extend(i for i in invitees if i not in room.member_ids)
        self._emit(
            pb.EventType.EVENT_TYPE_ROOM_JOIN,
            {
                "roomId": room_id,
                "inviteeIdList": invitees,
                "inviterId": inviter_id,
                "timestamp": int(time.time()),
            },
        )

    def end_stream(self) -> None:
        """End the client's Event stream normally (after queued events): ``bot.start()`` returns."""
        if self._stream_queue is not None:
            self._stream_queue.put_nowait(_END_STREAM)

    def drop_stream(self) -> None:
        """Reset the client's Event stream (RST_STREAM): the client sees a network error.

        Events emitted afterwards are buffered and delivered when the client reconnects.
        """
        if self._stream_queue is not None:
            self._stream_queue.put_nowait(_DROP_STREAM)

    # --- what the client did ---------------------------------------------------------------

    @property
    def sent(self) -> list[SentMessage]:
        """Everything the bot sent so far, in arrival order."""
        return list(self._sent)

    @property
    def calls(self) -> list[GrpcCall]:
        """Every RPC the client made so far, in arrival order."""
        return list(self._calls)

    async def wait_sent(
        self,
        predicate: Callable[[SentMessage], bool] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> SentMessage:
        """The first sent message matching ``predicate``, waiting for it if needed."""
        (message,) = await self._sent.wait_for(predicate, timeout=timeout)
        return message

    async def wait_sent_many(
        self,
        count: int,
        predicate: Callable[[SentMessage], bool] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> list[SentMessage]:
        """The first ``count`` sent messages matching ``predicate``, waiting for them if needed."""
        return await self._sent.wait_for(predicate, count=count, timeout=timeout)

    async def wait_call(
        self,
        method: str,
        predicate: Callable[[GrpcCall], bool] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> GrpcCall:
        """The first RPC named ``method`` (e.g. ``"Stop"``) matching ``predicate``."""

        def matches(call: GrpcCall) -> bool:
            return call.method == method and (predicate is None or predicate(call))

        (call,) = await self._calls.wait_for(matches, timeout=timeout)
        return call

    # --- gRPC service ----------------------------------------------------------------------

    def __mapping__(self) -> dict[str, Handler]:
        """Route each supported Puppet RPC to its handler (grpclib's service hook)."""
        unary: dict[str, _UnaryHandler] = {
            "Start": lambda _: pb.StartResponse(),
            "Stop": lambda _: pb.StopResponse(),
            "Logout": self._rpc_logout,
            "Ding": self._rpc_ding,
            "Version": self._rpc_version,
            "DirtyPayload": lambda _: pb.DirtyPayloadResponse(),
            "ContactPayload": self._rpc_contact_payload,
            "ContactList": self._rpc_contact_list,
            "RoomPayload": self._rpc_room_payload,
            "RoomList": self._rpc_room_list,
            "RoomMemberList": self._rpc_room_member_list,
            "RoomMemberPayload": self._rpc_room_member_payload,
            "RoomTopic": self._rpc_room_topic,
            "MessagePayload": self._rpc_message_payload,
            "MessageSendText": self._rpc_send_text,
            "MessageSendFile": self._rpc_send_file,
            "MessageImage": self._rpc_image,
            "MessageFile": self._rpc_file,
        }
        # Each RPC "X" uses wechaty-grpc's XRequest/XResponse classes.
        mapping = {
            _SERVICE_PREFIX + name: Handler(
                self._unary(name, handler),
                Cardinality.UNARY_UNARY,
                getattr(pb, f"{name}Request"),
                getattr(pb, f"{name}Response"),
            )
            for name, handler in unary.items()
        }
        mapping[_SERVICE_PREFIX + "Event"] = Handler(
            self._serve_events, Cardinality.UNARY_STREAM, pb.EventRequest, pb.EventResponse
        )
        return mapping

    def _unary(
        self, name: str, handler: _UnaryHandler
    ) -> Callable[[Stream[Any, Any]], Awaitable[None]]:
        """Wrap a request -> reply function as a grpclib unary handler that records the call."""

        async def serve(stream: Stream[Any, Any]) -> None:
            request = await stream.recv_message()
            self._calls.add(GrpcCall(name, request))
            await stream.send_message(handler(request))

        return serve

    async def _serve_events(self, stream: Stream[pb.EventRequest, pb.EventResponse]) -> None:
        """The server-streaming Event RPC: forward queued events until ended or dropped."""
        request = await stream.recv_message()
        self._calls.add(GrpcCall("Event", request))
        queue = self._open_event_stream()
        try:
            while (item := await queue.get()) is not _END_STREAM:
                if item is _DROP_STREAM:
                    await stream.cancel()
                    return
                assert isinstance(item, pb.EventResponse)
                await stream.send_message(item)
        finally:
            self._close_event_stream(queue)

    def _open_event_stream(self) -> asyncio.Queue[object]:
        """Make a new stream current, ending any previous one and flushing buffered events."""
        if self._stream_queue is not None:
            self._stream_queue.put_nowait(_END_STREAM)
        queue: asyncio.Queue[object] = asyncio.Queue()
        for event in self._undelivered:
            queue.put_nowait(event)
        self._undelivered.clear()
        self._stream_queue = queue
        self.streams_opened += 1
        self._connected.set()
        return queue

    def _close_event_stream(self, queue: asyncio.Queue[object]) -> None:
        """Forget a finished stream, keeping its unsent events for the next one."""
        while not queue.empty():
            item = queue.get_nowait()
            if isinstance(item, pb.EventResponse):
                self._undelivered.append(item)
        if self._stream_queue is queue:
            self._stream_queue = None
            self._connected.clear()

    def _emit(self, event_type: pb.EventType, payload: dict[str, Any]) -> None:
        """Queue an event for the client, buffering it while no stream is open."""
        event = pb.EventResponse(type=event_type, payload=json.dumps(payload, ensure_ascii=False))
        if self._stream_queue is None:
            self._undelivered.append(event)
        else:
            self._stream_queue.put_nowait(event)

    # --- RPC handlers ----------------------------------------------------------------------

    def _rpc_logout(self, _: pb.LogoutRequest) -> pb.LogoutResponse:
        self._emit(pb.EventType.EVENT_TYPE_LOGOUT, {"contactId": self.self_id, "data": "logout"})
        return pb.LogoutResponse()

    def _rpc_ding(self, request: pb.DingRequest) -> pb.DingResponse:
        # A real service answers a ding with a dong event carrying the same data.
        self._emit(pb.EventType.EVENT_TYPE_DONG, {"data": request.data})
        return pb.DingResponse()

    def _rpc_version(self, _: pb.VersionRequest) -> pb.VersionResponse:
        return pb.VersionResponse(version="fake-puppet")

    def _rpc_contact_payload(self, request: pb.ContactPayloadRequest) -> pb.ContactPayloadResponse:
        return self._contact(request.id)

    def _rpc_contact_list(self, _: pb.ContactListRequest) -> pb.ContactListResponse:
        return pb.ContactListResponse(ids=list(self._contacts))

    def _rpc_room_payload(self, request: pb.RoomPayloadRequest) -> pb.RoomPayloadResponse:
        room = self._room(request.id)
        return pb.RoomPayloadResponse(
            id=request.id,
            topic=room.topic,
            owner_id=room.owner_id,
            admin_ids=[room.owner_id],
            member_ids=list(room.member_ids),
        )

    def _rpc_room_list(self, _: pb.RoomListRequest) -> pb.RoomListResponse:
        return pb.RoomListResponse(ids=list(self._rooms))

    def _rpc_room_member_list(self, request: pb.RoomMemberListRequest) -> pb.RoomMemberListResponse:
        return pb.RoomMemberListResponse(member_ids=list(self._room(request.id).member_ids))

    def _rpc_room_member_payload(
        self, request: pb.RoomMemberPayloadRequest
    ) -> pb.RoomMemberPayloadResponse:
        room = self._room(request.id)
        contact = self._member(room, request.id, request.member_id)
        return pb.RoomMemberPayloadResponse(
            id=contact.id, name=contact.name, room_alias=room.aliases.get(contact.id, "")
        )

    def _rpc_room_topic(self, request: pb.RoomTopicRequest) -> pb.RoomTopicResponse:
        room = self._room(request.id)
        if request.topic is not None:  # a set: the wrapped field is present
            room.topic = request.topic
        return pb.RoomTopicResponse(topic=room.topic)

    def _rpc_message_payload(self, request: pb.MessagePayloadRequest) -> pb.MessagePayloadResponse:
        try:
            return self._messages[request.id]
        except KeyError:
            raise GRPCError(Status.NOT_FOUND, f"no message {request.id!r}") from None

    def _rpc_send_text(self, request: pb.MessageSendTextRequest) -> pb.MessageSendTextResponse:
        message_id = self._store_outgoing(
            request.conversation_id,
            pb.MessagePayloadResponse(type=WireMessageType.TEXT, text=request.text),
        )
        self._sent.add(
            SentMessage(
                message_id=message_id,
                conversation_id=request.conversation_id,
                room_id=self._room_id_or_none(request.conversation_id),
                text=request.text,
                # "mentonal_ids" is wechaty-grpc's spelling of the proto field.
                mention_ids=tuple(request.mentonal_ids),
            )
        )
        return pb.MessageSendTextResponse(id=message_id)

    def _rpc_send_file(self, request: pb.MessageSendFileRequest) -> pb.MessageSendFileResponse:
        box = json.loads(request.filebox)
        name = str(box.get("name", ""))
        is_image = name.lower().endswith(_IMAGE_SUFFIXES)
        kind = WireMessageType.IMAGE if is_image else WireMessageType.ATTACHMENT
        message_id = self._store_outgoing(
            request.conversation_id,
            pb.MessagePayloadResponse(type=kind, filename=name),
            file_box=request.filebox,
        )
        self._sent.add(
            SentMessage(
                message_id=message_id,
                conversation_id=request.conversation_id,
                room_id=self._room_id_or_none(request.conversation_id),
                file_name=name,
                file_bytes=_file_box_bytes(box),
                file_url=box.get("remoteUrl"),
            )
        )
        return pb.MessageSendFileResponse(id=message_id)

    def _rpc_image(self, request: pb.MessageImageRequest) -> pb.MessageImageResponse:
        return pb.MessageImageResponse(filebox=self._file_box(request.id))

    def _rpc_file(self, request: pb.MessageFileRequest) -> pb.MessageFileResponse:
        return pb.MessageFileResponse(filebox=self._file_box(request.id))

    # --- helpers ---------------------------------------------------------------------------

    def _receive(self, payload: pb.MessagePayloadResponse, *, file_box: str | None = None) -> str:
        """Store an incoming message and emit its ``message`` event; returns its id."""
        payload.id = self._new_id("msg")
        payload.timestamp = _now_ms()
        self._messages[payload.id] = payload
        if file_box is not None:
            self._file_boxes[payload.id] = file_box
        self._emit(pb.EventType.EVENT_TYPE_MESSAGE, {"messageId": payload.id})
        return payload.id

    def _store_outgoing(
        self,
        conversation_id: str,
        payload: pb.MessagePayloadResponse,
        *,
        file_box: str | None = None,
    ) -> str:
        """Store a message the bot sent: the client re-fetches it by id right after sending."""
        payload.id = self._new_id("sent")
        payload.timestamp = _now_ms()
        payload.from_id = self.self_id
        if conversation_id in self._rooms:
            payload.room_id = conversation_id
        else:
            payload.to_id = self._contact(conversation_id).id
        self._messages[payload.id] = payload
        if file_box is not None:
            self._file_boxes[payload.id] = file_box
        return payload.id

    def _new_id(self, kind: str) -> str:
        return f"{kind}-{self._id_tag}-{next(self._id_counter)}"

    def _contact(self, contact_id: str) -> pb.ContactPayloadResponse:
        try:
            return self._contacts[contact_id]
        except KeyError:
            raise _not_found("contact", contact_id) from None

    def _room(self, room_id: str) -> _Room:
        try:
            return self._rooms[room_id]
        except KeyError:
            raise _not_found("room", room_id) from None

    def _member(self, room: _Room, room_id: str, contact_id: str) -> pb.ContactPayloadResponse:
        contact = self._contact(contact_id)
        if contact_id not in room.member_ids:
            raise _not_found(f"member of room {room_id!r}", contact_id)
        return contact

    def _display_name(self, room: _Room, room_id: str, contact_id: str) -> str:
        """The name WeChat shows in an @mention: the room nickname, else the contact name."""
        return room.aliases.get(contact_id) or self._member(room, room_id, contact_id).name

    def _room_id_or_none(self, conversation_id: str) -> str | None:
        return conversation_id if conversation_id in self._rooms else None

    def _file_box(self, message_id: str) -> str:
        try:
            return self._file_boxes[message_id]
        except KeyError:
            raise GRPCError(Status.NOT_FOUND, f"message {message_id!r} has no file") from None


class _NotFound(GRPCError, LookupError):
    """An unknown id: NOT_FOUND for the client, a LookupError for a test arranging the world."""


def _not_found(kind: str, item_id: str) -> _NotFound:
    return _NotFound(Status.NOT_FOUND, f"unknown {kind}: {item_id!r}")


def _now_ms() -> int:
    """A puppet service timestamps messages in milliseconds."""
    return int(time.time() * 1000)


def _base64_file_box(data: bytes, name: str) -> str:
    """Serialise bytes as a FileBox JSON of the base64 kind."""
    encoded = base64.b64encode(data).decode("ascii")
    box = {"boxType": _BOX_TYPE_BASE64, "base64": encoded, "name": name, "metadata": {}}
    return json.dumps(box)


def _file_box_bytes(box: dict[str, Any]) -> bytes | None:
    """The content of a base64 FileBox; None for URL boxes (the fake never fetches URLs)."""
    if box.get("boxType") != _BOX_TYPE_BASE64:
        return None
    encoded = box["base64"]
    if "," in encoded and encoded.startswith("data:"):  # a data URL
        encoded = encoded.split(",", 1)[1]
    return base64.b64decode(encoded)


@contextlib.asynccontextmanager
async def running_bot(
    bot: _Runnable,
    puppet: FakePuppet,
    *,
    login: bool = True,
    timeout: float = DEFAULT_TIMEOUT,
) -> AsyncIterator[None]:
    """Run ``bot.start()`` against ``puppet`` (logged in by default); shut down cleanly on exit.

    The body starts once the login events are queued; the client handles them concurrently, so
    wait for the bot's own login signal if a test depends on it. Shutdown follows the only clean
    path wechaty has: end the Event stream so ``start()`` returns, then ``await bot.stop()``
    (stopping first makes wechaty log a network error and retry after 60 s).
    """
    start = asyncio.create_task(bot.start(), name="wechaty-start")
    try:
        await _connected_or_failed(puppet, start, timeout)
        if login:
            await puppet.login(timeout=timeout)
        yield
    finally:
        puppet.end_stream()
        await _finish(start, timeout)
        await bot.stop()


async def _connected_or_failed(
    puppet: FakePuppet, start: asyncio.Task[None], timeout: float
) -> None:
    """Wait for the Event stream; fail fast if ``start()`` ended first (wechaty only prints why)."""
    connected = asyncio.create_task(puppet.wait_connected(timeout))
    await asyncio.wait({connected, start}, return_when=asyncio.FIRST_COMPLETED)
    if connected.done():
        connected.result()
        return
    connected.cancel()
    start.result()  # re-raise if start() raised
    raise RuntimeError("bot.start() returned before opening the Event stream; see its output")


async def _finish(task: asyncio.Task[None], timeout: float) -> None:
    """Await ``task`` for up to ``timeout`` seconds, then cancel it."""
    done, _ = await asyncio.wait({task}, timeout=timeout)
    if not done:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
