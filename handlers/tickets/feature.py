"""报事: residents' reports become numbered tickets that leaders accept, assign and resolve, and residents rate.

The router lives here; the modules imported at the bottom register their commands on it.
"""
from __future__ import annotations

from bot.router import Router

from handlers.tickets.config import TicketsConfig

router = Router("报事", config_key="tickets", config_model=TicketsConfig)

# Import order is the order #帮助 lists the commands in: reporting first, as residents start there.
from handlers.tickets import reporting, supports, lifecycle, listing, overdue, exports  # noqa: E402,F401,I001
