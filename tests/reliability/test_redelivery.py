"""Every message delivered twice, the copies shuffled by up to 5 positions: the state of a clean run.

A platform may redeliver a message (a reconnect, a webhook retried) and deliver messages
out of order. The clean run here is the same arrival order with each message once, at the
time of its first arrival: a second copy must change nothing.
"""
from __future__ import annotations

import json
import random
import re
import shutil
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.adapters.replay import parse_scenario_line
from storage.models.points import PointClaim
from tests.reliability.replaying import UNTIL
from tests.reliability.sizes import size
from tests.reliability.state import FEATURE_TABLES, differences, points_tables, snapshot
from tests.reliability.traffic import START, WEEK, messages
from tests.support.testbot import TestBot

MESSAGES = size(120, 2000)
SHUFFLE = 5


def arrivals(lines: list[dict], seed: int) -> list[dict]:
    """Each line twice, each copy moved by at most ``SHUFFLE`` positions."""
    rng = random.Random(seed)
    doubled = [line for line in lines for _ in range(2)]
    keyed = sorted(enumerate(doubled), key=lambda item: item[0] + rng.uniform(0, SHUFFLE))
    return [line for _, line in keyed]


# A leader's decision on a claim, by the number the bot gave it ("积分申请 #3").
DECISION = re.compile(r"^(#批准|#驳回积分) (\d+)")


def as_announced(bot: TestBot, line: dict) -> dict:
    """The traffic's "#批准 k" meant the k-th claim; a leader types the number the bot announced for it.

    On SQLite these are the same. PostgreSQL spends a sequence number on every refused second
    copy, so the k-th claim may be #k+1 there, in one run and not in the other.
    """
    found = DECISION.match(line["text"])
    if found is None:
        return line
    with bot.runtime.engine.connect() as conn:
        number = conn.execute(select(PointClaim.id).order_by(PointClaim.id)
                              .offset(int(found.group(2)) - 1).limit(1)).scalar()
    number = number if number is not None else 10**6 + int(found.group(2))  # no such claim, in either run
    return {**line, "text": f"{found.group(1)} {number}{line['text'][found.end():]}"}


def play(db_url: str, stream: list[tuple[int, dict]], arrivals_count: int) -> TestBot:
    """Deliver the stream in order, the nth arrival at its own moment, then run the week out."""
    bot = TestBot(database_url=db_url)
    step = WEEK / arrivals_count
    for n, line in stream:
        line = as_announced(bot, line)
        event = parse_scenario_line(json.dumps(line, ensure_ascii=False), bot_name=bot.settings.bot_name)
        bot.runtime.handle(replace(event, at=START + step * n + timedelta(seconds=1)))
    bot.runtime.advance_to(datetime.fromisoformat(UNTIL))
    return bot


def test_twice_delivered_shuffled_messages_end_as_a_clean_run(db_url, request):
    stream = list(enumerate(arrivals(messages(MESSAGES, seed=9), seed=3)))
    seen, first = set(), []
    for n, line in stream:
        if line["id"] not in seen:
            seen.add(line["id"])
            first.append((n, line))
    gapless = db_url.startswith("sqlite")

    twice = play(db_url, stream, len(stream))
    redelivered = snapshot(twice.runtime.engine, gapless_ids=gapless)
    twice.close()
    if gapless:
        clean_url = db_url.replace("test.db", "clean.db")
        shutil.copyfile(request.getfixturevalue("sqlite_template").path, clean_url.removeprefix("sqlite:///"))
    else:
        clean_url = request.getfixturevalue("postgres_database").reset()
    once = play(clean_url, first, len(stream))
    clean = snapshot(once.runtime.engine, gapless_ids=gapless)
    once.close()

    assert all(clean[table] for table in FEATURE_TABLES if table != "reminder_checkin")
    assert all(clean[table] for table in points_tables()), "the traffic earned, claimed or awarded no points"
    found = differences(clean, redelivered)
    assert not found, "\n".join(found)
