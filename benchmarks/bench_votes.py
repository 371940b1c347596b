"""A vote burst: 10,000 votes into one household poll from 5,000 households (two members each).

Votes go through the real dispatcher from several threads at once, as adapters would hand
them over; every member votes, so each household's ballot is cast and then changed by its
second member. The count must come out exactly: 5,000 households voted, one ballot each.
The floor is the same number of bare insert-and-commit calls, from the same threads.

Usage: python -m benchmarks.bench_votes [--households N] [--threads N] [--backend sqlite|postgresql|both]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

START = datetime.fromisoformat("2026-11-23T09:00:00+08:00")
BUILDINGS = 50


def run(backend: str, households: int, threads: int) -> dict:
    from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select

    from benchmarks.population import community_settings, fresh_database, load_people
    from bot.events import IncomingMessage
    from bot.runtime import SimulatedRuntime
    from storage.db import make_engine
    from storage.models.polls import Ballot

    per_building = households // BUILDINGS
    with tempfile.TemporaryDirectory(prefix="cocreate-votes-") as tmp:
        with fresh_database(backend, tmp, "votes") as url, fresh_database(backend, tmp, "floor") as floor_url:
            settings = community_settings(buildings=BUILDINGS, data_dir=Path(tmp) / "files", database_url=url)
            runtime = SimulatedRuntime(settings, start=START, sink=lambda o: None, database_url=url)
            members = load_people(runtime.engine, households_per_building=per_building, members_per_household=2)
            runtime.handle(IncomingMessage("console", "all", "staff", "书记",
                                           "#户投票 是否安装监控？ 同意/反对 截止 11月30日 全体群", START))
            at = START + timedelta(minutes=1)
            runtime.clock.set(at)

            def vote(n: int) -> None:
                building = 1 + n // (per_building * 2)
                option = 1 + (n % 2)
                runtime.dispatcher.handle(IncomingMessage(
                    "console", f"b{building}", f"m{n}", "", f"投 {option} #1", at, message_id=f"v{n}"))

            began, cpu = time.perf_counter(), time.process_time()
            with ThreadPoolExecutor(max_workers=threads) as pool:
                list(pool.map(vote, range(members)))
            elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
            with runtime.engine.connect() as conn:
                ballots = conn.execute(select(func.count()).select_from(Ballot)).scalar_one()
            runtime.close()

            engine = make_engine(floor_url)
            table = Table("floor_vote", MetaData(), Column("id", Integer, primary_key=True), Column("who", String(32)))
            table.create(engine)

            def bare(n: int) -> None:
                with engine.begin() as conn:
                    conn.execute(insert(table).values(who=f"m{n}"))

            floor_began = time.perf_counter()
            with ThreadPoolExecutor(max_workers=threads) as pool:
                list(pool.map(bare, range(members)))
            floor_elapsed = time.perf_counter() - floor_began
            engine.dispose()
    return {"backend": backend, "votes": members, "households": households, "ballots": ballots,
            "votes_per_s": members / elapsed, "cpu_ms_per_vote": cpu / members * 1000,
            "floor_per_s": members / floor_elapsed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args(argv)
    from benchmarks.population import pg_reachable

    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if backend == "postgresql" and not pg_reachable():
            print("(PostgreSQL not reachable: its figures are skipped)")
            continue
        r = run(backend, args.households, args.threads)
        exact = "exact" if r["ballots"] == r["households"] else f"WRONG: {r['ballots']} ballots"
        print(f"vote burst on {backend}: {r['votes']} votes from {r['households']} households, {args.threads} threads: "
              f"{r['votes_per_s']:.0f} votes/s ({r['cpu_ms_per_vote']:.2f} ms CPU each); floor {r['floor_per_s']:.0f}/s "
              f"({r['floor_per_s'] / r['votes_per_s']:.2f}x its cost); count {r['ballots']} ballots: {exact}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
