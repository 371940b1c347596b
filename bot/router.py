"""Feature routers and the registry that merges them.

Each handler module owns one ``Router`` and decorates its functions; the runtime includes
the routers of every enabled feature into one ``Registry`` that the dispatcher consults.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from storage.models import Role

ALL_ROLES = frozenset(Role)
LEADERS = frozenset({Role.building_leader, Role.grid_leader, Role.staff})
GRID_AND_STAFF = frozenset({Role.grid_leader, Role.staff})
STAFF = frozenset({Role.staff})

Handler = Callable[..., Any]


@dataclass(frozen=True, slots=True)
class Command:
    """A command word with its usage, shown by #帮助 and in every malformed-input reply."""

    name: str
    handler: Handler
    feature: str
    summary: str
    usage: str
    example: str
    aliases: tuple[str, ...] = ()
    roles: frozenset[Role] = ALL_ROLES

    def help_text(self) -> str:
        return f"用法：{self.usage}\n例如：{self.example}"


@dataclass(order=True, slots=True)
class Listener:
    """A handler for plain (non-command) messages; returns True when it dealt with one."""

    priority: int
    name: str
    handler: Handler = field(compare=False)


@dataclass
class Router:
    """One feature's commands, listeners, choice actions, scheduled tasks and exporters."""

    feature: str
    config_key: str | None = None
    config_model: type[BaseModel] | None = None
    commands: list[Command] = field(default_factory=list)
    listeners: list[Listener] = field(default_factory=list)
    actions: dict[str, Handler] = field(default_factory=dict)
    tasks: dict[str, Handler] = field(default_factory=dict)
    signals: dict[str, list[Handler]] = field(default_factory=dict)
    startup: list[Handler] = field(default_factory=list)
    exporters: dict[str, Handler] = field(default_factory=dict)
    tables: dict[str, tuple[str, Handler]] = field(default_factory=dict)

    def command(
        self,
        name: str,
        *,
        summary: str,
        usage: str,
        example: str,
        aliases: tuple[str, ...] = (),
        roles: frozenset[Role] = ALL_ROLES,
    ) -> Callable[[Handler], Handler]:
        """Register ``#name`` (and ``/alias`` for Latin aliases) for the given roles."""

        def register(fn: Handler) -> Handler:
            self.commands.append(
                Command(name, fn, self.feature, summary, usage, example, aliases, roles)
            )
            return fn

        return register

    def message(self, *, priority: int = 100) -> Callable[[Handler], Handler]:
        """Register a listener for plain messages; lower priority numbers run first."""

        def register(fn: Handler) -> Handler:
            self.listeners.append(Listener(priority, f"{self.feature}.{fn.__name__}", fn))
            return fn

        return register

    def action(self, name: str) -> Callable[[Handler], Handler]:
        """Register the handler of choice actions ``name`` or ``name:arg:arg``."""
        return self._into(self.actions, name)

    def task(self, name: str) -> Callable[[Handler], Handler]:
        """Register a scheduled task by a stable name (jobs refer to it by that name)."""
        return self._into(self.tasks, name)

    def exporter(self, key: str) -> Callable[[Handler], Handler]:
        """Register the function that fills ``key`` in ``cocreate export``."""
        return self._into(self.exporters, key)

    def table(self, name: str, title: str) -> Callable[[Handler], Handler]:
        """Register a flat table (headers, rows) for ``cocreate export --format xlsx|csv``.

        ``title`` is the Chinese sheet name office staff see (问题清单, 积分明细).
        """

        def register(fn: Handler) -> Handler:
            if name in self.tables:
                raise ValueError(f"table {name!r} registered twice")
            self.tables[name] = (title, fn)
            return fn

        return register

    def on(self, signal: str) -> Callable[[Handler], Handler]:
        """Subscribe to a domain signal emitted by another feature in the same transaction."""

        def register(fn: Handler) -> Handler:
            self.signals.setdefault(signal, []).append(fn)
            return fn

        return register

    def on_startup(self, fn: Handler) -> Handler:
        """Run once when the runtime starts (e.g. to make sure periodic jobs exist)."""
        self.startup.append(fn)
        return fn

    @staticmethod
    def _into(table: dict[str, Handler], name: str) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            if name in table:
                raise ValueError(f"{name!r} registered twice")
            table[name] = fn
            return fn

        return register


class Registry:
    """Every included router, indexed for the dispatcher."""

    def __init__(self, routers: list[Router] = ()) -> None:
        self.routers: list[Router] = []
        self.commands: dict[str, Command] = {}
        self.latin: dict[str, Command] = {}
        self.listeners: list[Listener] = []
        self.actions: dict[str, Handler] = {}
        self.tasks: dict[str, Handler] = {}
        self.signals: dict[str, list[Handler]] = {}
        self.exporters: dict[str, Handler] = {}
        self.tables: dict[str, tuple[str, Handler]] = {}
        self.startup: list[Handler] = []
        self._longest = 0
        for router in routers:
            self.include(router)

    def include(self, router: Router) -> None:
        """Merge a router; a word claimed twice is a programming error caught at start."""
        self.routers.append(router)
        for cmd in router.commands:
            for word in (cmd.name, *cmd.aliases):
                table = self.latin if word.isascii() else self.commands
                key = word.lower() if word.isascii() else word
                if key in table:
                    raise ValueError(f"command word {word!r} registered twice")
                table[key] = cmd
                self._longest = max(self._longest, len(word))
        self.listeners = sorted([*self.listeners, *router.listeners])
        for name, fn in router.actions.items():
            self._unique(self.actions, name, fn)
        for name, fn in router.tasks.items():
            self._unique(self.tasks, name, fn)
        for name, fn in router.exporters.items():
            self._unique(self.exporters, name, fn)
        for name, entry in router.tables.items():
            self._unique(self.tables, name, entry)
        for name, fns in router.signals.items():
            self.signals.setdefault(name, []).extend(fns)
        self.startup.extend(router.startup)

    @staticmethod
    def _unique(table: dict[str, Handler], name: str, fn: Handler) -> None:
        if name in table:
            raise ValueError(f"{name!r} registered twice")
        table[name] = fn

    def match(self, body: str) -> tuple[Command, str] | None:
        """The command a Chinese command body starts with (longest word wins) and its arguments.

        Longest-first matters: "积分榜" must not be read as "积分" with the argument "榜".
        """
        for n in range(min(self._longest, len(body)), 0, -1):
            cmd = self.commands.get(body[:n])
            if cmd is not None:
                return cmd, body[n:].strip()
        return None

    def match_latin(self, word: str) -> Command | None:
        """The command behind a ``/word`` alias."""
        return self.latin.get(word.lower())

    def action(self, action: str) -> tuple[Handler, list[str]] | None:
        """The handler for an action string ``name:arg:arg`` and its arguments."""
        name, *args = action.split(":")
        fn = self.actions.get(name)
        return (fn, args) if fn is not None else None

    def unique_commands(self) -> list[Command]:
        """Each command once, in registration order."""
        seen: dict[int, Command] = {}
        for router in self.routers:
            for cmd in router.commands:
                seen.setdefault(id(cmd), cmd)
        return list(seen.values())
