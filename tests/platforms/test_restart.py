"""Messages not yet delivered when the process stops are sent, exactly once, by the next one."""
from __future__ import annotations

from bot.adapters.wechat import compat  # noqa: F401 - must run before anything imports wechaty

# isort: split

from sqlmodel import select

from storage.db import make_engine, session_scope
from storage.models import Outbox
from tests.platforms.harness import arranged, serving


def outbox_rows(database_url: str) -> list[Outbox]:
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            rows = list(session.exec(select(Outbox).order_by(Outbox.id)).all())
            session.expunge_all()
            return rows
    finally:
        engine.dispose()


async def test_stopping_mid_queue_leaves_the_rest_for_the_next_process(wechaty_state, db_url, tmp_path):
    async with arranged(db_url, tmp_path / "data") as world:
        # Slow and short: the 40-line text goes out in five parts, 0.2 s apart.
        settings = world.settings(min_interval_s=0.2, max_text=200)
        async with serving(world, settings):
            await world.puppet.send_room_text("room-b3", "wx-li", "#长文 40")
            await world.puppet.send_room_text("room-b3", "wx-zhang", "#我的信息")
            await world.puppet.wait_sent_many(2, lambda m: m.room_id == "room-b3")
        first_run = [m.text for m in world.puppet.sent]
        long, info = outbox_rows(db_url)

        async with serving(world, settings):
            await world.puppet.wait_sent(lambda m: (m.text or "").startswith("张阿姨："))
        texts = [m.text for m in world.puppet.sent]
        after = outbox_rows(db_url)

    assert 2 <= len(first_run) < 5
    assert (long.delivered_at, long.parts_sent, info.delivered_at) == (None, len(first_run), None)
    lines = [f"{n:04d}" + "长" * 16 for n in range(40)]
    assert "\n".join(texts[:-1]) == "\n".join(lines) + "\n回复 1 知道了"  # every part once, in order
    assert all(len(t) <= 200 for t in texts)
    assert texts[-1].startswith("张阿姨：居民") and len(texts) == len(set(texts))
    assert all(row.delivered_at is not None for row in after)
