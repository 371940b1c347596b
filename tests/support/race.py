"""Handling events on several runtimes (as several workers on one database) at the same moment."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from bot.events import Event, Outgoing
from tests.support.testbot import TestBot


def handle_at_once(calls: list[tuple[TestBot, Event]]) -> list[list[Outgoing]]:
    """Each bot's dispatcher handles its event in its own thread, released together; what each returned."""
    barrier = threading.Barrier(len(calls))
    results: list[list[Outgoing]] = [[] for _ in calls]

    def handle(index: int) -> None:
        bot, event = calls[index]
        barrier.wait()
        results[index] = bot.runtime.dispatcher.handle(event)

    threads = [threading.Thread(target=handle, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def handle_concurrently(calls: list[tuple[TestBot, Event]], *, threads: int = 16) -> list[list[Outgoing]]:
    """Every event handed to its bot's dispatcher from one pool of threads, all at once; what each returned.

    Several bots on one database stand for several worker processes.
    """
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(lambda call: call[0].runtime.dispatcher.handle(call[1]), calls))
