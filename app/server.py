"""Starting the web UI: ``python -m app`` builds the one ``RAG`` object, indexes the seeds into
an empty index, loads the models before the first reader arrives, and serves the Blocks app
from :mod:`app.ui`. Launch options live here (login, CSS/JS, the 404 for unknown API names),
with the warning for a UI reachable from other machines without a login.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import os
import secrets
import sys
from importlib import resources
from pathlib import Path

from gradio.route_utils import FnIndexInferError
from pydantic import ValidationError

from app.ui import build_ui
from rag import RAG, RagError, Settings
from rag.backends.llamacpp import LlamaCppBackend

log = logging.getLogger(__name__)

ASSETS = resources.files("app")  # package data: the CSS and JS ship in the wheel
SEEDS = Path(__file__).resolve().parent.parent / "seeds"  # a checkout's seeds (absent from a wheel)


def exposure_warning(settings: Settings) -> str:
    """A warning when the UI listens beyond this machine without a login ("" otherwise).

    >>> exposure_warning(Settings(ui_host="0.0.0.0"))[:40]
    'the UI listens on 0.0.0.0, reachable fro'
    >>> exposure_warning(Settings(ui_host="127.0.0.1")), exposure_warning(Settings(ui_host="0.0.0.0", ui_auth="a:b"))
    ('', '')
    """
    host = settings.ui_host.strip("[]")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback or settings.ui_auth:
        return ""
    return (f"the UI listens on {settings.ui_host}, reachable from other machines, without a login: anyone "
            "who can reach it can read the articles and upload files; set RAG_UI_AUTH=user:password")


def launch_options(settings: Settings) -> dict:
    auth = tuple(settings.ui_auth.split(":", 1)) if settings.ui_auth else None
    return {"server_name": settings.ui_host, "server_port": settings.ui_port, "auth": auth,
            "css": ASSETS.joinpath("assets.css").read_text(encoding="utf-8"),
            "js": ASSETS.joinpath("assets.js").read_text(encoding="utf-8"),
            "footer_links": ["api"], "app_kwargs": {"exception_handlers": {FnIndexInferError: unknown_endpoint}}}


async def unknown_endpoint(request, exc: Exception):
    """A call to an API name the app does not have is the caller's error (404), not a 500."""
    from fastapi.responses import JSONResponse

    return JSONResponse({"error": f"no such endpoint: {request.url.path}; the API is /ask"}, status_code=404)


def browser_secret(settings: Settings) -> str:
    """The key the browser-stored conversations are encrypted with, kept in the data folder so
    they survive a server restart (a new key would make every saved conversation unreadable)."""
    path = settings.data_dir / "ui-browser-secret"
    try:
        if path.is_file() and len(path.read_text().strip()) >= 32:
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        return path.read_text().strip()
    except OSError as exc:  # a read-only data folder: conversations then last until a restart
        log.warning("cannot keep the browser-state key in %s (%s): saved conversations will not survive a "
                    "restart", path, exc)
        return secrets.token_hex(32)


def prepare(rag: RAG, seed: bool = True, warm: bool = True) -> None:
    """Index seeds/ into an empty index (so a fresh checkout has something to ask about) and
    load the models now rather than in the first user's answer."""
    if seed and rag.stats()["articles"] == 0 and SEEDS.is_dir():
        log.info("the index is empty: indexing %s", SEEDS)
        print(f"indexing {SEEDS} …", flush=True)
        print(rag.ingest([SEEDS], prune=False).summary(), flush=True)
    if warm:
        try:
            rag.embed_query("warm up")
            backend = rag.backends.get()
            if isinstance(backend, LlamaCppBackend):
                backend.llm  # noqa: B018 - loads the GGUF
        except RagError as exc:  # the status line will say it again
            log.warning("model warm-up: %s", exc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description="Web UI for bilingual news QA.")
    parser.add_argument("--no-seed", action="store_true", help="do not index seeds/ when the index is empty")
    parser.add_argument("--no-warmup", action="store_true", help="load models on the first question")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings()
        rag = RAG.from_settings(settings)
        prepare(rag, seed=not args.no_seed, warm=not args.no_warmup)
    except ValidationError as exc:
        print(f"error: invalid setting: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}", file=sys.stderr)
        return 2
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if warning := exposure_warning(settings):
        log.warning(warning)
        print(f"warning: {warning}", file=sys.stderr, flush=True)
    demo = build_ui(rag, settings, browser_secret(settings))
    demo.queue(default_concurrency_limit=settings.ui_concurrency)
    demo.launch(**launch_options(settings))
    return 0
