"""Test support: a free loopback port (for servers the tests start, or to show one not running),
and the JSON request plumbing of the fake HTTP servers."""

from __future__ import annotations

import json
import socket
from http.server import BaseHTTPRequestHandler


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class JSONHandler(BaseHTTPRequestHandler):
    """Request plumbing shared by the fake servers: quiet logs, JSON in and out."""

    def log_message(self, *args) -> None:  # quiet
        pass

    def _json(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")
