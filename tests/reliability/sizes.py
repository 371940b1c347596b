"""Short sizes for ``make test``, long ones for ``make soak`` (``COCREATE_SOAK=1``)."""
from __future__ import annotations

import os

SOAK = os.environ.get("COCREATE_SOAK") == "1"


def size(short: int, soak: int) -> int:
    return soak if SOAK else short
