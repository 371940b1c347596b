"""Rendering neutral replies as plain text, for chats without buttons (WeChat, console, replay)."""
from __future__ import annotations

from bot.events import Choice, Outgoing


def choice_lines(choices: tuple[Choice, ...]) -> str:
    """Numbered options: 回复 1 登记为工单."""
    return "\n".join(f"回复 {n} {c.label}" for n, c in enumerate(choices, start=1))


def as_text(outgoing: Outgoing, *, with_mentions: bool = True) -> str:
    """The message as text: @mentions first, then the body, then numbered choices."""
    parts = []
    if with_mentions and outgoing.mentions:
        parts.append(" ".join(f"@{m.name}" for m in outgoing.mentions))
    parts.append(outgoing.text)
    body = " ".join(parts) if len(parts) == 2 and "\n" not in parts[0] else "\n".join(parts)
    if outgoing.choices:
        body = f"{body}\n{choice_lines(outgoing.choices)}"
    return body
