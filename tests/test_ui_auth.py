"""The optional login (RAG_UI_AUTH) guards the page and the /ask API; listening beyond loopback
without it prints a warning."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
import pytest

from tests.test_ui_harness import ROOT, free_port

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def guarded_app(tmp_path_factory):
    """``python -m app`` with a login, on all interfaces, no seeds and no model warm-up."""
    port = free_port()
    data = tmp_path_factory.mktemp("auth-data")
    env = {**os.environ, "RAG_DATA_DIR": str(data), "RAG_UI_PORT": str(port), "RAG_UI_HOST": "0.0.0.0",
           "RAG_UI_AUTH": "reader:s3cret", "RAG_BACKEND": "llamacpp", "PYTHONUNBUFFERED": "1"}
    log = data / "app.log"
    with log.open("w") as handle:
        proc = subprocess.Popen([sys.executable, "-m", "app", "--no-seed", "--no-warmup"], cwd=ROOT, env=env,
                                stdout=handle, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                httpx.get(url, timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(1)
        yield url, log
        proc.terminate()
        proc.wait(timeout=30)


def test_page_and_api_need_the_login(guarded_app):
    url, log = guarded_app
    from gradio_client import Client

    assert httpx.get(url + "config", timeout=10).status_code == 401  # the app's definition is not served
    anonymous = httpx.post(url + "gradio_api/call/ask", json={"data": ["Who met the minister?", "auto"]}, timeout=10)
    assert anonymous.status_code == 401
    with pytest.raises(Exception):  # noqa: B017 - gradio_client raises a plain ValueError/HTTPError here
        Client(url, verbose=False)
    client = Client(url, auth=("reader", "s3cret"), verbose=False)
    with pytest.raises(Exception, match="type a question"):  # through the login, the endpoint answers
        client.predict("   ", "auto", api_name="/ask")
    assert "warning: the UI listens" not in log.read_text()  # a login is set: no warning


def test_listening_beyond_loopback_without_login_warns(monkeypatch, capsys, tmp_path):
    import app.server as ui

    class Demo:
        def queue(self, **kwargs):
            return self

        def launch(self, **kwargs):
            self.options = kwargs

    monkeypatch.setenv("RAG_UI_HOST", "0.0.0.0")
    monkeypatch.setenv("RAG_UI_AUTH", "")
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path))
    monkeypatch.setattr(ui.RAG, "from_settings", classmethod(lambda cls, settings: object()))
    monkeypatch.setattr(ui, "prepare", lambda rag, seed, warm: None)
    monkeypatch.setattr(ui, "build_ui", lambda rag, settings, secret: Demo())
    assert ui.main([]) == 0
    assert "warning: the UI listens on 0.0.0.0" in capsys.readouterr().err
    monkeypatch.setenv("RAG_UI_HOST", "127.0.0.1")
    assert ui.main([]) == 0
    assert "warning" not in capsys.readouterr().err
