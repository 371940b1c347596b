"""One event in, one transaction, replies out after the commit.

The dispatcher is synchronous on purpose: handlers do database work and nothing else, and
adapters call it from one worker thread so SQLite sees a single writer.
"""
from __future__ import annotations

import inspect
import logging
import random
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from bot.commands import numbered_reply, read_command, suggestions
from bot.context import Context
from bot.errors import UsageError, UserError
from bot.events import ChoiceSelected, Event, IncomingMessage, MembersJoined, Mention, Outgoing, Reply
from bot.privacy import mask_personal
from bot.services import Services
from storage.db import session_scope
from storage.models import Chat, Member, Outbox, Role
from storage.models.community import ROLE_LABELS
from storage.repo import community as community_repo
from storage.repo import messaging as messaging_repo
from storage.repo.messaging import OutboxRow

log = logging.getLogger(__name__)

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
MAX_TEXT = 10_000
FAILURE_TEXT = "抱歉，处理这条消息时出了问题，已记录下来。请稍后再试，或联系社区工作人员。"
STALE_CHOICE_TEXT = "这个选项已经失效了，请重新发起。"
TRANSIENT_ATTEMPTS = 5
# Acknowledgements wait for a transaction that writes anyway, but never more than this many.
ACK_BATCH = 64


class Dispatcher:
    """Routes neutral events to feature handlers, one session and transaction each."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._acks: list[tuple[int, str | None]] = []
        # Bumped whenever a message is held for later, so a simulated clock knows to look again.
        self.held_version = 0

    # -- events -----------------------------------------------------------------------

    def handle(self, event: Event) -> list[Outgoing]:
        """Handle one event; returns what is due to be sent now (already committed to the outbox)."""
        event = _clean(event)
        now = self.services.clock.now()
        try:
            done = self._in_transaction(lambda session: self._handle_in(session, event, now))
            if done is None:
                return []
            ctx, outgoing = done
            self._after_commit(ctx)
            return outgoing
        except _Duplicate:
            return []
        except UserError as exc:
            return self._answer(event, now, _user_text(exc))
        except Exception:
            log.exception("handler failed for %s message %s in %s", event.platform, event.message_id, event.chat_id)
            return self._answer(event, now, FAILURE_TEXT)

    def run_job(self, job_id: str, task: str, args: dict, scheduled_at: datetime, late: bool) -> list[Outgoing]:
        """Run one scheduled task at its scheduled time, at most once per (job, time)."""
        handler = self.services.registry.tasks.get(task)
        if handler is None:
            log.error("job %s names unknown task %r; skipped", job_id, task)
            return []
        now = self.services.clock.now()
        from storage.repo import scheduling as scheduling_repo

        def run(session: Session) -> tuple[Context, list[Outgoing]]:
            if not scheduling_repo.claim_run(session, job_id=job_id, scheduled_at=scheduled_at, now=now, late=late):
                raise _Duplicate
            community = None
            community_key = args.get("community")
            if community_key is not None:
                community = scheduling_repo.community_by_key(session, key=community_key)
            ctx = Context(self.services, session, community, now, scheduled_at=scheduled_at, late=late)
            handler(ctx, **{k: v for k, v in args.items() if k != "community"})
            written = self._write_outbox(ctx)
            session.flush()
            return ctx, self._due_now(written, now)

        try:
            ctx, outgoing = self._in_transaction(run)
            self._after_commit(ctx)
            return outgoing
        except _Duplicate:
            log.info("job %s at %s already ran; not again", job_id, scheduled_at.isoformat())
            return []
        except Exception:
            log.exception("scheduled job %s failed", job_id)
            return []

    def _handle_in(self, session: Session, event: Event, now: datetime) -> tuple[Context, list[Outgoing]] | None:
        if getattr(event, "reply_to", None) and self._acks:
            # A quoted bot message is found by its platform id, known once its delivery is recorded.
            self._record_acks(session)
        ctx = self._context_for(session, event, now)
        if ctx is None:
            return None
        self._route(ctx)
        written = self._write_outbox(ctx)
        self._claim_if_changed(ctx)
        session.flush()
        return ctx, self._due_now(written, now)

    def _in_transaction(self, work):
        """Run ``work(session)`` in one transaction; from the start again while the database is only busy.

        Several threads or processes writing one SQLite file can wait longer than its busy
        timeout, and PostgreSQL may abort one side of a deadlock: the whole unit of work
        rolled back, so doing it again is safe.
        """
        for attempt in range(1, TRANSIENT_ATTEMPTS + 1):
            try:
                with self._transaction() as session:
                    return work(session)
            except DBAPIError as exc:
                if attempt == TRANSIENT_ATTEMPTS or not _transient(exc):
                    raise
                log.info("database busy (%s); trying again (%d)", exc.orig, attempt + 1)
                time.sleep(random.uniform(0.01, 0.1) * attempt)

    def _context_for(self, session: Session, event: Event, now: datetime) -> Context | None:
        cached = self.services.chats.get(session, platform=event.platform, external_id=event.chat_id)
        if cached is None:
            return None
        chat, community = cached
        member = None
        if not isinstance(event, MembersJoined):
            members = self.services.members
            session.info["member_cache"] = members
            member = community_repo.resolve_member(
                session, community_id=chat.community_id, platform=event.platform,
                external_id=event.sender_id, display_name=event.sender_name, now=now,
                found=members.get(session, platform=event.platform, external_id=event.sender_id),
            )
        return Context(self.services, session, community, now, chat=chat, member=member, event=event)

    def _claim_if_changed(self, ctx: Context) -> None:
        """Record the message id in the same transaction as the changes it caused.

        A message that changed nothing needs no record: handling it again changes nothing
        again. When it did change something, the unique constraint makes a second delivery
        (or a second worker) fail here and roll its whole transaction back.
        """
        event = ctx.event
        if event.message_id is None or not _wrote(ctx.session):
            return
        if not messaging_repo.claim_message(
            ctx.session, platform=event.platform, chat_external_id=event.chat_id,
            message_id=event.message_id, now=ctx.now,
        ):
            raise _Duplicate

    # -- routing ----------------------------------------------------------------------

    def _route(self, ctx: Context) -> None:
        event = ctx.event
        if isinstance(event, ChoiceSelected):
            self._run_action(ctx, event.action or self._stored_action(ctx, event.choice_of))
        elif isinstance(event, MembersJoined):
            ctx.emit("chat.members_joined", members=event.members)
        else:
            self._route_message(ctx, event)

    def _route_message(self, ctx: Context, event: IncomingMessage) -> None:
        registry = self.services.registry
        call = read_command(
            event.text, mentions_bot=event.mentions_bot, registry=registry,
            bot_username=self.services.bot_username,
        )
        if call is not None:
            if call.command is None:
                ctx.reply(_unknown_command_text(call.word, suggestions(call.word, registry)))
                return
            command = call.command
            if ctx.role not in command.roles:
                who = "、".join(ROLE_LABELS[r] for r in Role if r in command.roles)
                ctx.reply(f"抱歉，#{command.name} 只有{who}可以使用。")
                return
            ctx.command, ctx.args = command, call.args
            try:
                command.handler(ctx)
            except UserError as exc:
                exc.command = command
                raise
            return
        number = numbered_reply(event.text)
        if number is not None:
            # A reply quoting a bot message with options answers those options only; otherwise
            # the newest live options this member may answer.
            quoted = messaging_repo.outbox_by_platform_message(
                ctx.session, chat_id=ctx.chat.id, platform_message_id=event.reply_to
            ) if event.reply_to else None
            if quoted is not None and quoted.choices:
                action = messaging_repo.choice_in(quoted, member_id=ctx.member.id, number=number)
            else:
                action = messaging_repo.pick_choice(
                    ctx.session, chat_id=ctx.chat.id, member_id=ctx.member.id, number=number, now=ctx.now
                )
            if action is not None:
                self._run_action(ctx, action)
                return
        for listener in registry.listeners:
            if listener.handler(ctx):
                return
        if event.mentions_bot:
            ctx.reply(f"您好，我是{self.services.settings.bot_name}。发送 #帮助 查看我能做什么。")

    def _stored_action(self, ctx: Context, choice_of: tuple[int, int] | None) -> str:
        """The action behind an option of a stored bot message (a button too long to carry it)."""
        action = None
        if choice_of is not None:
            action = messaging_repo.stored_choice(
                ctx.session, outbox_id=choice_of[0], chat_id=ctx.chat.id, index=choice_of[1]
            )
        if action is None:
            raise UserError(STALE_CHOICE_TEXT)
        return action

    def _run_action(self, ctx: Context, action: str) -> None:
        found = self.services.registry.action(action)
        if found is None:
            ctx.reply(STALE_CHOICE_TEXT)
            return
        handler, args = found
        try:
            inspect.signature(handler).bind(ctx, *args)
        except TypeError:
            log.warning("malformed action %r", action)
            raise UserError(STALE_CHOICE_TEXT) from None
        handler(ctx, *args)

    # -- replies ----------------------------------------------------------------------

    def _write_outbox(self, ctx: Context) -> list[tuple[OutboxRow, Chat]]:
        """Write every reply to the outbox in this transaction."""
        if not ctx.replies:
            return []
        session, now = ctx.session, ctx.now
        settings = self.services.settings
        pending: list[tuple[OutboxRow, Chat]] = []
        chats: dict[int, Chat] = {}
        for reply in ctx.replies:
            chat = ctx.chat if reply.chat_id is None else chats.get(reply.chat_id) or session.get(Chat, reply.chat_id)
            if chat is None:
                log.error("reply addressed to a chat that does not exist: %s", reply.chat_id)
                continue
            chats[chat.id] = chat
            not_before = now
            if reply.broadcast and not reply.urgent:
                not_before = self._after_quiet_hours(now)
            row = messaging_repo.add_outbox(
                session, chat_id=chat.id, text=mask_personal(reply.text), now=now, not_before=not_before,
                mentions=self._mentions(session, chat, reply.mentions), image=reply.image,
                choices=[{"label": mask_personal(c.label), "action": c.action} for c in reply.choices],
                urgent=reply.urgent, tag=reply.tag, choices_for=reply.choices_for if reply.choices else None,
            )
            pending.append((row, chat))
            if reply.choices:
                messaging_repo.add_choices(
                    session, chat_id=chat.id, member_id=reply.choices_for,
                    actions=[c.action for c in reply.choices], now=now,
                    expires_at=now + timedelta(hours=settings.choice_ttl_hours),
                )
        return pending

    def _due_now(self, staged: list[tuple[OutboxRow, Chat]], now: datetime) -> list[Outgoing]:
        """The flushed replies due now; held ones wait in the outbox."""
        if any(row.not_before > now for row, _ in staged):
            self.held_version += 1
        return [to_outgoing(row, chat) for row, chat in staged if row.not_before <= now]

    def _mentions(self, session: Session, chat: Chat, member_ids: tuple[int, ...]) -> list[dict]:
        platform = self.services.mention_platform(chat.platform)
        result = []
        for member_id in dict.fromkeys(member_ids):
            member = session.get(Member, member_id)
            if member is None:
                continue
            user_id = community_repo.identity_of(session, member_id=member_id, platform=platform)
            result.append({"member_id": member_id, "user_id": user_id, "name": mask_personal(member.display_name)})
        return result

    def _after_quiet_hours(self, now: datetime) -> datetime:
        settings = self.services.settings
        return settings.quiet_hours.release(now.astimezone(settings.tz))

    def _after_commit(self, ctx: Context) -> None:
        for action in ctx.after_commit:
            try:
                action()
            except Exception:
                log.exception("after-commit step failed (the change itself is saved)")

    def _answer(self, event: Event, now: datetime, text: str) -> list[Outgoing]:
        """Reply to a refused or failed event in a fresh transaction (the failed one rolled back).

        The message id is claimed here too, so a redelivery does not answer twice.
        """
        try:
            with session_scope(self.services.engine) as session:
                chat = community_repo.chat_for(session, platform=event.platform, external_id=event.chat_id)
                if chat is None:
                    return []
                if event.message_id is not None and not messaging_repo.claim_message(
                    session, platform=event.platform, chat_external_id=event.chat_id,
                    message_id=event.message_id, now=now,
                ):
                    raise _Duplicate
                row = messaging_repo.add_outbox(session, chat_id=chat.id, text=mask_personal(text), now=now,
                                                not_before=now)
                session.flush()
                return [to_outgoing(row, chat)]
        except _Duplicate:
            return []
        except Exception:
            log.exception("could not even record the failure reply")
            return []

    # -- delivery bookkeeping ---------------------------------------------------------

    def due(self, platforms: list[str] | None = None) -> list[Outgoing]:
        """Undelivered outbox messages whose time has come (held broadcasts, retries), leased to this process.

        Only for ``platforms`` (those this process can send to), when given. Leases matter
        where several processes share the database; a single process on SQLite may take
        back rows it leased before a restart at once.
        """
        now = self.services.clock.now()
        sent_already = {outbox_id for outbox_id, _ in self._acks}
        shared = self.services.engine.dialect.name == "postgresql"
        with self._transaction(record_acks=True) as session:
            claimed = messaging_repo.claim_due_outbox(session, now=now, platforms=platforms, respect_leases=shared)
            rows = [r for r in claimed if r.id not in sent_already]
            chats = {c.id: c for c in (session.get(Chat, cid) for cid in {r.chat_id for r in rows})}
            return [replace(to_outgoing(row, chats[row.chat_id]), at=now) for row in rows]

    def renew(self, outbox_ids: list[int]) -> None:
        """Extend the leases of messages still waiting in this process's queue."""
        if outbox_ids:
            with session_scope(self.services.engine) as session:
                messaging_repo.renew_leases(session, ids=outbox_ids,
                                            until=self.services.clock.now() + messaging_repo.OUTBOX_LEASE)

    def release(self, outbox_ids: list[int]) -> None:
        """Give up the leases of messages this process will not send after all (it is stopping)."""
        if outbox_ids:
            with session_scope(self.services.engine) as session:
                messaging_repo.renew_leases(session, ids=outbox_ids, until=None)

    def note_progress(self, outbox_id: int, parts_sent: int) -> None:
        """Record, at once, how many parts of a split message are out (a restart resumes there)."""
        with session_scope(self.services.engine) as session:
            messaging_repo.note_progress(session, outbox_id=outbox_id, parts_sent=parts_sent)

    def defer(self, outbox_id: int, error: str) -> datetime | None:
        """A platform refused a message: keep it, note why, and retry it later with backoff."""
        with session_scope(self.services.engine) as session:
            return messaging_repo.defer_outbox(
                session, outbox_id=outbox_id, error=error, now=self.services.clock.now()
            )

    def next_held(self) -> datetime | None:
        with session_scope(self.services.engine) as session:
            return messaging_repo.next_held(session, after=self.services.clock.now())

    def acknowledge(self, sent: list[tuple[int, str | None]]) -> None:
        """Note messages as sent (outbox id, platform message id); recorded with the next transaction.

        A crash before that transaction means those few are sent again after a restart:
        delivery is at least once, never lost.
        """
        self._acks.extend((i, pid) for i, pid in sent if i)

    def flush_acks(self) -> None:
        """Record pending acknowledgements now (when idle, and before stopping)."""
        if self._acks:
            with self._transaction(record_acks=True):
                pass

    @contextmanager
    def _transaction(self, *, record_acks: bool = False) -> Iterator[Session]:
        """One session and transaction, which may also record pending acknowledgements.

        They ride along when the transaction writes anyway (or when many are waiting, or when
        asked), so a plain message after a reply stays a read-only transaction. They are taken
        back if the transaction rolls back, so a message already sent is never sent again for
        that reason.
        """
        session = None
        try:
            with session_scope(self.services.engine) as session:
                yield session
                if self._acks and (record_acks or len(self._acks) >= ACK_BATCH or _wrote(session)):
                    self._record_acks(session)
        except BaseException:
            if session is not None:
                self._acks[:0] = session.info.pop("acks_recorded", [])
            raise

    def _record_acks(self, session: Session) -> None:
        """Write the pending acknowledgements in this session's transaction."""
        sent, self._acks = self._acks, []
        session.info.setdefault("acks_recorded", []).extend(sent)
        wrote = session.info.get("flushed", False)
        messaging_repo.mark_delivered(session, sent=sent, at=self.services.clock.now())
        session.info["flushed"] = wrote  # delivery bookkeeping is not a change the event made


def _transient(exc: DBAPIError) -> bool:
    """SQLite busy or locked; a PostgreSQL serialization failure or deadlock."""
    if getattr(exc.orig, "sqlstate", None) in ("40001", "40P01"):
        return True
    text = str(exc.orig)
    return "database is locked" in text or "database is busy" in text


def _wrote(session: Session) -> bool:
    return bool(session.new or session.dirty or session.deleted or session.info.get("flushed"))


@event.listens_for(Session, "after_flush")
def _note_flush(session, _flush_context) -> None:
    session.info["flushed"] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state) -> None:
    # An INSERT … ON CONFLICT, a Core insert or a bulk UPDATE changes data without a flush.
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["flushed"] = True


class _Duplicate(Exception):
    """This message (or job run) was handled before."""


def to_outgoing(row: Outbox | OutboxRow, chat: Chat) -> Outgoing:
    from bot.events import Choice

    return Outgoing(
        outbox_id=row.id,
        platform=chat.platform,
        chat_key=chat.key,
        chat_name=chat.name,
        chat_external_id=chat.external_id,
        text=row.text,
        at=row.not_before,
        mentions=tuple(Mention(m["member_id"], m.get("user_id"), m["name"]) for m in row.mentions),
        image=row.image,
        choices=tuple(Choice(c["label"], c["action"]) for c in row.choices),
        urgent=row.urgent,
        tag=row.tag,
        parts_sent=row.parts_sent,
    )


def _clean(event: Event) -> Event:
    """Strip control characters (PostgreSQL rejects NUL) and bound the text length."""
    if isinstance(event, IncomingMessage):
        text = CONTROL_CHARS.sub("", event.text)
        if len(text) > MAX_TEXT:
            text = text[:MAX_TEXT]
        if text != event.text:
            event = replace(event, text=text)
    return event


def _user_text(exc: UserError) -> str:
    if isinstance(exc, UsageError) and exc.command is not None:
        head = exc.message or f"#{exc.command.name} 的格式不对。"
        return f"{head}\n{exc.command.help_text()}"
    return exc.message


def _unknown_command_text(word: str, close: list[str]) -> str:
    shown = f"#{word}" if word else "#"
    hint = f"您是不是想用：{'、'.join('#' + w for w in close)}？" if close else ""
    return f"没有 {shown} 这个命令。{hint}发送 #帮助 查看可用的命令。"
