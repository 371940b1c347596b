"""What a handler receives: the event, who sent it, where, a database session, and ways to answer."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from bot.commands import split_args
from bot.events import Choice, Event, Reply
from storage.models import Chat, Community, Member, Role

if TYPE_CHECKING:
    from bot.router import Command
    from bot.services import Services


@dataclass
class Context:
    """One unit of work: an incoming event or a scheduled job, inside one transaction."""

    services: "Services"
    session: Session
    community: Community
    now: datetime
    chat: Chat | None = None
    member: Member | None = None
    event: Event | None = None
    command: "Command | None" = None
    args: str = ""
    scheduled_at: datetime | None = None
    late: bool = False
    replies: list[Reply] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    @property
    def argv(self) -> list[str]:
        """The command's arguments split on whitespace, full-width digits folded."""
        return split_args(self.args)

    @property
    def settings(self):
        return self.services.settings

    @property
    def role(self) -> Role:
        """The sender's role here: authority from one community never carries into another."""
        if self.member is None or self.member.community_id != self.community.id:
            return Role.resident
        return self.member.role

    def chat_settings_changed(self) -> None:
        """Call after changing a chat's row, so every event after the commit sees the change."""
        self.after_commit.append(self.services.chats.forget)

    def config(self, key: str) -> Any:
        """A feature's validated configuration section."""
        return self.services.feature_config[key]

    def local(self, moment: datetime) -> datetime:
        """A stored (UTC) time in the community's zone."""
        return moment.astimezone(self.services.settings.tz)

    def reply(
        self,
        text: str,
        *,
        mentions: tuple[int, ...] = (),
        image: str | None = None,
        choices: tuple[Choice, ...] = (),
        open_choices: bool = False,
        urgent: bool = False,
        tag: str | None = None,
    ) -> None:
        """Answer in the chat the event came from; choices belong to the sender unless open."""
        owner = None if open_choices or self.member is None else self.member.id
        self.replies.append(
            Reply(text, None, tuple(mentions), image, tuple(choices), owner, False, urgent, tag)
        )

    def send(
        self,
        chat: Chat,
        text: str,
        *,
        mentions: tuple[int, ...] = (),
        image: str | None = None,
        choices: tuple[Choice, ...] = (),
        choices_for: int | None = None,
        urgent: bool = False,
        broadcast: bool = True,
        tag: str | None = None,
    ) -> None:
        """Post to a given chat. Broadcasts wait out quiet hours unless urgent."""
        self.replies.append(
            Reply(text, chat.id, tuple(mentions), image, tuple(choices), choices_for, broadcast, urgent, tag)
        )

    def replied_to_tag(self) -> str | None:
        """The tag of the bot message this message replies to ("ticket:27"), if any."""
        event = self.event
        reply_to = getattr(event, "reply_to", None)
        if not reply_to or self.chat is None:
            return None
        from storage.repo import messaging as messaging_repo

        row = messaging_repo.outbox_by_platform_message(
            self.session, chat_id=self.chat.id, platform_message_id=reply_to
        )
        return row.tag if row is not None else None

    def mentioned_members(self) -> list[Member]:
        """The members @mentioned in the message, found by platform user id, in order."""
        ids = getattr(self.event, "mentions", ())
        if not ids:
            return []
        from storage.repo import community as community_repo

        found = []
        for user_id in dict.fromkeys(ids):
            member = community_repo.member_for(self.session, platform=self.event.platform, external_id=user_id)
            if member is not None and member.community_id == self.community.id:
                found.append(member)
        return found

    def emit(self, signal: str, **payload: Any) -> None:
        """Tell other features something happened, inside this same transaction."""
        for handler in self.services.registry.signals.get(signal, ()):
            handler(self, **payload)

    def schedule(self, job_id: str, task: str, trigger, *, args: dict[str, Any] | None = None,
                 grace_seconds: int | None = None) -> None:
        """Create or replace a scheduled job once this transaction has committed."""
        scheduler = self.services.require_scheduler()
        now = self.now
        self.after_commit.append(
            lambda: scheduler.put(job_id, task, trigger, args=args or {}, grace_seconds=grace_seconds, now=now)
        )

    def unschedule(self, job_id: str) -> None:
        """Remove a scheduled job once this transaction has committed."""
        scheduler = self.services.require_scheduler()
        self.after_commit.append(lambda: scheduler.remove(job_id))
