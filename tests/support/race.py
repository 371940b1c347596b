"""Handling events on several runtimes (as several workers on one database) at the same moment."""
from __future__ import annotations

import threading

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
