"""Start ``python -m app`` on a free loopback port for the scripts that drive a running UI
(soak.py, screenshots.py): the app indexes seeds/ into an empty ``data_dir`` itself, then
loads its models, so startup can take minutes on a fresh folder; its log goes to ``log``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(data_dir: Path, log: Path, env_extra: dict | None = None,
              timeout_s: float = 600, root: Path = ROOT) -> tuple[subprocess.Popen, str]:
    """(the app's process, its URL) once it answers HTTP; SystemExit if it dies or stays down.
    ``root``: the checkout whose app runs (another commit's worktree, to time a before/after)."""
    port = free_port()
    env = {**os.environ, "RAG_DATA_DIR": str(data_dir), "RAG_UI_PORT": str(port), "RAG_UI_HOST": "127.0.0.1",
           "PYTHONUNBUFFERED": "1", **(env_extra or {})}
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = log.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "app"], cwd=root, env=env, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the app exited with {proc.returncode}: see {log}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(2)
    proc.kill()
    raise SystemExit(f"the app did not come up within {timeout_s:.0f} s: see {log}")
