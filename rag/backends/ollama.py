"""Ollama backend: the production path, through the official ``ollama`` client.

``num_ctx`` is always sent: Ollama's default context (2048 tokens) would silently cut the
retrieved sources. Timeouts are bounded (connect and read separately, the read timeout capped at
``RAG_LLM_DEADLINE_S``, and the whole reply bounded by that deadline), and every failure a user
meets gets a message that names the server and says what to do: server not running or not
reachable, model not pulled (with the exact ``ollama pull`` command), no answer in time, a reply
that never ends, and a connection dropped mid-answer. A reply counts as whole only when the
server's last NDJSON line says ``"done": true``: the trade-off is that a server which streams
fine but never sends that line (none known) would have every answer rejected, which is better
than passing a half answer as a whole one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import closing

import httpx
import ollama

from rag.backends.base import STOP, bounded, dropped
from rag.errors import BackendError
from rag.settings import Settings
from rag.text.token_count import approx_tokens

log = logging.getLogger(__name__)

PROBE_READ_S = 5.0  # the model list is metadata: a server that takes longer to list it is not usable now


class OllamaBackend:
    name = "ollama"

    def __init__(self, settings: Settings):
        self.host = settings.ollama_host
        self.model = settings.ollama_model
        self.num_ctx = settings.ollama_num_ctx
        self.timeout = min(settings.ollama_timeout, settings.llm_deadline_s)
        self.timeout_env = "RAG_OLLAMA_TIMEOUT" if settings.ollama_timeout <= settings.llm_deadline_s \
            else "RAG_LLM_DEADLINE_S"
        self.connect_timeout = settings.ollama_connect_timeout
        self.deadline_s = settings.llm_deadline_s
        self.repeat_penalty = settings.repeat_penalty
        self.last_prompt_tokens = 0
        self.client = ollama.Client(host=self.host, timeout=httpx.Timeout(self.timeout, connect=self.connect_timeout))
        self.probe_timeout = min(self.timeout, PROBE_READ_S)
        self.probe_client = ollama.Client(host=self.host, timeout=httpx.Timeout(self.probe_timeout,
                                                                                connect=self.connect_timeout))

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)  # the server's tokenizer is not at hand

    def _error(self, exc: Exception, received: bool = False) -> BackendError:
        """The user's message for a client error; ``received``: part of the reply had arrived."""
        if isinstance(exc, ollama.ResponseError) and exc.status_code == 404:
            if "model" in str(exc.error).lower():
                return BackendError(f"Ollama model {self.model!r} is not pulled on {self.host}: run "
                                    f"`ollama pull {self.model}` (or set RAG_OLLAMA_MODEL to one `ollama list` shows)")
            return BackendError(f"{self.host} answered 404 ({exc.error}): is it an Ollama server? "
                                "Set OLLAMA_HOST / RAG_OLLAMA_HOST to Ollama's address")
        if isinstance(exc, httpx.ConnectTimeout):
            return BackendError(f"could not connect to Ollama at {self.host} within {self.connect_timeout:g} s "
                                "(RAG_OLLAMA_CONNECT_TIMEOUT): is it running, and is OLLAMA_HOST / RAG_OLLAMA_HOST "
                                "right?")
        if isinstance(exc, httpx.TimeoutException):
            if received:
                return BackendError(f"Ollama at {self.host} stopped mid-answer: no token for {self.timeout:g} s "
                                    f"({self.timeout_env})")
            return BackendError(f"Ollama at {self.host} did not answer within {self.timeout:g} s ({self.timeout_env})")
        if isinstance(exc, (ConnectionError, httpx.ConnectError)):
            return BackendError(f"Ollama is not running at {self.host}: start it with `ollama serve` "
                                "or set OLLAMA_HOST / RAG_OLLAMA_HOST")
        if isinstance(exc, httpx.TransportError):  # the connection broke: reset, or a body cut short
            if received:
                return dropped(f"Ollama at {self.host}")
            return BackendError(f"Ollama at {self.host} closed the connection without answering ({exc}): "
                                "look at the server's log")
        if isinstance(exc, ollama.ResponseError):
            return BackendError(f"Ollama error: {exc.error}")
        return BackendError(f"Ollama failed: {exc}")

    def models(self) -> list[str]:
        """Names of the models the server has; BackendError when it does not answer (soon)."""
        try:
            return [m.model for m in self.probe_client.list().models if m.model]
        except httpx.ReadTimeout as exc:
            raise BackendError(f"Ollama at {self.host} did not list its models within {self.probe_timeout:g} s: "
                               "it is busy or stuck") from exc
        except Exception as exc:
            raise self._error(exc) from exc

    def has_model(self, names: list[str]) -> bool:
        wanted = self.model if ":" in self.model else self.model + ":latest"
        return self.model in names or wanted in names

    def stream_chat(self, messages: list[dict], max_tokens: int, temperature: float,
                    logprobs: list[float] | None = None) -> Iterator[str]:
        options = {"num_ctx": self.num_ctx, "num_predict": max_tokens, "temperature": temperature,
                   "repeat_penalty": self.repeat_penalty, "stop": list(STOP)}
        received = done = False
        try:
            parts = self.client.chat(model=self.model, messages=messages, stream=True, options=options)
            with closing(bounded(parts, self.deadline_s, f"Ollama at {self.host}")) as stream:
                for part in stream:  # closed (the response with it) however this loop ends
                    received = True
                    if part.message and part.message.content:
                        yield part.message.content
                    if part.done:
                        done = True
                        self.last_prompt_tokens = part.prompt_eval_count or 0
        except BackendError:
            raise
        except Exception as exc:
            raise self._error(exc, received) from exc
        if not done:  # the body ended cleanly but without the final line: the server went away
            raise dropped(f"Ollama at {self.host}")
