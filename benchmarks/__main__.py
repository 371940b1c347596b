"""``make bench``: run every benchmark and print its figures beside the floors."""
from __future__ import annotations

import importlib
import platform
import os
import sys

BENCHES = ("benchmarks.pipeline", "benchmarks.bench_parser")


def main() -> int:
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}\n")
    for name in BENCHES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        print(f"== {name}")
        module.main([])
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
