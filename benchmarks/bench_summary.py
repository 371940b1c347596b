"""The weekly points summary for a big community: 100,000 members and 1,000,000 ledger entries.

The people and a year of entries are loaded in bulk (Core executemany on SQLite, COPY on
PostgreSQL); then the summary is computed as the Sunday job does: the week's standings in
one grouped query, then each chat's text for its scope (with the tickets feature's line).
Figures are printed beside floors measured in the same run: a bare GROUP BY over the week's
entries and over the whole ledger. The query plan of the standings query is printed too.
Drawing the charts is timed apart (one chart); the job draws one per chat.

Usage: python -m benchmarks.bench_summary [--members N] [--entries N] [--no-pg]
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

SUNDAY_20 = datetime.fromisoformat("2026-11-29T20:00:00+08:00")
BUILDINGS = 200
RULES = (("参加大扫除", 5), ("志愿服务", 10), ("报事被受理", 2), ("参与投票", 1))


def load_entries(engine, *, members: int, entries: int, seed: int = 6) -> None:
    """``entries`` ledger lines over the 52 weeks before the summary, for random members."""
    from sqlalchemy import insert, select

    from storage.models import Community, Member
    from storage.models.points import PointEntry

    rng = random.Random(seed)
    end = SUNDAY_20.astimezone(timezone.utc)
    span = int(timedelta(weeks=52).total_seconds())
    with engine.begin() as conn:
        community_id = conn.execute(select(Community.id)).scalar_one()
        ids = conn.execute(select(Member.id).where(Member.key.like("m%"))).scalars().all()
    ids = ids[:members]

    def rows(count: int):
        for _ in range(count):
            rule, points = RULES[rng.randrange(len(RULES))]
            at = end - timedelta(seconds=rng.randrange(span))
            yield community_id, rng.choice(ids), points, rule, "压测", at

    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            with raw.cursor() as cursor:
                with cursor.copy("COPY point_entry (community_id, member_id, amount, rule, reason, at) FROM STDIN") as copy:
                    for row in rows(entries):
                        copy.write_row(row)
            raw.commit()
        finally:
            raw.close()
    else:
        keys = ("community_id", "member_id", "amount", "rule", "reason", "at")
        generator = rows(entries)
        with engine.begin() as conn:
            while batch := [dict(zip(keys, r)) for _, r in zip(range(50_000), generator)]:
                conn.execute(insert(PointEntry.__table__), batch)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql("ANALYZE")


def plan(engine, statement) -> list[str]:
    """The database's plan for ``statement`` (EXPLAIN QUERY PLAN / EXPLAIN)."""
    compiled = statement.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            return [row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}")]
        return [row[0] for row in conn.exec_driver_sql(f"EXPLAIN {compiled}")]


def best_of(fn, times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        began = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - began)
    return best


def run(backend: str, members: int, entries: int) -> None:
    from sqlalchemy import func
    from sqlmodel import Session, select

    import handlers.points.standings as st
    from benchmarks.population import community_settings, fresh_database, load_people
    from bot.context import Context
    from bot.runtime import SimulatedRuntime
    from handlers.points import summary
    from handlers.points.ledger import week_start
    from storage.models import Community
    from storage.models.points import PointEntry
    from storage.repo import points as repo

    with tempfile.TemporaryDirectory(prefix="cocreate-summary-") as tmp, \
            fresh_database(backend, tmp, "summary") as url:
        settings = community_settings(buildings=BUILDINGS, data_dir=Path(tmp) / "files", database_url=url)
        runtime = SimulatedRuntime(settings, start=SUNDAY_20 - timedelta(hours=1), sink=lambda o: None,
                                   database_url=url)
        engine = runtime.engine
        began = time.perf_counter()
        loaded = load_people(engine, households_per_building=max(members // (BUILDINGS * 2), 1),
                             members_per_household=2)
        load_entries(engine, members=loaded, entries=entries)
        load_s = time.perf_counter() - began

        with Session(engine) as session:
            community = session.exec(select(Community)).one()
            ctx = Context(runtime.services, session, community, SUNDAY_20, scheduled_at=SUNDAY_20)
            start = week_start(ctx, SUNDAY_20)
            week_rows = session.exec(select(func.count()).select_from(PointEntry)
                                     .where(PointEntry.at >= start, PointEntry.at < SUNDAY_20)).one()
            standings_s = best_of(lambda: st.compute(session, community_id=community.id, start=start, end=SUNDAY_20))
            whole = st.compute(session, community_id=community.id, start=start, end=SUNDAY_20)
            chats = repo_chats(session, community.id)
            span = "11月23日–11月29日"

            def texts_for_every_chat(with_tickets: bool):
                w = st.compute(session, community_id=community.id, start=start, end=SUNDAY_20)
                for chat in chats:
                    scope = st.chat_buildings(chat, w.buildings)
                    mine = w.scoped(scope)
                    lines = [*st.member_lines(mine, 10), *st.building_lines(w, scope)]
                    if with_tickets:
                        ctx.emit("summary.collect", start=start, end=SUNDAY_20, chat=chat, lines=lines)

            points_s = best_of(lambda: texts_for_every_chat(False))
            summary_s = best_of(lambda: texts_for_every_chat(True))
            # The second draw: the first pays for loading matplotlib and the font.
            chart_s = best_of(lambda: summary.summary_for(ctx, chats[0], whole, start, SUNDAY_20, span, top=10), 2)

            window_floor = (select(PointEntry.member_id, func.sum(PointEntry.amount))
                            .where(PointEntry.community_id == community.id, PointEntry.at >= start,
                                   PointEntry.at < SUNDAY_20).group_by(PointEntry.member_id))
            full_floor = select(PointEntry.member_id, func.sum(PointEntry.amount)).group_by(PointEntry.member_id)
            window_floor_s = best_of(lambda: session.exec(window_floor).all())
            full_floor_s = best_of(lambda: session.exec(full_floor).all(), 1)
            standings_plan = plan(engine, repo.standings_statement(community_id=community.id, start=start,
                                                                   end=SUNDAY_20))
        runtime.close()

    print(f"weekly summary on {backend}: {loaded:,} members, {entries:,} ledger entries "
          f"({week_rows:,} this week, {len(whole.rows):,} members scored), {len(chats)} chats; loaded in {load_s:.1f} s")
    print(f"  standings query: {standings_s * 1000:.0f} ms; standings + points text for every chat: "
          f"{points_s * 1000:.0f} ms; with the tickets feature's line per chat: {summary_s * 1000:.0f} ms"
          f"  [target ≤ 1000 ms]")
    print(f"  floor: bare GROUP BY over the week {window_floor_s * 1000:.0f} ms "
          f"(points part {points_s / window_floor_s:.1f}x); over the whole ledger {full_floor_s * 1000:.0f} ms")
    print(f"  one chat's text + chart image: {chart_s * 1000:.0f} ms (the job draws one per chat)")
    print("  plan of the standings query:")
    for line in standings_plan:
        print(f"    {line}")


def repo_chats(session, community_id):
    from storage.repo import community as community_repo

    return community_repo.chats_of_community(session, community_id=community_id)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    from benchmarks.population import pg_reachable

    run("sqlite", args.members, args.entries)
    if not args.no_pg:
        if pg_reachable():
            run("postgresql", args.members, args.entries)
        else:
            print("(PostgreSQL not reachable: its figures are skipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
