"""Test support: a loopback LLM server that misbehaves on purpose, speaking just enough of
Ollama's API and of the OpenAI API for the real clients (the official ``ollama`` client and
llama-index's ``OpenAILike``) to meet each fault on a real socket.

Ollama: ``GET /api/version``, ``GET /api/tags``, ``POST /api/show``, ``POST /api/chat`` (NDJSON
lines, the last one ``"done": true``). OpenAI: ``GET /v1/models``, ``POST /v1/chat/completions``
with ``stream=true`` (SSE ``data: {...}`` events, a ``finish_reason`` on the last chunk, then
``data: [DONE]``). One ``mode`` per server, for every chat request:

- ``ok``: the reply (by default source [1]'s first text line split in two cited sentences), finished;
- ``missing_model``: Ollama's 404 ``{"error": "model ... not found"}``, or the OpenAI error body
  with ``status`` (404 or 400);
- ``hang_before_headers``: reads the request and never answers (any request, listings too);
- ``trickle``: sends the headers, then one token every ``interval`` seconds, forever;
- ``drop_mid_stream``: a few tokens, then closes the socket without the final message
  (``chunked=True``, as real servers stream, leaves the chunked body incomplete; ``chunked=False``
  ends a close-delimited body, which the client cannot tell from a normal end).

A server that is not running is ``closed_port_url()``; one that never accepts the connection
(the connect timeout's case) is ``unaccepted_url()``.

The trade-off: a tiny threaded stdlib server instead of a mocked transport, because what is under
test is the clients' timeouts and socket handling, so the faults must happen on a real socket.
"Forever" is capped at ``cap_s`` (then the server finishes normally), so a test whose protection
is switched off fails on its time bound instead of hanging the run. The server watches the
socket while it hangs or trickles and sets ``disconnected`` when the client goes away, so tests
can assert that a cut-off client really closed the connection, without sleeping.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import logging
import re
import select
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import ThreadingHTTPServer
from typing import Literal

from tests.net import JSONHandler, free_port

log = logging.getLogger(__name__)

Mode = Literal["ok", "missing_model", "hang_before_headers", "trickle", "drop_mid_stream"]


def quote_source(messages: list[dict]) -> str:
    """Source [1]'s first text line of the real user prompt as two cited sentences (a greeting
    when the prompt has no sources)."""
    for message in reversed(messages):
        lines = str(message.get("content", "")).splitlines()
        starts = [n for n, line in enumerate(lines) if line.startswith("[1] ") and n + 1 < len(lines)]
        if message.get("role") == "user" and starts:
            words = lines[starts[0] + 1].split()
            half = max(1, len(words) // 2)
            return f"{' '.join(words[:half])} [1]. {' '.join(words[half:]) or words[0]} [1]."
    return "Hello from the faulty server [1]."


def closed_port_url() -> str:
    """The URL of a loopback port nothing listens on (connection refused)."""
    return f"http://127.0.0.1:{free_port()}"


@contextlib.contextmanager
def unaccepted_url() -> Iterator[str]:
    """A loopback port whose accept queue is full: the kernel drops further SYNs, so a client's
    connect hangs until its connect timeout (a listener with backlog 0 holding one connection)."""
    with socket.socket() as listener, socket.socket() as filler:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        filler.connect(listener.getsockname())
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


class FaultyLLMServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, mode: Mode = "ok", *, models: tuple[str, ...] = ("tiny:latest", "tiny"),
                 reply: Callable[[list[dict]], str] = quote_source, interval: float = 0.2,
                 drop_after: int | None = None, chunked: bool = True, status: int = 404, cap_s: float = 15.0):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.mode, self.models, self.reply, self.interval = mode, models, reply, interval
        self.drop_after, self.chunked, self.status, self.cap_s = drop_after, chunked, status, cap_s
        self.requests: list[tuple[str, dict]] = []
        self.chats = 0  # chat requests received
        self.tokens_sent = 0
        self.disconnected = threading.Event()  # the client went away before the server finished
        self.stopping = threading.Event()

    @property
    def url(self) -> str:
        """The Ollama host URL."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def openai_url(self) -> str:
        """The OpenAI-compatible base URL."""
        return self.url + "/v1"

    def start(self) -> FaultyLLMServer:
        threading.Thread(target=self.serve_forever, daemon=True, name="faulty-llm-server").start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()

    def handle_error(self, request, client_address) -> None:  # a client that went away: expected here
        log.debug("faulty server: connection from %s ended with an error", client_address, exc_info=True)

    def __enter__(self) -> FaultyLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Handler(JSONHandler):
    server: FaultyLLMServer
    protocol_version = "HTTP/1.1"
    timeout = 10  # an idle keep-alive connection's thread ends after this

    def _client_gone(self, seconds: float) -> bool:
        """Wait up to ``seconds``; True as soon as the client closed its end (or the server stops)."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if self.server.stopping.is_set():
                return True
            readable, _, _ = select.select([self.connection], [], [], min(left, 0.05))
            if readable:
                try:
                    peeked = self.connection.recv(1, socket.MSG_PEEK)
                except OSError:
                    peeked = b""
                if not peeked:
                    self.server.disconnected.set()
                    return True
                time.sleep(min(left, 0.05))  # unexpected bytes: not a close
        return False

    def _send(self, data: bytes) -> bool:
        """One piece of the streamed body; False when the client is gone."""
        try:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if self.server.chunked else data)
            self.wfile.flush()
            return True
        except OSError:  # BrokenPipeError, ConnectionResetError
            self.server.disconnected.set()
            return False

    # --- endpoints ---------------------------------------------------------------------------
    def _hang(self) -> None:
        self._client_gone(self.server.cap_s)
        self.close_connection = True

    def do_GET(self) -> None:
        if self.server.mode == "hang_before_headers":  # a wedged server answers nothing at all
            return self._hang()
        models = self.server.models
        if self.path == "/api/version":
            return self._json(200, {"version": "0.0.0-faulty"})
        if self.path == "/api/tags":
            return self._json(200, {"models": [{"name": m, "model": m, "size": 1, "digest": "0" * 64,
                                                "details": {"format": "gguf", "family": "qwen2"}} for m in models]})
        if self.path == "/v1/models":
            return self._json(200, {"object": "list", "data": [{"id": m, "object": "model", "owned_by": "test"}
                                                               for m in models]})
        return self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        body = self._body()
        self.server.requests.append((self.path, body))
        model = str(body.get("model") or body.get("name") or "")
        if self.path == "/api/show":
            if model not in self.server.models or self.server.mode == "missing_model":
                return self._json(404, {"error": f"model '{model}' not found"})
            return self._json(200, {"modelfile": "", "parameters": "", "template": "", "model_info": {},
                                    "details": {"format": "gguf", "family": "qwen2"}})
        if self.path == "/api/chat":
            return self._chat(body, model, ollama=True)
        if self.path == "/v1/chat/completions":
            return self._chat(body, model, ollama=False)
        return self._json(404, {"error": "not found"})

    def _chat(self, body: dict, model: str, ollama: bool) -> None:
        server, mode = self.server, self.server.mode
        server.chats += 1
        if mode == "missing_model":
            if ollama:
                return self._json(404, {"error": f'model "{model}" not found, try pulling it first'})
            return self._json(server.status, {"error": {"message": f"The model `{model}` does not exist.",
                                                        "type": "invalid_request_error", "param": "model",
                                                        "code": "model_not_found"}})
        if mode == "hang_before_headers":
            return self._hang()
        tokens = re.findall(r"\S+\s*", server.reply(body.get("messages") or [])) or ["…"]
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson" if ollama else "text/event-stream")
        if server.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if mode == "drop_mid_stream":
            cut = server.drop_after or next((i + 3 for i, t in enumerate(tokens) if "[1]" in t), 2)
            for token in tokens[:cut]:
                if not self._send(self._event(token, model, ollama)):
                    return
                server.tokens_sent += 1
            self.close_connection = True  # no final message, no terminating chunk: the socket just closes
            return
        started = time.monotonic()
        stream = itertools.cycle(tokens) if mode == "trickle" else iter(tokens)
        for token in stream:
            if not self._send(self._event(token, model, ollama)):
                return
            server.tokens_sent += 1
            if mode == "trickle" and (time.monotonic() - started > server.cap_s or self._client_gone(server.interval)):
                break
        if server.disconnected.is_set() or server.stopping.is_set():
            self.close_connection = True
            return
        for event in self._final(model, ollama):
            if not self._send(event):
                return
        if server.chunked:
            self.wfile.write(b"0\r\n\r\n")

    @staticmethod
    def _event(token: str, model: str, ollama: bool) -> bytes:
        if ollama:
            return json.dumps({"model": model, "created_at": "2025-01-01T00:00:00Z",
                               "message": {"role": "assistant", "content": token}, "done": False}).encode() + b"\n"
        chunk = {"id": "chatcmpl-faulty", "object": "chat.completion.chunk", "created": 0, "model": model,
                 "choices": [{"index": 0, "delta": {"role": "assistant", "content": token}, "finish_reason": None}]}
        return b"data: " + json.dumps(chunk).encode() + b"\n\n"

    @staticmethod
    def _final(model: str, ollama: bool) -> list[bytes]:
        if ollama:
            return [json.dumps({"model": model, "created_at": "2025-01-01T00:00:00Z",
                                "message": {"role": "assistant", "content": ""}, "done": True, "done_reason": "stop",
                                "prompt_eval_count": 12, "eval_count": 3}).encode() + b"\n"]
        chunk = {"id": "chatcmpl-faulty", "object": "chat.completion.chunk", "created": 0, "model": model,
                 "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        return [b"data: " + json.dumps(chunk).encode() + b"\n\n", b"data: [DONE]\n\n"]
