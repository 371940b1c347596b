"""Shared fixtures for the platform tests: hermetic env, free ports, fresh wechaty state."""

from __future__ import annotations

import errno
import ipaddress
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.wechat.compat import import_wechaty

# Proxy variables httpx honours even for 127.0.0.1, and the variables wechaty-puppet-service
# reads its token and endpoint from (they would silently override nothing, but log warnings).
_ENV_TO_CLEAR = (
    "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY",
    "http_proxy", "https_proxy", "all_proxy", "no_proxy",
    "WECHATY_PUPPET_SERVICE_TOKEN", "WECHATY_PUPPET_SERVICE_ENDPOINT",
    "TOKEN", "token", "ENDPOINT", "endpoint", "WECHATY_LOG_FILE",
)


def pytest_configure(config: pytest.Config) -> None:
    """Point wechaty's cache at a temp dir before any test module imports wechaty.

    wechaty evaluates ``CACHE_DIR`` (default ``./.wechaty``) at import time: it creates the
    directory and fixes the default scheduler's SQLite path there. Per-test fixtures then move
    it again for everything read at run time.
    """
    if "CACHE_DIR" in os.environ:
        return
    cache_dir = tempfile.mkdtemp(prefix="cocreate-wechaty-")
    os.environ["CACHE_DIR"] = cache_dir

    def cleanup() -> None:
        os.environ.pop("CACHE_DIR", None)
        shutil.rmtree(cache_dir, ignore_errors=True)

    config.add_cleanup(cleanup)


@pytest.fixture(autouse=True)
def hermetic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxies and no wechaty service settings from the developer's shell."""
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail fast, instead of hanging on a timeout, if anything tries to leave 127.0.0.1."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(sock: socket.socket, address: Any) -> None:
        _require_loopback(sock, address)
        return real_connect(sock, address)

    def connect_ex(sock: socket.socket, address: Any) -> int:
        _require_loopback(sock, address)
        return real_connect_ex(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _is_loopback(host):
            raise socket.gaierror(socket.EAI_NONAME, f"test guard: {host!r} is not loopback")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _require_loopback(sock: socket.socket, address: Any) -> None:
    """Refuse an IP connection to anything but loopback (Unix sockets are fine)."""
    if sock.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
        raise OSError(errno.ENETUNREACH, f"test guard: {address!r} is not loopback")


def _is_loopback(host: str | bytes) -> bool:
    """``localhost`` or a loopback IP literal."""
    name = host.decode() if isinstance(host, bytes) else host
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for servers we cannot bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def wechaty_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Fresh per-process wechaty state: a temp cache dir, empty object pools, no seen message ids.

    wechaty keeps ``Contact``/``Room``/``Tag`` objects in class-level pools shared by every bot
    (each bound to the puppet that created it) and drops message ids it has seen before.
    """
    cache_dir = tmp_path / "wechaty-cache"
    monkeypatch.setenv("CACHE_DIR", str(cache_dir))
    _reset_wechaty_pools()
    yield cache_dir
    _reset_wechaty_pools()


def _reset_wechaty_pools() -> None:
    """Empty wechaty's class-level object pools and its seen-message-id cache."""
    wechaty = import_wechaty()
    from wechaty.utils.async_helper import SingleIdContainer

    for cls in (wechaty.Contact, wechaty.Room, wechaty.Tag):
        cls._pool.clear()
    SingleIdContainer._instance = None
