"""Ollama backend: the production path, through the official ``ollama`` client.

``num_ctx`` is always sent: Ollama's default context (2048 tokens) would silently cut the
retrieved sources. Timeouts are bounded (connect and read separately), and the three failures a
user can fix get messages that say how: server not running, model not pulled (with the exact
``ollama pull`` command), and timeout.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import ollama

from rag.backends.base import STOP
from rag.errors import BackendError
from rag.settings import Settings

log = logging.getLogger(__name__)


class OllamaBackend:
    name = "ollama"

    def __init__(self, settings: Settings):
        self.host = settings.ollama_host
        self.model = settings.ollama_model
        self.num_ctx = settings.ollama_num_ctx
        self.timeout = settings.ollama_timeout
        self.repeat_penalty = settings.repeat_penalty
        self.last_prompt_tokens = 0
        self.client = ollama.Client(host=self.host, timeout=httpx.Timeout(settings.ollama_timeout,
                                                                          connect=settings.ollama_connect_timeout))

    def _error(self, exc: Exception) -> BackendError:
        if isinstance(exc, ollama.ResponseError) and exc.status_code == 404:
            return BackendError(f"Ollama model {self.model!r} is not pulled: run `ollama pull {self.model}`")
        if isinstance(exc, httpx.TimeoutException):
            return BackendError(f"Ollama at {self.host} did not answer within {self.timeout:.0f} s (RAG_OLLAMA_TIMEOUT)")
        if isinstance(exc, (ConnectionError, httpx.ConnectError, httpx.NetworkError)):
            return BackendError(f"Ollama is not running at {self.host}: start it with `ollama serve` "
                                "or set OLLAMA_HOST / RAG_OLLAMA_HOST")
        if isinstance(exc, ollama.ResponseError):
            return BackendError(f"Ollama error: {exc.error}")
        return BackendError(f"Ollama failed: {exc}")

    def models(self) -> list[str]:
        """Names of the models the server has; BackendError when it does not answer."""
        try:
            return [m.model for m in self.client.list().models if m.model]
        except Exception as exc:
            raise self._error(exc) from exc

    def has_model(self, names: list[str]) -> bool:
        wanted = self.model if ":" in self.model else self.model + ":latest"
        return self.model in names or wanted in names

    def stream_chat(self, messages: list[dict], max_tokens: int, temperature: float) -> Iterator[str]:
        options = {"num_ctx": self.num_ctx, "num_predict": max_tokens, "temperature": temperature,
                   "repeat_penalty": self.repeat_penalty, "stop": list(STOP)}
        try:
            for part in self.client.chat(model=self.model, messages=messages, stream=True, options=options):
                if part.message and part.message.content:
                    yield part.message.content
                if part.done:
                    self.last_prompt_tokens = part.prompt_eval_count or 0
        except BackendError:
            raise
        except Exception as exc:
            raise self._error(exc) from exc
