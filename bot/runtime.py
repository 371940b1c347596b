"""Assembling a process: settings → database → registry → dispatcher → scheduler → adapters.

``SimulatedRuntime`` drives everything on a simulated clock (replay, demo, tests and the
in-process benchmark); ``ServingRuntime`` serves adapters on the wall clock.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from bot.clock import Clock, SimulatedClock, SystemClock
from bot.config import Settings, validate_section
from bot.context import Context
from bot.dispatch import Dispatcher
from bot.events import Event, Outgoing
from bot.features import FEATURES, build_registry
from bot.leadership import Leadership
from bot.outbound import Outbound
from bot.roster import sync_config
from bot.scheduler import JobCall, Scheduler
from bot.services import Services
from storage.db import make_engine, session_scope
from storage.migrate import upgrade
from storage.models import Community
from sqlmodel import select

log = logging.getLogger(__name__)


class Runtime:
    """The pieces every way of running shares."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock,
        database_url: str | None = None,
        features: tuple[str, ...] = FEATURES,
        simulated_platform: str | None = None,
        bot_username: str | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.engine = make_engine(database_url or settings.database_url)
        upgrade(self.engine)
        self.registry = build_registry(features)
        self.services = Services(
            settings=settings,
            registry=self.registry,
            clock=clock,
            engine=self.engine,
            feature_config=_feature_config(settings, self.registry),
            simulated_platform=simulated_platform,
            bot_username=bot_username,
        )
        self.dispatcher = Dispatcher(self.services)
        self.scheduler = Scheduler(engine=self.engine, tz=settings.tz, clock=clock, runner=self._on_job)
        self.services.scheduler = self.scheduler
        with session_scope(self.engine) as session:
            sync_config(session, settings, now=clock.now())

    def _on_job(self, call: JobCall) -> None:
        raise NotImplementedError

    def run_startup_hooks(self) -> None:
        """Let each feature set up its periodic work, once per community."""
        if not self.registry.startup:
            return
        with session_scope(self.engine) as session:
            communities = session.exec(select(Community)).all()
            for community in communities:
                ctx = Context(self.services, session, community, self.clock.now())
                for hook in self.registry.startup:
                    hook(ctx)

    def close(self) -> None:
        self.scheduler.shutdown()
        self.engine.dispose()


def _feature_config(settings: Settings, registry) -> dict:
    """Validate each feature's section of the config with the feature's own model."""
    return {
        router.config_key: validate_section(settings, router.config_key, router.config_model)
        for router in registry.routers
        if router.config_key and router.config_model
    }


def simulated_message_id(outbox_id: int) -> str:
    """The message id a bot message gets on the console and in replay (``reply_to`` uses it)."""
    return f"bot-{outbox_id}"


class SimulatedRuntime(Runtime):
    """Everything on a simulated clock: events and scheduled jobs happen at their own times."""

    def __init__(
        self,
        settings: Settings,
        *,
        start: datetime,
        sink: Callable[[Outgoing], None],
        database_url: str | None = None,
        features: tuple[str, ...] = FEATURES,
    ) -> None:
        super().__init__(
            settings,
            clock=SimulatedClock(settings.tz, start),
            database_url=database_url,
            features=features,
            simulated_platform="console",
        )
        self.sink = sink
        self._horizon: tuple[tuple[int, int], datetime | None] | None = None
        self.scheduler.start()
        self.run_startup_hooks()

    def _on_job(self, call: JobCall) -> None:
        self._deliver(self.dispatcher.run_job(call.job_id, call.task, call.args, call.scheduled_at, call.late))

    def advance_to(self, moment: datetime) -> None:
        """Move the clock to ``moment``, running due jobs and releasing held messages at their times."""
        while True:
            upcoming = self._next_due()
            if upcoming is None or upcoming > moment:
                break
            self.clock.set(upcoming)
            now = self.clock.now()
            self.scheduler.run_due(now)
            self._deliver(self.dispatcher.due())
        self.clock.set(moment)

    def _next_due(self) -> datetime | None:
        """The next job run or held message, asked of the database only after something changed."""
        versions = (self.scheduler.version, self.dispatcher.held_version)
        if self._horizon is None or self._horizon[0] != versions:
            due = [t for t in (self.scheduler.next_run_time(), self.dispatcher.next_held()) if t is not None]
            self._horizon = (versions, min(due) if due else None)
        return self._horizon[1]

    def handle(self, event: Event) -> list[Outgoing]:
        """Advance to the event's time, handle it and deliver the replies."""
        self.advance_to(event.at)
        outgoing = self.dispatcher.handle(event)
        self._deliver(outgoing)
        return outgoing

    def redeliver_undelivered(self) -> None:
        """Send what a stopped process committed but never recorded as sent (a restart's first step)."""
        self._deliver(self.dispatcher.due())

    def _deliver(self, outgoing: list[Outgoing]) -> None:
        for item in outgoing:
            self.sink(item)
        self.dispatcher.acknowledge([(o.outbox_id, simulated_message_id(o.outbox_id)) for o in outgoing])

    def close(self) -> None:
        self.dispatcher.flush_acks()
        super().close()


class ServingRuntime(Runtime):
    """Serves adapters on the wall clock; database work runs on one worker thread.

    Every worker handles messages and writes jobs; the one holding the leadership
    (``bot/leadership.py``) also fires due jobs. The others try to take over every
    ``workers.lead_retry_seconds``.
    """

    FLUSH_INTERVAL_S = 15.0

    def __init__(self, settings: Settings, *, database_url: str | None = None,
                 features: tuple[str, ...] = FEATURES, simulated_platform: str | None = None) -> None:
        super().__init__(settings, clock=SystemClock(settings.tz), database_url=database_url,
                         features=features, simulated_platform=simulated_platform)
        self._db = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cocreate-db")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._fired: list[Outgoing] = []
        self.leadership = Leadership(self.engine)
        self.outbound: Outbound | None = None
        self.scheduler.start()

    async def serve(self, adapters: list) -> None:
        """Run until every adapter with finite input is done (without adapters: until cancelled)."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.scheduler.on_change = lambda: self._loop.call_soon_threadsafe(self._wake.set)
        self.outbound = Outbound(adapters, _OutboxLedger(self))
        await self._db_call(self.run_startup_hooks)
        background = [asyncio.create_task(self._flush_periodically()), asyncio.create_task(self._lead())]
        try:
            for adapter in adapters:
                await adapter.start(self)
            await self.deliver(await self._db_call(self.dispatcher.due, self._platforms()))
            if adapters:
                await asyncio.gather(*(a.wait_closed() for a in adapters))
            else:
                await asyncio.Event().wait()
            await self.outbound.drain()
        finally:
            for task in background:
                task.cancel()
            await self.outbound.close()
            for adapter in adapters:
                await adapter.stop()
            await self._db_call(self.dispatcher.flush_acks)
            # Unsent messages go to whichever process sweeps next, without waiting out a lease.
            await self._db_call(self.dispatcher.release, self.outbound.in_hand())
            await self._db_call(self.leadership.release)
            self.scheduler.shutdown()
            self._db.shutdown(wait=True)

    async def submit(self, event: Event) -> list[Outgoing]:
        """Handle an event from an adapter and queue the replies for sending."""
        outgoing = await self._db_call(self.dispatcher.handle, event)
        await self.deliver(outgoing)
        return outgoing

    async def deliver(self, outgoing: list[Outgoing]) -> None:
        """Hand committed messages to the outbound queue (acknowledged once sent)."""
        self.outbound.put(outgoing)

    async def _lead(self) -> None:
        """Fire due jobs while leading; otherwise try to become the leader now and then."""
        workers = self.settings.workers
        while True:
            wait = workers.lead_retry_seconds
            self._wake.clear()
            try:
                if await self._db_call(self.leadership.hold):
                    fired, upcoming = await self._db_call(self._run_due_jobs)
                    await self.deliver(fired)
                    wait = workers.store_poll_seconds
                    if upcoming is not None:
                        wait = min(wait, max(0.0, (upcoming - self.clock.now()).total_seconds()))
            except Exception:
                log.exception("scheduler step failed")
            try:
                await asyncio.wait_for(self._wake.wait(), wait)
            except asyncio.TimeoutError:
                pass

    def _run_due_jobs(self) -> tuple[list[Outgoing], datetime | None]:
        """On the database thread: run what is due, then say when the next job is."""
        self.scheduler.run_due(self.clock.now())
        fired, self._fired = self._fired, []
        return fired, self.scheduler.next_run_time()

    def _on_job(self, call: JobCall) -> None:
        self._fired.extend(
            self.dispatcher.run_job(call.job_id, call.task, call.args, call.scheduled_at, call.late)
        )

    async def _flush_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.FLUSH_INTERVAL_S)
            try:
                await self._db_call(self.dispatcher.flush_acks)
                await self._db_call(self.dispatcher.renew, self.outbound.in_hand())
                await self.deliver(await self._db_call(self.dispatcher.due, self._platforms()))
            except Exception:
                log.exception("outbox flush failed")

    def _platforms(self) -> list[str]:
        return list(self.outbound.senders)

    async def _db_call(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._db, fn, *args)


class _OutboxLedger:
    """Delivery bookkeeping for the outbound queue, on the runtime's database worker."""

    def __init__(self, runtime: ServingRuntime) -> None:
        self.runtime = runtime

    async def delivered(self, outbox_id: int, platform_message_id: str | None) -> None:
        await self.runtime._db_call(self.runtime.dispatcher.acknowledge, [(outbox_id, platform_message_id)])

    async def progressed(self, outbox_id: int, parts_sent: int) -> None:
        await self.runtime._db_call(self.runtime.dispatcher.note_progress, outbox_id, parts_sent)

    async def failed(self, outbox_id: int, error: str) -> None:
        await self.runtime._db_call(self.runtime.dispatcher.defer, outbox_id, error)
