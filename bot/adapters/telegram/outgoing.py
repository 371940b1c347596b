"""Rendering a neutral message for Telegram: @mentions as entities, choices as inline buttons."""
from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity, User

from bot.adapters.telegram.callbacks import CallbackCodec
from bot.events import Outgoing
from bot.outbound import measure

# A message must have text; a part carrying only buttons (its text went in earlier parts) says this.
CHOOSE = "请选择："
SHORT_LABEL = 6


MAX_TEXT = 4096


def compose(outgoing: Outgoing, usernames: dict[int, str]) -> tuple[str, list[MessageEntity]]:
    """The text with its @mentions first: @username when known, else a text mention by name.

    The queue split the text leaving room for the names; should usernames be longer than
    that room, everyone is mentioned by name instead.
    """
    text, entities = _compose(outgoing, usernames)
    if measure(text) > MAX_TEXT and usernames:
        return _compose(outgoing, {})
    return text, entities


def _compose(outgoing: Outgoing, usernames: dict[int, str]) -> tuple[str, list[MessageEntity]]:
    pieces: list[str] = []
    entities: list[MessageEntity] = []
    offset = 0
    for mention in outgoing.mentions:
        user_id = int(mention.user_id) if mention.user_id and mention.user_id.lstrip("-").isdigit() else None
        if user_id is not None and usernames.get(user_id):
            piece = f"@{usernames[user_id]}"
        elif user_id is not None:
            piece = mention.name
            user = User(id=user_id, first_name=mention.name, is_bot=False)
            entities.append(MessageEntity(MessageEntity.TEXT_MENTION, offset, measure(piece), user=user))
        else:
            piece = f"@{mention.name}"  # no Telegram account known: the name, as plain text
        pieces.append(piece)
        offset += measure(piece) + 1
    body = outgoing.text.strip("\n") or (CHOOSE if outgoing.choices and not outgoing.image else "")
    text = " ".join([*pieces, body]) if body else " ".join(pieces)
    return text, entities


def keyboard(outgoing: Outgoing, codec: CallbackCodec) -> InlineKeyboardMarkup | None:
    """One button per choice: short labels side by side (three to a row), long ones on their own rows."""
    if not outgoing.choices:
        return None
    chat_id = int(outgoing.chat_external_id)
    buttons = [
        InlineKeyboardButton(
            choice.label[:64],
            callback_data=codec.encode(chat_id=chat_id, action=choice.action, outbox_id=outgoing.outbox_id, index=n),
        )
        for n, choice in enumerate(outgoing.choices)
    ]
    width = 3 if all(len(c.label) <= SHORT_LABEL for c in outgoing.choices) else 1
    return InlineKeyboardMarkup([buttons[i:i + width] for i in range(0, len(buttons), width)])
