"""Make wechaty 0.10.7 importable on Python 3.11+ without pinning its neighbours back.

Importing this module applies four small, idempotent patches; ``import_wechaty()`` applies them
and returns the ``wechaty`` module. Each patch only fills in what is missing, so on an interpreter
or dependency set that does not need it, it does nothing.

1. ``PuppetOptions`` hashable (wechaty issue #422, open). ``wechaty.WechatyOptions`` declares
   ``puppet_options: PuppetOptions = PuppetOptions()``. ``PuppetOptions`` is a dataclass with
   ``eq=True``, which sets ``__hash__ = None``; since Python 3.11 dataclasses reject every
   unhashable default, so ``import wechaty`` raises ``ValueError: mutable default``. Restoring
   identity hashing (``object.__hash__``) is exactly what Python 3.10 did implicitly. The default
   object is still shared by every ``WechatyOptions()``: always pass ``puppet_options`` explicitly.
2. ``urllib3.get_host``. ``wechaty.user.url_link`` imports it; urllib3 2.x removed it. It is
   rebuilt from ``urllib3.util.parse_url`` with urllib3 1.x semantics: ``(scheme or "http",
   host, port)``. This keeps urllib3 2.x (which ``requests`` and our other clients want).
3. ``pyee.AsyncIOEventEmitter``. wechaty imports it from the package root; newer pyee releases
   only export it from ``pyee.asyncio``. It is the same class, aliased under the old name.
4. ``telnetlib`` (only on Python 3.13+, where PEP 594 removed it). wechaty uses
   ``Telnet().open(host, port, timeout)`` purely as a TCP reachability probe (endpoint "ping",
   local port check). If the module is absent and the ``standard-telnetlib`` backport is not
   installed, a minimal stand-in offering just that is registered as ``telnetlib``.

Known behaviour this module deliberately does not change: importing ``wechaty`` creates
``$CACHE_DIR`` (default ``./.wechaty``) at import time, so set ``CACHE_DIR`` before importing it.
"""

from __future__ import annotations

import importlib
import importlib.util
import socket
import sys
import types
from typing import Any

__all__ = ["apply_patches", "import_wechaty"]

_TELNET_DEFAULT_PORT = 23


def apply_patches() -> None:
    """Apply every compatibility patch that this interpreter and dependency set still needs."""
    # Order matters: wechaty_puppet itself imports pyee, so alias pyee before touching it.
    _alias_pyee_asyncio_emitter()
    _restore_urllib3_get_host()
    _ensure_telnetlib()
    _make_puppet_options_hashable()


def import_wechaty() -> types.ModuleType:
    """Apply the patches, then import and return the ``wechaty`` package."""
    apply_patches()
    return importlib.import_module("wechaty")


def _alias_pyee_asyncio_emitter() -> None:
    """Expose ``pyee.AsyncIOEventEmitter`` where wechaty looks for it."""
    import pyee

    if not hasattr(pyee, "AsyncIOEventEmitter"):
        from pyee.asyncio import AsyncIOEventEmitter

        pyee.AsyncIOEventEmitter = AsyncIOEventEmitter  # type: ignore[attr-defined]


def _restore_urllib3_get_host() -> None:
    """Provide urllib3 1.x's ``get_host`` on urllib3 2.x."""
    import urllib3

    if not hasattr(urllib3, "get_host"):
        urllib3.get_host = _get_host  # type: ignore[attr-defined]


def _get_host(url: str) -> tuple[str, str | None, int | None]:
    """Split a URL into ``(scheme, host, port)`` the way urllib3 1.x ``get_host`` did."""
    from urllib3.util import parse_url

    parsed = parse_url(url)
    return parsed.scheme or "http", parsed.hostname, parsed.port


def _make_puppet_options_hashable() -> None:
    """Give ``PuppetOptions`` identity hashing so it is accepted as a dataclass default."""
    from wechaty_puppet.schemas.puppet import PuppetOptions

    if PuppetOptions.__hash__ is None:
        PuppetOptions.__hash__ = object.__hash__  # type: ignore[assignment]


def _ensure_telnetlib() -> None:
    """Register a minimal ``telnetlib`` when the interpreter has none (Python 3.13+)."""
    if sys.modules.get("telnetlib") is not None:
        return
    # A ``None`` entry in sys.modules means "import blocked": treat it like a missing module.
    blocked = "telnetlib" in sys.modules
    if not blocked and importlib.util.find_spec("telnetlib") is not None:
        return
    sys.modules["telnetlib"] = _telnetlib_stand_in()


def _telnetlib_stand_in() -> types.ModuleType:
    """Build a ``telnetlib`` module whose ``Telnet`` can only open and close a TCP connection."""
    module = types.ModuleType(
        "telnetlib", "Stand-in for the removed telnetlib: TCP connect only (see compat.py)."
    )
    module.Telnet = _Telnet  # type: ignore[attr-defined]
    module.TELNET_PORT = _TELNET_DEFAULT_PORT  # type: ignore[attr-defined]
    return module


class _Telnet:
    """The subset of ``telnetlib.Telnet`` wechaty uses: connect, close, context manager."""

    def __init__(
        self, host: str | None = None, port: int = 0, timeout: float | None = None
    ) -> None:
        self.sock: socket.socket | None = None
        if host is not None:
            self.open(host, port, timeout)

    def open(self, host: str, port: int = 0, timeout: float | None = None) -> None:
        """Connect to ``host:port``; raises ``OSError`` when nothing is listening."""
        self.close()
        self.sock = socket.create_connection((host, port or _TELNET_DEFAULT_PORT), timeout)

    def close(self) -> None:
        """Close the connection if one is open."""
        sock, self.sock = self.sock, None
        if sock is not None:
            sock.close()

    def __enter__(self) -> _Telnet:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __del__(self) -> None:
        # Like the stdlib class: wechaty never closes its probe, so close it on collection.
        self.close()


apply_patches()
