"""``make bench``: every benchmark, each figure beside a floor measured in the same run.

Usage: python -m benchmarks [--quick]   (--quick: smaller sizes, for a first look)
"""
from __future__ import annotations

import importlib
import os
import platform
import sys

# (module, arguments for the full run, arguments for --quick)
BENCHES = (
    ("benchmarks.pipeline", [], ["--messages", "1000"]),
    ("benchmarks.pipeline", ["--scale"], ["--scale", "--messages", "1000", "--backend", "sqlite"]),
    ("benchmarks.bench_parser", [], []),
    ("benchmarks.bench_votes", [], ["--households", "1000", "--backend", "sqlite"]),
    ("benchmarks.bench_summary", [], ["--members", "10000", "--entries", "100000", "--no-pg"]),
)


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"machine: {cpu}, {os.cpu_count()} cores, load {load:.1f}; Python {platform.python_version()}; "
            f"{platform.platform()}")


def main(argv: list[str] | None = None) -> int:
    quick = "--quick" in (argv if argv is not None else sys.argv[1:])
    print(_machine() + "\n")
    for name, full, small in BENCHES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        args = small if quick else full
        print(f"== {name} {' '.join(args)}".rstrip(), flush=True)
        module.main(list(args))
        print(flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
