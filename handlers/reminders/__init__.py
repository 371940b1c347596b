"""Reminders: #提醒 in everyday Chinese, sent on time and once, with holidays, quiet hours and check-ins.

The modules register on one router: ``create`` (#提醒), ``manage`` (list, cancel, pause,
resume), ``firing`` (the scheduled task), ``checkin`` (签到 replies), ``export`` and
``startup``.
"""
from __future__ import annotations

from . import checkin, create, export, firing, manage, startup  # noqa: F401  (they register handlers)
from .feature import RemindersConfig, router

__all__ = ["RemindersConfig", "router"]
