"""The only door to jionlp: lazy, quiet, serialised."""

from __future__ import annotations

import contextlib
import io
import sys
import threading
from datetime import datetime
from typing import Any

WINDOW = 24  # the longest time expression we look for; never feed messages to jionlp
_lock = threading.RLock()  # jionlp's parser keeps per-call state on a shared instance
_jio: Any = None


class _QuietLogging:
    """Stands in for ``logging`` inside jionlp's time_parser: its ``logging.error`` on every
    unparsable period would otherwise call basicConfig() and hijack the app's root logger."""

    @staticmethod
    def error(*args: Any, **kwargs: Any) -> None:
        pass


def load() -> Any:
    """The jionlp module, imported on first use with its banner swallowed."""
    global _jio
    with _lock:
        if _jio is None:
            out, err = io.StringIO(), io.StringIO()
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                import jionlp
                from jionlp.gadget import time_parser
            time_parser.logging = _QuietLogging
            # other threads may have written while the streams were swapped: give it back
            for captured, stream in ((out, sys.stdout), (err, sys.stderr)):
                kept = [ln for ln in captured.getvalue().splitlines(True)
                        if not ln.startswith(("# jionlp", "# jiojio"))]
                if kept:
                    stream.write("".join(kept))
            _jio = jionlp
    return _jio


def parse(s: str, base: datetime, future: bool = False) -> dict[str, Any] | None:
    """jionlp.parse_time of ``s`` against the naive local ``base``; None if it fails."""
    jio = load()
    try:
        with _lock:
            res = jio.parse_time(s, time_base=base, ret_future=future)
        return res if isinstance(res, dict) else None
    except Exception:  # jionlp raises assorted errors on bad input; all mean "not understood"
        return None


def extract(s: str, base: datetime) -> list[dict[str, Any]]:
    """Time entities jionlp finds near the start of ``s``.

    extract_time's grid search is superlinear (64 chars of "每周每周…" take ~5 s), so it
    sees 12 characters, then WINDOW only if the expression runs up to that cut."""
    ents: list[dict[str, Any]] = []
    for width in (WINDOW // 2, WINDOW):
        ents = _extract(s[:width], base)
        try:
            near_cut = len(s) > width and ents[0]["offset"][1] > width - 4
        except (IndexError, KeyError, TypeError):
            return []
        if not near_cut:
            break
    return ents


def _extract(s: str, base: datetime) -> list[dict[str, Any]]:
    jio = load()
    try:
        with _lock:
            ents = jio.ner.extract_time(s, time_base=base, with_parsing=False)
        return ents if isinstance(ents, list) else []
    except Exception:  # as in parse()
        return []
