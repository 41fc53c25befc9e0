"""Test support: a loopback server speaking Ollama's HTTP API, generating with the real
embedded GGUF model through llama-cpp-python.

Implements what the official ``ollama`` client uses here: ``GET /api/version``,
``GET /api/tags``, ``POST /api/show``, and ``POST /api/chat`` with NDJSON streaming (and the
non-streaming form); an unknown model gets Ollama's 404 ``{"error": ...}``. Every chat request
is recorded so tests can assert on what the client sent (``options.num_ctx``).
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer

from tests.net import JSONHandler


def _now() -> str:
    return datetime.now(UTC).isoformat()


class OllamaStub(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, llm, models: list[str], delay: float = 0.0):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.llm, self.models, self.delay = llm, models, delay
        self.requests: list[dict] = []
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> OllamaStub:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


class _Handler(JSONHandler):
    server: OllamaStub

    def do_GET(self) -> None:
        if self.path == "/api/version":
            return self._json(200, {"version": "0.0.0-test"})
        if self.path == "/api/tags":
            return self._json(200, {"models": [
                {"name": m, "model": m, "modified_at": _now(), "size": 1117320768, "digest": "0" * 64,
                 "details": {"format": "gguf", "family": "qwen2", "parameter_size": "1.5B",
                             "quantization_level": "Q4_K_M"}} for m in self.server.models]})
        return self._json(404, {"error": "not found"})

    def do_HEAD(self) -> None:
        self.send_response(200)
        self.end_headers()

    def do_POST(self) -> None:
        body = self._body()
        name = body.get("model") or body.get("name", "")
        if self.path == "/api/show":
            if name not in self.server.models:
                return self._json(404, {"error": f"model '{name}' not found"})
            return self._json(200, {"modelfile": "", "parameters": "", "template": "",
                                    "details": {"format": "gguf", "family": "qwen2"}, "model_info": {}})
        if self.path != "/api/chat":
            return self._json(404, {"error": "not found"})
        self.server.requests.append(body)
        if name not in self.server.models:
            return self._json(404, {"error": f'model "{name}" not found, try pulling it first'})
        time.sleep(self.server.delay)
        options = body.get("options") or {}
        with self.server.lock:
            stream = self.server.llm.create_chat_completion(
                body["messages"], stream=True, max_tokens=options.get("num_predict", 128),
                temperature=options.get("temperature", 0.1))
            if body.get("stream", True):
                self.send_response(200)
                self.send_header("Content-Type", "application/x-ndjson")
                self.end_headers()
                for chunk in stream:
                    delta = chunk["choices"][0]["delta"].get("content")
                    if delta:
                        self._line({"model": name, "created_at": _now(),
                                    "message": {"role": "assistant", "content": delta}, "done": False})
                self._line({"model": name, "created_at": _now(), "message": {"role": "assistant", "content": ""},
                            "done": True, "done_reason": "stop", "prompt_eval_count": 1, "eval_count": 1})
                return
            text = "".join(c["choices"][0]["delta"].get("content") or "" for c in stream)
        self._json(200, {"model": name, "created_at": _now(), "message": {"role": "assistant", "content": text},
                         "done": True, "done_reason": "stop"})

    def _line(self, obj: dict) -> None:
        self.wfile.write((json.dumps(obj) + "\n").encode())
        self.wfile.flush()
