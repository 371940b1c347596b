"""The compatibility shim makes wechaty importable, in this process and in a fresh interpreter."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pyee
import pyee.asyncio
import pytest
import urllib3
from wechaty_puppet.schemas.puppet import PuppetOptions

from bot.adapters.wechat import compat

REPO_ROOT = Path(__file__).resolve().parents[2]
SUBPROCESS_TIMEOUT = 120  # a cold import of wechaty on a loaded machine can take seconds


def run_fresh_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new interpreter of this venv, with the repo importable and cwd ``cwd``."""
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "CACHE_DIR": str(cwd / "cache")}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )


def test_fresh_interpreter_imports_wechaty_through_the_shim(tmp_path: Path) -> None:
    result = run_fresh_python(
        """
        import importlib, sys
        from bot.adapters.wechat import compat
        assert "wechaty" not in sys.modules, "importing the shim must not import wechaty"
        wechaty = compat.import_wechaty()
        assert compat.import_wechaty() is wechaty
        importlib.reload(compat)  # importing the shim again is harmless
        from wechaty import Wechaty, WechatyOptions
        print(Wechaty.__name__, type(WechatyOptions().puppet_options).__name__)
        """,
        tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Wechaty", "PuppetOptions"]
    assert not (tmp_path / ".wechaty").exists()  # CACHE_DIR was honoured at import time


def test_fresh_interpreter_without_telnetlib_gets_a_working_stand_in(tmp_path: Path) -> None:
    # Python 3.13 has no telnetlib; blocking the import simulates it on older interpreters.
    result = run_fresh_python(
        """
        import socket, sys
        sys.modules["telnetlib"] = None
        from bot.adapters.wechat import compat
        compat.import_wechaty()
        from wechaty_puppet_service.utils import ping_endpoint
        with socket.create_server(("127.0.0.1", 0)) as listening:
            port = listening.getsockname()[1]
            print(ping_endpoint(f"127.0.0.1:{port}"))
        print(ping_endpoint(f"127.0.0.1:{port}"))
        print(type(sys.modules["telnetlib"].Telnet()).__module__)
        """,
        tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False", "bot.adapters.wechat.compat"]


def test_patches_are_idempotent() -> None:
    get_host = urllib3.get_host  # type: ignore[attr-defined]

    compat.apply_patches()
    importlib.reload(compat)

    assert urllib3.get_host is get_host  # type: ignore[attr-defined]
    emitter = pyee.AsyncIOEventEmitter  # type: ignore[attr-defined]
    assert emitter is pyee.asyncio.AsyncIOEventEmitter
    assert PuppetOptions.__hash__ is object.__hash__


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org:8443/path", ("https", "example.org", 8443)),
        ("example.org", ("http", "example.org", None)),
        ("http://127.0.0.1/", ("http", "127.0.0.1", None)),
    ],
)
def test_get_host_keeps_urllib3_1_semantics(
    url: str, expected: tuple[str, str, int | None]
) -> None:
    assert urllib3.get_host(url) == expected  # type: ignore[attr-defined]


def test_puppet_options_hash_by_identity() -> None:
    first, second = PuppetOptions(token="t"), PuppetOptions(token="t")

    assert first == second  # dataclass equality is kept
    assert len({first, second}) == 2  # identity hashing, as Python 3.10 implicitly had
