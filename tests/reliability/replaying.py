"""Running ``cocreate replay`` as a separate process, to completion or until it is killed."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "tests" / "data" / "community.yaml"
UNTIL = "2026-11-30T09:00:00+08:00"


def command(scenario: Path, db_url: str, acks: Path | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "bot", "replay", str(scenario), "--config", str(CONFIG), "--db", db_url,
           "--until", UNTIL]
    return cmd + (["--acks", str(acks)] if acks else [])


def run(scenario: Path, db_url: str, acks: Path | None = None) -> list[str]:
    """Play to the end; the lines printed (one per message sent)."""
    result = subprocess.run(command(scenario, db_url, acks), capture_output=True, text=True, cwd=ROOT, timeout=1800)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result.stdout.splitlines()


def acked(acks: Path) -> int:
    try:
        return int(acks.read_text())
    except (FileNotFoundError, ValueError):
        return 0


def run_until_killed(scenario: Path, db_url: str, acks: Path, *, after_line: int, delay_s: float,
                     stderr: Path) -> tuple[list[str], bool]:
    """Play until the acknowledged line reaches ``after_line``, wait ``delay_s`` and SIGKILL it.

    Returns the printed lines and whether the process was killed (False: it finished first).
    """
    printed: list[str] = []
    with open(stderr, "a", encoding="utf-8") as err:
        proc = subprocess.Popen(command(scenario, db_url, acks), stdout=subprocess.PIPE, stderr=err,
                                text=True, cwd=ROOT)
        reader = threading.Thread(target=lambda: printed.extend(proc.stdout), daemon=True)
        reader.start()
        while proc.poll() is None and acked(acks) < after_line:
            time.sleep(0.002)
        time.sleep(delay_s)
        killed = proc.poll() is None
        if killed:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        reader.join()
    return printed, killed


def said(lines: list[str]) -> Counter:
    """What was sent where, however often (the time of a resent message is its resending)."""
    return Counter((o["chat"], o["text"]) for o in map(json.loads, lines))
