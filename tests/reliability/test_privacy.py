"""Phone and ID-card numbers never reach a group chat unmasked: the demo, the traffic transcript
and every command given them as arguments.

Masking does not depend on the database, so these run on SQLite only.
"""
from __future__ import annotations

import io
import json
import re
import unicodedata
from datetime import timedelta

import pytest

from bot.demo import play
from bot.features import build_registry
from bot.privacy import mask_personal
from tests.reliability.sizes import size
from tests.reliability.traffic import PERSONAL, messages
from tests.reliability.test_redelivery import play as play_traffic
from tests.support.testbot import Sent, TestBot

# Read after NFKC, so full-width digits count; separators as people type them.
MOBILE = re.compile(r"(?<!\d)1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}(?!\d)")
ID_CARD = re.compile(r"(?<!\d)\d{17}[\dXx](?![\dA-Za-z])")
MESSAGES = size(300, 2000)


def leaks(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKC", text)
    return MOBILE.findall(plain) + ID_CARD.findall(plain)


def seen(sent: Sent) -> str:
    """Everything a chat shows of a message: text (with its numbered options), mentioned names."""
    return "\n".join([sent.text, *(m.name for m in sent.outgoing.mentions)])


def test_the_detector_finds_what_residents_type():
    assert all(leaks(p) for p in PERSONAL)
    assert not leaks("139****5678 4201***********1234 #27 2026年11月24日 1-1-101")


@pytest.mark.parametrize("typed", PERSONAL)
def test_every_way_residents_type_a_number_is_masked(typed):
    masked = mask_personal(f"{typed}，谢谢")
    assert leaks(masked) == [] and masked.endswith("，谢谢")


def test_the_demo_transcript_masks_every_number():
    out = io.StringIO()
    assert play(out, as_json=True) == 0
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert lines
    assert [(line["chat"], line["text"]) for line in lines if leaks(line["text"])] == []


def test_the_traffic_transcript_masks_every_number(sqlite_url):
    stream = list(enumerate(messages(MESSAGES, seed=13)))
    assert any(leaks(line["text"]) for _, line in stream)
    bot = play_traffic(sqlite_url, stream, len(stream))
    assert [(s.chat, s.text) for s in bot.sent if leaks(seen(s))] == []
    bot.close()


def test_every_command_given_numbers_masks_them(sqlite_url):
    bot = TestBot(database_url=sqlite_url)
    bot.say("b3", "bl3", "#提醒 明天上午9点 开会")
    commands = {id(c): c for c in build_registry().commands.values()}.values()
    probes = [f"{c.example} {p}" for c in commands for p in PERSONAL[:2]]
    probes += [f"#{c.name} {p}" for c in commands for p in PERSONAL[3:5]]
    probes += [f"#{p}" for p in PERSONAL] + [f"#投票 找谁{PERSONAL[0]}？ 甲{PERSONAL[3]}/乙 截止 周五18:00"]
    for sender in ("staff1", "gl1", "bl3", "zhang"):
        for text in probes:
            bot.say("b3", sender, text, name=f"张三{PERSONAL[0]}")
    bot.advance(timedelta(days=3))
    assert [(s.chat, s.text) for s in bot.sent if leaks(seen(s))] == []
    bot.close()
