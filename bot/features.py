"""The feature modules a runtime includes, each exposing a ``router``."""
from __future__ import annotations

import importlib

from bot.router import Registry

FEATURES: tuple[str, ...] = (
    "handlers.help",
    "handlers.roster",
    "handlers.tickets.feature",
    "handlers.reminders",
    "handlers.polls",
    "handlers.points",
)


def build_registry(modules: tuple[str, ...] = FEATURES) -> Registry:
    """Import each feature module and include its router."""
    return Registry([importlib.import_module(name).router for name in modules])
