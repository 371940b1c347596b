"""The in-process pipeline (console events → dispatch → outbox → rendered) against a bare insert floor.

Each side runs in its own fresh process so peak RSS is that side's own.
Usage: python -m benchmarks.pipeline [--messages N] [--db URL]   (prints one JSON line per side)
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

WARMUP = 200


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _summary(name: str, latencies: list[float], elapsed: float) -> dict:
    return {
        "side": name,
        "messages": len(latencies),
        "per_second": len(latencies) / elapsed,
        "p50_ms": _percentile(latencies, 0.50) * 1000,
        "p99_ms": _percentile(latencies, 0.99) * 1000,
        "mean_ms": statistics.fmean(latencies) * 1000,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_pipeline(messages: int, url: str) -> dict:
    from bot.config import load_settings
    from bot.events import IncomingMessage
    from bot.render import as_text
    from bot.runtime import SimulatedRuntime
    from benchmarks.traffic import mixed

    with resources.as_file(resources.files("bot.demo") / "config.yaml") as path:
        settings = load_settings(path)
    community = settings.communities[0]
    senders = [m.key for m in community.members] + [f"guest{i}" for i in range(40)]
    chats = [c.key for c in community.chats]
    start = datetime.fromisoformat("2026-11-23T09:00:00+08:00")
    sink_chars = 0

    def sink(outgoing) -> None:
        nonlocal sink_chars
        sink_chars += len(as_text(outgoing))

    runtime = SimulatedRuntime(settings, start=start, sink=sink, database_url=url)
    traffic = mixed(WARMUP + messages, senders=senders, chats=chats)
    latencies = []
    began = None
    for i, (chat, sender, text) in enumerate(traffic):
        event = IncomingMessage("console", chat, sender, sender, text, start + timedelta(seconds=i), message_id=f"m{i}")
        if i == WARMUP:
            began = time.perf_counter()
        t0 = time.perf_counter()
        runtime.handle(event)
        if i >= WARMUP:
            latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - began
    runtime.close()
    return _summary("cocreate", latencies, elapsed)


def run_floor(messages: int, url: str) -> dict:
    """One bare insert-and-commit per message, same engine settings (WAL, busy timeout)."""
    from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert

    from storage.db import make_engine

    engine = make_engine(url)
    table = Table("floor_message", MetaData(), Column("id", Integer, primary_key=True),
                  Column("chat", String(64)), Column("message_id", String(64)), Column("text", Text))
    table.create(engine, checkfirst=True)
    latencies = []
    began = None
    for i in range(WARMUP + messages):
        if i == WARMUP:
            began = time.perf_counter()
        t0 = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(insert(table).values(chat="b3", message_id=f"m{i}", text="早上好🌹"))
        if i >= WARMUP:
            latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - began
    engine.dispose()
    return _summary("floor", latencies, elapsed)


def measure(messages: int, url: str | None = None) -> tuple[dict, dict]:
    """Both sides, each in a fresh interpreter, on fresh SQLite files (or a given URL)."""
    results = []
    with tempfile.TemporaryDirectory(prefix="cocreate-bench-") as tmp:
        for side in ("floor", "cocreate"):
            side_url = url or f"sqlite:///{tmp}/{side}.db"
            out = subprocess.run(
                [sys.executable, "-m", "benchmarks.pipeline", "--side", side, "--messages", str(messages),
                 "--db", side_url],
                capture_output=True, text=True, check=True,
            )
            results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results[1], results[0]


def report(ours: dict, floor: dict, *, title: str) -> str:
    cost = floor["per_second"] / ours["per_second"]
    rows = [
        (title, "cocreate", "floor", "ratio"),
        ("messages/s", f"{ours['per_second']:.0f}", f"{floor['per_second']:.0f}", f"{cost:.2f}x the floor's cost"),
        ("p50 latency (ms)", f"{ours['p50_ms']:.3f}", f"{floor['p50_ms']:.3f}", f"{ours['p50_ms'] / floor['p50_ms']:.2f}x"),
        ("p99 latency (ms)", f"{ours['p99_ms']:.3f}", f"{floor['p99_ms']:.3f}", f"{ours['p99_ms'] / floor['p99_ms']:.2f}x"),
        ("peak RSS (MB)", f"{ours['peak_rss_mb']:.0f}", f"{floor['peak_rss_mb']:.0f}",
         f"{ours['peak_rss_mb'] / floor['peak_rss_mb']:.2f}x"),
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--side", choices=["cocreate", "floor"])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--db")
    args = parser.parse_args(argv)
    if args.side:
        fn = run_pipeline if args.side == "cocreate" else run_floor
        print(json.dumps(fn(args.messages, args.db)))
        return 0
    ours, floor = measure(args.messages, args.db)
    print(report(ours, floor, title=f"pipeline on SQLite, {args.messages} msgs (70% chat/20% cmd/10% report)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
