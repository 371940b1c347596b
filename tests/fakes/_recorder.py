"""An append-only record of what a fake server saw, with predicate-based waiting."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

#: Default for every wait in the fakes: generous, because a loaded CI box can stall for seconds.
DEFAULT_TIMEOUT = 10.0


class Recorder(Generic[T]):
    """Items in arrival order; ``wait_for`` matches by predicate because arrival order is racy."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._items: list[T] = []
        self._changed = asyncio.Event()

    def add(self, item: T) -> None:
        """Record ``item`` and wake every waiter."""
        self._items.append(item)
        # Swap events so a waiter that re-checks and waits again sees only later additions.
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items))

    def __len__(self) -> int:
        return len(self._items)

    def matching(self, predicate: Callable[[T], bool] | None = None) -> list[T]:
        """All recorded items for which ``predicate`` holds (all items without one)."""
        return [item for item in self._items if predicate is None or predicate(item)]

    async def wait_for(
        self,
        predicate: Callable[[T], bool] | None = None,
        *,
        count: int = 1,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> list[T]:
        """Return the first ``count`` matching items, waiting up to ``timeout`` seconds for them."""
        try:
            async with asyncio.timeout(timeout):
                while len(found := self.matching(predicate)) < count:
                    await self._changed.wait()
        except TimeoutError:
            raise TimeoutError(self._timeout_message(count, timeout)) from None
        return found[:count]

    def _timeout_message(self, count: int, timeout: float) -> str:
        """Explain a timed-out wait, listing what was recorded so the failure is debuggable."""
        seen = "\n".join(f"  {item!r}" for item in self._items) or "  (nothing)"
        return f"waited {timeout}s for {count} matching {self._what}; recorded:\n{seen}"
