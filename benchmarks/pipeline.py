"""The in-process pipeline (console events → dispatch → outbox → rendered) beside a bare floor.

Floor: one bare insert-and-commit per message through the same engine settings (SQLite WAL
with a busy timeout, or PostgreSQL through psycopg 3). Each side runs in its own fresh
process, on its own fresh database, so peak RSS is that side's own. Both wall time and CPU
time are measured: the machines are shared, and CPU time is the steadier figure of cost.

Usage: python -m benchmarks.pipeline [--messages N] [--backend sqlite|postgresql|both] [--scale]
``--scale`` runs against 1,000 chats and 50,000 members instead of the demo community.
"""
from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

WARMUP = 300
START = datetime.fromisoformat("2026-11-23T09:00:00+08:00")
SCALE_BUILDINGS = 998            # + the community chat and the leaders' chat = 1,000 chats
SCALE_HOUSEHOLDS = 25            # per building, two members each: 49,900 residents + leaders


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _summary(side: str, wall: list[float], cpu: float, elapsed: float, extra: dict | None = None) -> dict:
    return {
        "side": side,
        "messages": len(wall),
        "per_second": len(wall) / elapsed,
        "cpu_per_message_ms": cpu / len(wall) * 1000,
        "p50_ms": _percentile(wall, 0.50) * 1000,
        "p99_ms": _percentile(wall, 0.99) * 1000,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **(extra or {}),
    }


def _traffic(messages: int, scale: bool, settings) -> list[tuple[str, str, str, str]]:
    """(kind, chat, sender, text) in the 70/20/10 mix."""
    import random

    from benchmarks.traffic import mixed

    rng = random.Random(11)
    if scale:
        members = SCALE_BUILDINGS * SCALE_HOUSEHOLDS * 2
        senders = [f"m{rng.randrange(members)}" for _ in range(5000)]

        def chat_of(sender: str) -> str:
            building = 1 + int(sender[1:]) // (SCALE_HOUSEHOLDS * 2)
            return f"b{building}" if rng.random() < 0.9 else "all"
    else:
        community = settings.communities[0]
        senders = [m.key for m in community.members] + [f"guest{i}" for i in range(40)]
        chats = [c.key for c in community.chats]

        def chat_of(sender: str) -> str:
            return rng.choice(chats)
    plan = mixed(messages, senders=senders, chats=["-"])
    return [(kind, chat_of(sender), sender, text) for kind, (_chat, sender, text) in
            zip((_kind(t) for _c, _s, t in plan), plan)]


def _kind(text: str) -> str:
    from benchmarks.traffic import CHITCHAT, COMMANDS

    return "chat" if text in CHITCHAT else "command" if text in COMMANDS else "report"


def run_pipeline(messages: int, url: str, *, scale: bool = False, parse_cache: bool = True) -> dict:
    import handlers.tickets.parser as parser_module
    from bot.config import load_settings
    from bot.events import IncomingMessage
    from bot.render import as_text
    from bot.runtime import SimulatedRuntime

    if not parse_cache:
        # Every message parsed in full, as if no two texts were alike.
        parser_module._parse_short = parser_module._parse_safely
    data_dir = Path(tempfile.mkdtemp(prefix="cocreate-bench-files-"))
    began_start = time.perf_counter()
    if scale:
        from benchmarks.population import community_settings, load_people

        settings = community_settings(buildings=SCALE_BUILDINGS, data_dir=data_dir, database_url=url)
    else:
        with resources.as_file(resources.files("bot.demo") / "config.yaml") as path:
            settings = load_settings(path).model_copy(update={"data_dir": data_dir})
    sent_chars = 0

    def sink(outgoing) -> None:
        nonlocal sent_chars
        sent_chars += len(as_text(outgoing))

    runtime = SimulatedRuntime(settings, start=START, sink=sink, database_url=url)
    startup_s = time.perf_counter() - began_start
    loaded = 0
    if scale:
        loaded = load_people(runtime.engine, households_per_building=SCALE_HOUSEHOLDS, members_per_household=2)
    plan = _traffic(WARMUP + messages, scale, settings)
    wall, by_kind = [], {"chat": [], "command": [], "report": []}
    began = cpu_began = None
    for i, (kind, chat, sender, text) in enumerate(plan):
        event = IncomingMessage("console", chat, sender, "", text, START + timedelta(seconds=i), message_id=f"m{i}")
        if i == WARMUP:
            began, cpu_began = time.perf_counter(), time.process_time()
        t0 = time.perf_counter()
        runtime.handle(event)
        if i >= WARMUP:
            dt = time.perf_counter() - t0
            wall.append(dt)
            by_kind[kind].append(dt)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    runtime.close()
    hits, misses = parser_module._parse_short.cache_info()[:2] if parse_cache else (0, 1)
    kinds = {k: round(statistics.fmean(v) * 1000, 3) for k, v in by_kind.items() if v}
    return _summary("cocreate", wall, cpu, elapsed,
                    {"mean_ms_by_kind": kinds, "parse_cache_hit_rate": round(hits / max(1, hits + misses), 3),
                     "startup_s": round(startup_s, 2), "members_loaded": loaded,
                     "chats": sum(len(c.chats) for c in settings.communities)})


def run_floor(messages: int, url: str, *, scale: bool = False) -> dict:
    """One bare insert-and-commit per message, same engine settings."""
    from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert

    from storage.db import make_engine

    engine = make_engine(url)
    table = Table("floor_message", MetaData(), Column("id", Integer, primary_key=True),
                  Column("chat", String(64)), Column("message_id", String(64)), Column("text", Text))
    table.create(engine, checkfirst=True)
    wall = []
    began = cpu_began = None
    for i in range(WARMUP + messages):
        if i == WARMUP:
            began, cpu_began = time.perf_counter(), time.process_time()
        t0 = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(insert(table).values(chat="b3", message_id=f"m{i}", text="早上好🌹"))
        if i >= WARMUP:
            wall.append(time.perf_counter() - t0)
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu_began
    engine.dispose()
    return _summary("floor", wall, cpu, elapsed)


def measure(messages: int, backend: str, *, scale: bool = False) -> tuple[dict, dict]:
    """Both sides, each in a fresh interpreter on a fresh database of ``backend``."""
    from benchmarks.population import fresh_database

    results = {}
    with tempfile.TemporaryDirectory(prefix="cocreate-bench-") as tmp:
        for side in ("floor", "cocreate", "uncached"):
            with fresh_database(backend, tmp, side) as url:
                command = [sys.executable, "-m", "benchmarks.pipeline", "--side", side,
                           "--messages", str(messages), "--db", url] + (["--scale"] if scale else [])
                out = subprocess.run(command, capture_output=True, text=True, check=True)
                results[side] = json.loads(out.stdout.strip().splitlines()[-1])
    results["cocreate"]["uncached"] = results["uncached"]
    return results["cocreate"], results["floor"]


def report(ours: dict, floor: dict, *, title: str) -> str:
    wall_cost = floor["per_second"] / ours["per_second"]
    cpu_cost = ours["cpu_per_message_ms"] / floor["cpu_per_message_ms"]
    rows = [
        (title, "cocreate", "floor", "ratio"),
        ("messages/s (wall)", f"{ours['per_second']:.0f}", f"{floor['per_second']:.0f}",
         f"{wall_cost:.2f}x the floor's cost"),
        ("CPU per message (ms)", f"{ours['cpu_per_message_ms']:.3f}", f"{floor['cpu_per_message_ms']:.3f}",
         f"{cpu_cost:.2f}x"),
        ("messages/s on one core (1/CPU)", f"{1000 / ours['cpu_per_message_ms']:.0f}",
         f"{1000 / floor['cpu_per_message_ms']:.0f}", ""),
        ("p50 latency (ms)", f"{ours['p50_ms']:.3f}", f"{floor['p50_ms']:.3f}", f"{ours['p50_ms'] / floor['p50_ms']:.2f}x"),
        ("p99 latency (ms)", f"{ours['p99_ms']:.3f}", f"{floor['p99_ms']:.3f}", f"{ours['p99_ms'] / floor['p99_ms']:.2f}x"),
        ("peak RSS (MB)", f"{ours['peak_rss_mb']:.0f}", f"{floor['peak_rss_mb']:.0f}",
         f"{ours['peak_rss_mb'] / floor['peak_rss_mb']:.2f}x"),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    table = "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows)
    kinds = ", ".join(f"{k} {v:.2f} ms" for k, v in ours["mean_ms_by_kind"].items())
    extra = (f"\nmean wall latency by kind: {kinds}; start-up {ours['startup_s']} s, {ours['chats']} chats; "
             f"parse cache hits {ours.get('parse_cache_hit_rate', 0):.0%} (the chit-chat repeats 15 phrases)")
    if ours.get("members_loaded"):
        extra += f", {ours['members_loaded']} members loaded"
    uncached = ours.get("uncached")
    if uncached:
        extra += (f"\nwithout the parse cache (every text parsed in full): {uncached['cpu_per_message_ms']:.3f} ms CPU "
                  f"per message, {1000 / uncached['cpu_per_message_ms']:.0f}/s on one core, "
                  f"{uncached['cpu_per_message_ms'] / floor['cpu_per_message_ms']:.2f}x the floor; "
                  f"p99 {uncached['p99_ms']:.3f} ms")
    return table + extra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", choices=["cocreate", "uncached", "floor"])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--db")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--scale", action="store_true")
    args = parser.parse_args(argv)
    if args.side:
        if args.side == "floor":
            result = run_floor(args.messages, args.db, scale=args.scale)
        else:
            result = run_pipeline(args.messages, args.db, scale=args.scale, parse_cache=args.side == "cocreate")
        print(json.dumps(result))
        return 0
    from benchmarks.population import pg_reachable

    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        if backend == "postgresql" and not pg_reachable():
            print("(PostgreSQL not reachable: its figures are skipped)")
            continue
        ours, floor = measure(args.messages, backend, scale=args.scale)
        where = "1,000 chats / 50,000 members" if args.scale else "the demo community"
        print(report(ours, floor, title=f"pipeline on {backend}, {where}, {args.messages} msgs (70/20/10)"))
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
