"""Fuzzing every registered command's arguments and raw message text.

Whatever arrives: no crash (no failure reply, nothing logged as an error), a Chinese reply
to every command, the command's usage in every reply to a malformed one, and the database
exactly as before for every refused command. Commands come from the registry, so a feature
added later is fuzzed without being listed here.
"""
from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.dispatch as dispatch
from bot.errors import UsageError
from bot.features import build_registry
from tests.reliability.sizes import SOAK, size
from tests.reliability.state import fingerprint
from tests.support.testbot import TestBot

EXAMPLES = size(150, 10_000)
CJK = re.compile(r"[\u4e00-\u9fff]")
# What a refused command may still write: its answer, and its message id claimed against redelivery.
ANSWER_TABLES = frozenset({"outbox", "processed_message"})

REGISTRY = build_registry()
WORDS = sorted({word for cmd in REGISTRY.commands.values() for word in (cmd.name, *cmd.aliases) if not word.isascii()})
LATIN = sorted(REGISTRY.latin)
MALFORMED_NUMBERS = ["", "0", "-1", "+3", "1.5", "1e9", "0x1F", "99999999999999999999999", "NaN", "∞", "１２",
                     "٣", "二十七", "3-", "-3-2-301", "3--2", "#27", "№5", "1,000", "1 000", "½", "⑦", "Ⅻ", "1/0"]
SCRIPTS = st.sampled_from(["张阿姨", "Ελληνικά", "русский", "עברית", "العربية", "हिन्दी", "한국어", "日本語", "🌹👍🙏",
                           "\u202e反转", "\u200b", "\x00", "\x07", "\r\n", "\t", "Ω≈ç√", "ｆｕｌｌｗｉｄｔｈ", "楼", "栋",
                           "截止", "周五18:00", "范围", "全体群", "@共建助手", "#", "＃", "/", "每户50元", "签到2小时"])
TOKEN = st.one_of(st.sampled_from(MALFORMED_NUMBERS), SCRIPTS, st.text(max_size=12),
                  st.integers(-10**12, 10**12).map(str))
ARGS = st.one_of(
    st.lists(TOKEN, max_size=8).map(" ".join),
    st.text(max_size=60),
    st.builds(lambda chunk, n: (chunk * n)[:10_000], st.text(min_size=1, max_size=5), st.integers(2_000, 10_000)),
)
RAW_TEXT = st.one_of(
    st.text(max_size=200),
    st.lists(TOKEN, max_size=12).map("".join),
    st.builds(lambda chunk, n: (chunk * n)[:10_000], st.text(min_size=1, max_size=5), st.integers(2_000, 10_000)),
)
SENDERS = st.sampled_from(["staff1", "gl1", "gl2", "bl3", "bl5", "zhang", "li", "zhao", "stranger"])
CHATS = st.sampled_from(["all", "b3", "b5", "b8", "grid2", "lead"])
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not SOAK,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large, HealthCheck.large_base_example])


class Errors(logging.Handler):
    """Collects every error logged while fuzzing (a handler that failed logs one)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def fuzzbot(tmp_path_factory, sqlite_template):
    bot = TestBot(database_url=sqlite_template.fresh(tmp_path_factory.mktemp("fuzz")))
    # Something to act on: a ticket, a poll and a reminder exist before the fuzzing starts.
    bot.say("b3", "zhang", "#报事 3栋2单元楼道灯坏了")
    bot.say("all", "staff1", "#投票 外墙刷什么颜色？ 灰色/米黄色/白色 截止 周五18:00")
    bot.say("b3", "bl3", "#提醒 每天早上8点 倒垃圾")
    yield bot
    bot.close()


@pytest.fixture
def refused(monkeypatch):
    """The user errors the dispatcher answered, as they were raised."""
    caught: list = []
    real = dispatch._user_text

    def spy(exc):
        caught.append(exc)
        return real(exc)

    monkeypatch.setattr(dispatch, "_user_text", spy)
    return caught


@pytest.fixture
def errors():
    handler = Errors()
    logging.getLogger().addHandler(handler)
    yield handler.records
    logging.getLogger().removeHandler(handler)


def send(bot: TestBot, chat: str, sender: str, text: str, refused: list) -> tuple[list, dict, dict, list]:
    """Post ``text`` with the clock already moved (scheduled work is not the message's doing)."""
    bot.advance(timedelta(minutes=1))
    before = fingerprint(bot.runtime.engine, leave_out=ANSWER_TABLES)
    refused.clear()
    sent = bot.say(chat, sender, text, after=timedelta(0))
    return sent, before, fingerprint(bot.runtime.engine, leave_out=ANSWER_TABLES), list(refused)


def check(sent, before, after, caught, errors) -> None:
    assert not errors, [r.getMessage() for r in errors]
    for message in sent:
        assert dispatch.FAILURE_TEXT not in message.text
        assert "Traceback" not in message.text
        assert CJK.search(message.text), message.text
    if caught:
        exc = caught[0]
        assert len(sent) == 1, f"{len(sent)} replies to a refused command"
        if isinstance(exc, UsageError) and exc.command is not None:
            assert "用法：" in sent[0].text and "例如：" in sent[0].text
        changed = [t for t in before if before[t] != after[t]]
        assert changed == [], f"a refused command changed {changed}"


@FUZZ
@given(data=st.data())
def test_every_command_with_any_arguments(fuzzbot, refused, errors, data):
    word = data.draw(st.sampled_from(WORDS + LATIN), label="word")
    prefix = "/" if word.isascii() else data.draw(st.sampled_from(["#", "＃"]), label="prefix")
    args = data.draw(ARGS, label="args")
    text = f"{prefix}{word} {args}" if args else f"{prefix}{word}"
    sent, before, after, caught = send(fuzzbot, data.draw(CHATS), data.draw(SENDERS), text, refused)
    assert sent, f"no reply to {text[:80]!r}"
    check(sent, before, after, caught, errors)


@FUZZ
@given(chat=CHATS, sender=SENDERS, text=RAW_TEXT)
def test_any_raw_text(fuzzbot, refused, errors, chat, sender, text):
    sent, before, after, caught = send(fuzzbot, chat, sender, text, refused)
    check(sent, before, after, caught, errors)
