"""A local news site for the link and feed tests: saved news pages (tests/fixtures/pages), an
RSS feed of them, and the failures a real site has (404, a redirect loop, a page too big, a
script-only page, an image). It listens on 127.0.0.1 only; nothing reaches the internet.
``hits`` counts requests per path, so a test can see what was fetched again."""

from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
SCRIPT_ONLY = b"<html><head><title>App</title></head><body><div id='root'></div><script>render()</script></body></html>"


def rss(base: str, names: list[str]) -> bytes:
    items = "".join(f"<item><title>{n}</title><link>{base}/news/{n}</link></item>" for n in names)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Local news</title>'
            f"<link>{base}/</link>{items}</channel></rss>").encode()


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # a client that stopped reading (too big)
        pass


class NewsSite:
    def __init__(self) -> None:
        self.feed_items = ["ahram_nato_energy.html", "youm_cbe_rates.html"]
        self.hits: Counter[str] = Counter()
        self.server = QuietServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def route(self, path: str) -> tuple[int, str, bytes, dict]:
        if path.startswith("/news/") and (PAGES / path[6:]).is_file():
            return 200, "text/html; charset=utf-8", (PAGES / path[6:]).read_bytes(), {}
        if path == "/feed.xml":
            return 200, "application/rss+xml", rss(self.base, self.feed_items), {}
        if path == "/loop":
            return 302, "text/plain", b"", {"Location": "/loop"}
        if path == "/moved":
            return 301, "text/plain", b"", {"Location": "/news/youm_cbe_rates.html"}
        if path == "/big.html":
            return 200, "text/html", b"<html><body>" + b"<p>news</p>" * 200_000 + b"</body></html>", {}
        if path == "/app.html":
            return 200, "text/html", SCRIPT_ONLY, {}
        if path == "/photo.png":
            return 200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, {}
        return 404, "text/plain", b"not found", {}

    def _handler(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                site.hits[self.path] += 1
                status, kind, body, headers = site.route(self.path)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler
