"""One real UI server per test session, shared by the UI test files (holds no tests itself).

``python -m app`` runs in a subprocess on a free port with a fresh data dir; on its empty index
it indexes ``seeds/`` itself (the same path ``make run`` takes), then loads the models and
binds. Test files import the ``ui_server`` fixture; the server is cached in the pytest config
stash, so however many modules use it, it starts once and stops at the end of the session.
Its log goes to ``artifacts/ui-server.log``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
STARTUP_TIMEOUT = float(os.environ.get("UI_TEST_STARTUP_TIMEOUT", "300"))  # seeds ingest + model load
_SERVERS = pytest.StashKey[dict]()  # variant name -> (url, data dir)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"UI server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(2)
    raise RuntimeError(f"UI server not up after {STARTUP_TIMEOUT:.0f} s:\n{log.read_text()[-3000:]}")


def start_server(config: pytest.Config, data_dir: Path, variant: str = "", env_extra: dict | None = None) -> str:
    """Start (once per session and ``variant``) ``python -m app`` on ``data_dir``; its URL."""
    servers = config.stash.setdefault(_SERVERS, {})
    if variant in servers:
        return servers[variant][0]
    ARTIFACTS.mkdir(exist_ok=True)
    port = free_port()
    env = {**os.environ, "RAG_DATA_DIR": str(data_dir), "RAG_UI_PORT": str(port), "RAG_UI_HOST": "127.0.0.1",
           "RAG_BACKEND": "llamacpp", "RAG_UI_AUTH": "", "PYTHONUNBUFFERED": "1", **(env_extra or {})}
    log = server_log(variant)
    handle = log.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "app"], cwd=ROOT, env=env, stdout=handle,
                            stderr=subprocess.STDOUT, preexec_fn=lambda: os.nice(10))

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        handle.close()

    config.add_cleanup(stop)
    url = f"http://127.0.0.1:{port}/"
    started = time.monotonic()
    _wait(url, proc, log)
    print(f"\nUI server up at {url} after {time.monotonic() - started:.0f} s", file=sys.stderr)
    servers[variant] = (url, data_dir)
    return url


def server_log(variant: str = "") -> Path:
    return ARTIFACTS / f"ui-server{'-' + variant if variant else ''}.log"


def data_dir_of(config: pytest.Config, variant: str = "") -> Path:
    return config.stash[_SERVERS][variant][1]


@pytest.fixture(scope="session")
def ui_server(request, tmp_path_factory) -> str:
    """URL of a running ``python -m app`` over the seeds (embedded llama.cpp backend)."""
    return start_server(request.config, tmp_path_factory.mktemp("ui-data"))


@contextmanager
def browser_page(browser, url: str, **context: object) -> Iterator:
    """A fresh page (own storage) on ``url`` (``context``: Playwright context options such as a
    phone ``viewport`` or clipboard ``permissions``); fails the test on any JavaScript error."""
    ctx = browser.new_context(**{"viewport": {"width": 1400, "height": 1000}, **context})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_selector("#library", timeout=60_000)
    page.wait_for_function("() => /\\d/.test(document.querySelector('#library')?.innerText || '')",
                           timeout=60_000)  # the first screen has loaded its article count
    yield page
    ctx.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
