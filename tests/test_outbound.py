"""The outbound queue on its own: splitting, order per chat, pacing, retries, nothing lost."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.events import Choice, Mention, Outgoing
from bot.outbound import Backoff, Limits, Outbound, RetryLater, Undeliverable, measure, plan_parts, split_text
from bot.render import choice_lines

AT = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)


def outgoing(outbox_id: int, text: str, *, chat: str = "c1", platform: str = "test", **extra) -> Outgoing:
    return Outgoing(outbox_id, platform, chat, chat, chat, text, AT, **extra)


# -- splitting --------------------------------------------------------------------------------


def test_a_short_text_stays_whole():
    assert split_text("第一行\n第二行", 100) == ["第一行\n第二行"]


def test_a_long_text_is_split_on_line_boundaries_under_the_limit():
    lines = [f"第{i}行：楼道灯已修好" for i in range(40)]
    parts = split_text("\n".join(lines), 100)

    assert len(parts) > 1
    assert all(measure(p) <= 100 for p in parts)
    assert "\n".join(parts).split("\n") == lines  # nothing lost, nothing cut inside a line


def test_a_line_longer_than_the_limit_is_cut_without_breaking_an_emoji():
    text = "🙂" * 30  # two UTF-16 units each
    parts = split_text(text, 11)

    assert "".join(parts) == text
    assert all(measure(p) <= 11 for p in parts)


def test_head_and_tail_room_is_kept_on_the_first_and_last_parts():
    text = "\n".join("一二三四五六七八九" for _ in range(6))  # 6 lines of 9
    parts = split_text(text, 20, head=5, tail=8)

    assert measure(parts[0]) + 5 <= 20
    assert measure(parts[-1]) + 8 <= 20
    assert "\n".join(parts) == text


@given(
    st.lists(st.text(alphabet="报修楼道灯🙂a1 ", min_size=0, max_size=30), min_size=1, max_size=30),
    st.integers(min_value=12, max_value=60),
    st.integers(min_value=0, max_value=5),
    st.integers(min_value=0, max_value=5),
)
def test_splitting_never_loses_text_and_always_fits(lines, limit, head, tail):
    text = "\n".join(lines)
    parts = split_text(text, limit, head=head, tail=tail)

    assert "".join(parts).replace("\n", "") == text.replace("\n", "")
    assert measure(parts[0]) + head <= limit or len(parts) == 1 and measure(text) + head + tail <= limit
    assert measure(parts[-1]) + tail + (head if len(parts) == 1 else 0) <= limit
    assert all(measure(p) <= limit for p in parts)


def test_choices_go_with_the_last_part_and_mentions_with_the_first():
    choices = (Choice("批准", "binding.approve:1"), Choice("驳回", "binding.reject:1"))
    mention = Mention(7, "u7", "陈楼长")
    item = outgoing(1, "\n".join(f"第{i}项" for i in range(60)), choices=choices, mentions=(mention,))

    parts = plan_parts(item, Limits(max_text=80))

    assert len(parts) > 2
    assert [p.choices for p in parts] == [()] * (len(parts) - 1) + [choices]
    assert [p.mentions for p in parts] == [(mention,)] + [()] * (len(parts) - 1)
    tail = measure("\n" + choice_lines(choices))
    assert measure(parts[-1].text) + tail <= 80


def test_an_image_goes_alone_before_the_text_unless_the_text_fits_a_caption():
    item = outgoing(1, "本周积分", image="/tmp/chart.png")

    separate = plan_parts(item, Limits(max_text=100))
    captioned = plan_parts(item, Limits(max_text=100, caption=50))

    assert [(p.image, p.text) for p in separate] == [("/tmp/chart.png", ""), (None, "本周积分")]
    assert [(p.image, p.text) for p in captioned] == [("/tmp/chart.png", "本周积分")]


# -- the queue --------------------------------------------------------------------------------


class VirtualTime:
    """A clock that only moves when the queue sleeps, so pacing is checked without waiting."""

    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)


@dataclass
class FakeSender:
    platform: str = "test"
    limits: Limits = Limits()
    time: VirtualTime | None = None
    sent: list[tuple[float, str, str]] = field(default_factory=list)
    failures: dict[str, list[Exception]] = field(default_factory=dict)

    async def send(self, part: Outgoing) -> str:
        queued = self.failures.get(part.text)
        if queued:
            raise queued.pop(0)
        await asyncio.sleep(0)
        self.sent.append((self.time.now if self.time else 0.0, part.chat_key, part.text))
        return f"m{len(self.sent)}"


@dataclass
class FakeLedger:
    delivered_ids: list[tuple[int, str | None]] = field(default_factory=list)
    progress: list[tuple[int, int]] = field(default_factory=list)
    failures: list[tuple[int, str]] = field(default_factory=list)

    async def delivered(self, outbox_id, platform_message_id):
        self.delivered_ids.append((outbox_id, platform_message_id))

    async def progressed(self, outbox_id, parts_sent):
        self.progress.append((outbox_id, parts_sent))

    async def failed(self, outbox_id, error):
        self.failures.append((outbox_id, error))


def queue(sender: FakeSender, ledger: FakeLedger, time: VirtualTime) -> Outbound:
    return Outbound([sender], ledger, clock=time.clock, sleep=time.sleep, backoff=Backoff(base_s=0.5, cap_s=8))


async def test_messages_of_one_chat_go_in_order_and_are_acknowledged():
    time, ledger = VirtualTime(), FakeLedger()
    sender = FakeSender(time=time)
    out = queue(sender, ledger, time)

    out.put([outgoing(i, f"消息{i}", chat="c1" if i % 2 else "c2") for i in range(1, 7)])
    await out.drain()
    await out.close()

    assert [t for _, c, t in sender.sent if c == "c1"] == ["消息1", "消息3", "消息5"]
    assert [t for _, c, t in sender.sent if c == "c2"] == ["消息2", "消息4", "消息6"]
    assert sorted(i for i, _ in ledger.delivered_ids) == [1, 2, 3, 4, 5, 6]


async def test_the_minimum_interval_holds_across_all_chats_of_the_account():
    time, ledger = VirtualTime(), FakeLedger()
    sender = FakeSender(limits=Limits(min_interval_s=1.5), time=time)
    out = queue(sender, ledger, time)

    out.put([outgoing(i, f"消息{i}", chat=f"c{i % 3}") for i in range(1, 10)])
    await out.drain()
    await out.close()

    times = [t for t, _, _ in sender.sent]
    assert len(times) == 9
    assert all(b - a >= 1.5 for a, b in zip(times, times[1:]))


async def test_transient_failures_are_retried_with_backoff_and_retry_after():
    time, ledger = VirtualTime(), FakeLedger()
    sender = FakeSender(time=time)
    sender.failures["通知"] = [RetryLater("network"), RetryLater("429", retry_after=5.0), RetryLater("network")]
    out = queue(sender, ledger, time)

    out.put([outgoing(1, "通知"), outgoing(2, "之后")])
    await out.drain()
    await out.close()

    # 0.5 s, then retry_after 5 s (more than the 1 s backoff), then 2 s.
    assert [(t, text) for t, _, text in sender.sent] == [(7.5, "通知"), (7.5, "之后")]
    assert [i for i, _ in ledger.delivered_ids] == [1, 2]


async def test_a_refused_message_is_held_in_the_outbox_and_the_chat_moves_on():
    time, ledger = VirtualTime(), FakeLedger()
    sender = FakeSender(time=time)
    sender.failures["坏消息"] = [Undeliverable("bot was kicked")]
    out = queue(sender, ledger, time)

    out.put([outgoing(1, "坏消息"), outgoing(2, "好消息")])
    await out.drain()
    out.put([outgoing(1, "坏消息")])  # the periodic due() lists it again at once: cooling down
    await out.drain()
    await out.close()

    assert ledger.failures == [(1, "bot was kicked")]
    assert [text for _, _, text in sender.sent] == ["好消息"]
    assert [i for i, _ in ledger.delivered_ids] == [2]


async def test_a_message_listed_again_before_its_acknowledgement_is_not_sent_twice():
    time, ledger = VirtualTime(), FakeLedger()
    sender = FakeSender(time=time)
    out = queue(sender, ledger, time)

    out.put([outgoing(1, "一次")])
    out.put([outgoing(1, "一次")])  # still queued
    await out.drain()
    out.put([outgoing(1, "一次")])  # delivered, acknowledgement not yet recorded
    await out.drain()
    await out.close()

    assert [text for _, _, text in sender.sent] == ["一次"]


async def test_a_split_message_resumes_after_the_parts_already_sent():
    time, ledger = VirtualTime(), FakeLedger()
    sender = FakeSender(limits=Limits(max_text=10), time=time)
    out = queue(sender, ledger, time)
    text = "\n".join(["甲甲甲甲甲甲", "乙乙乙乙乙乙", "丙丙丙丙丙丙"])

    out.put([outgoing(1, text, parts_sent=1)])
    await out.drain()
    await out.close()

    assert [t for _, _, t in sender.sent] == ["乙乙乙乙乙乙", "丙丙丙丙丙丙"]
    assert ledger.progress == [(1, 2)]
    assert ledger.delivered_ids == [(1, "m2")]


async def test_messages_for_a_platform_without_adapter_wait_in_the_outbox(caplog):
    time, ledger = VirtualTime(), FakeLedger()
    out = queue(FakeSender(time=time), ledger, time)

    out.put([outgoing(1, "a", platform="wechat"), outgoing(2, "b", platform="wechat")])
    await out.drain()
    await out.close()

    assert ledger.delivered_ids == []
    assert [r.message for r in caplog.records].count("no wechat adapter is running; its messages stay in the outbox") == 1


async def test_closing_lets_a_part_in_flight_finish_and_leaves_the_rest():
    ledger = FakeLedger()
    started, release = asyncio.Event(), asyncio.Event()

    class SlowSender(FakeSender):
        async def send(self, part):
            started.set()
            await release.wait()
            return await super().send(part)

    sender = SlowSender()
    out = Outbound([sender], ledger)
    out.put([outgoing(1, "正在发"), outgoing(2, "还没发")])
    await started.wait()
    closing = asyncio.create_task(out.close(grace_s=5))
    await asyncio.sleep(0.01)
    release.set()
    await closing

    assert [t for _, _, t in sender.sent] == ["正在发"]
    assert ledger.delivered_ids == [(1, "m1")]


@pytest.mark.parametrize("retry_after", [None, 3.0])
def test_backoff_grows_to_its_cap_and_honours_retry_after(retry_after):
    backoff = Backoff(base_s=0.5, cap_s=4)
    delays = [backoff.delay(n, retry_after) for n in range(6)]
    floor = retry_after or 0
    assert delays == [max(floor, d) for d in (0.5, 1, 2, 4, 4, 4)]
