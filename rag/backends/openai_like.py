"""The ``openai-like`` backend: an OpenAI-compatible server (llama.cpp's llama-server, vLLM,
LM Studio, Ollama's /v1 ...) behind ``ChatBackend``, through llama-index's ``OpenAILike``; plus
``probe_openai_like`` for ``rag doctor``. Its job is the server's faults: a dead server, a missing
model, a server that never answers or never stops, and a stream cut off mid-answer each end in a
``BackendError`` that names the server and the fix, within the connect timeout, the read timeout
or ``RAG_LLM_DEADLINE_S``; a partial reply is never returned as a whole one.

The trade-off: llama-index's ``OpenAILike`` (an optional extra) instead of our own HTTP client as
in ``ollama.py``, so the same integration users already run answers here, at the price of
working around it: our own httpx client (its ``timeout`` is one number for connect and read),
no retries, a response hook so each call closes its HTTP response, and ``openai``'s exceptions
mapped back to what happened. A missing model is told apart from a wrong URL by asking
``GET /models`` only after a 400/404, so a working call costs no extra request.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from typing import Any

import httpx
from llama_index.core.base.llms.types import ChatResponse
from llama_index.core.callbacks import CallbackManager

from rag.backends.base import STOP, dropped
from rag.backends.llamaindex import LlamaIndexBackend
from rag.errors import BackendError
from rag.settings import Settings

# a 400/404 whose text says the requested model is the problem (OpenAI, vLLM, LM Studio, Ollama's /v1 ...)
MODEL_MISSING = re.compile(r"model\b.*(not.?found|does not exist|not exist|unknown|not loaded|no such)"
                           r"|(unknown|invalid|no such) model|model_not_found", re.IGNORECASE | re.DOTALL)


class OpenAILikeBackend(LlamaIndexBackend):
    """The ``openai-like`` backend: an OpenAI-compatible server through llama-index's ``OpenAILike``.

    Its own httpx client connects within ``RAG_OPENAI_CONNECT_TIMEOUT`` and waits at most
    ``RAG_OPENAI_TIMEOUT`` (capped at the deadline) per read, with no retries, so a dead server
    fails in about the connect time. A reply counts as whole only when a chunk carries a
    ``finish_reason`` (every OpenAI-compatible server sends one before ``data: [DONE]``). The
    client's response hook hands each call its HTTP response, which the call closes when it ends
    for any reason: ``OpenAILike`` would leave that to the garbage collector.
    """

    finish_required = True

    def __init__(self, settings: Settings):
        from llama_index.llms.openai_like import OpenAILike

        self.base_url, self.api_key = settings.openai_base_url, settings.openai_api_key
        self.read_timeout = min(settings.openai_timeout, settings.llm_deadline_s)
        self.timeout_env = "RAG_OPENAI_TIMEOUT" if settings.openai_timeout <= settings.llm_deadline_s \
            else "RAG_LLM_DEADLINE_S"
        self.connect_timeout = settings.openai_connect_timeout
        self.timeout = httpx.Timeout(self.read_timeout, connect=self.connect_timeout)
        self._calls = threading.local()  # per thread: where the running call collects its HTTP response
        http = httpx.Client(timeout=self.timeout, event_hooks={"response": [self._opened]})
        llm = OpenAILike(model=settings.openai_model, api_base=self.base_url, api_key=self.api_key,
                         is_chat_model=True, context_window=settings.llm_ctx, max_tokens=None,
                         timeout=self.read_timeout, max_retries=0, reuse_client=True,
                         http_client=http,  # type: ignore[call-arg]  # OpenAI.__init__ takes it (mypy sees fields)
                         callback_manager=CallbackManager([]),
                         additional_kwargs={"stop": list(STOP), "top_p": 0.9,
                                            "extra_body": {"repeat_penalty": settings.repeat_penalty}})
        super().__init__(llm, "openai-like", self._call_kwargs, deadline_s=settings.llm_deadline_s)

    @property
    def server(self) -> str:
        return f"openai-like server at {self.base_url}"

    def _call_kwargs(self, max_tokens: int, temperature: float) -> dict[str, Any]:
        # the request's own timeout: OpenAILike's ``timeout`` is one number for connect and read alike
        return {"max_tokens": max_tokens, "temperature": temperature, "timeout": self.timeout}

    def _opened(self, response: httpx.Response) -> None:
        opened = getattr(self._calls, "opened", None)
        if opened is not None:
            opened.append(response)

    def stream_chat(self, messages: list[dict], max_tokens: int, temperature: float,
                    logprobs: list[float] | None = None) -> Iterator[str]:
        # The request is sent in this generator's first step, in the thread that runs it, so the
        # hook finds this call's list even when later steps run in other threads (Gradio does that).
        opened: list[httpx.Response] = []
        self._calls.opened = opened
        try:
            yield from super().stream_chat(messages, max_tokens, temperature)
        finally:
            self._calls.opened = None
            for response in opened:
                response.close()

    def _finished(self, part: ChatResponse) -> bool:
        return any(getattr(c, "finish_reason", None) for c in getattr(part.raw, "choices", None) or [])

    def _served(self) -> list[str] | None:
        """The model names the server lists, or None when it does not list them."""
        try:
            return served_models(self.base_url, self.api_key, httpx.Timeout(min(self.read_timeout, 3.0),
                                                                            connect=self.connect_timeout))
        except (httpx.HTTPError, ValueError):
            return None

    def _error(self, exc: Exception, received: bool) -> BackendError:
        import openai

        failed, at = f"openai-like LLM ({self.model}) failed: ", f"the server at {self.base_url}"
        if isinstance(exc, openai.APIStatusError):
            body = exc.body
            detail = str((body.get("message") or body) if isinstance(body, dict) else body or exc.message).rstrip(".")
            served = self._served() if exc.status_code in (400, 404) else None
            if exc.status_code in (400, 404) and (MODEL_MISSING.search(detail) or
                                                  (served is not None and self.model not in served)):
                how = (f"it serves {', '.join(served)}: set RAG_OPENAI_MODEL to one of them, or load "
                       f"{self.model!r} in the server") if served else \
                      (f"load {self.model!r} in the server, or set RAG_OPENAI_MODEL to a model it serves "
                       f"(GET {self.base_url}/models lists them)")
                return BackendError(f"{failed}{at} does not serve the model {self.model!r} (RAG_OPENAI_MODEL); "
                                    f"it answered {exc.status_code}: {detail}. To fix: {how}")
            if exc.status_code == 404:
                return BackendError(f"{failed}{at} answered 404 to /chat/completions ({detail}): is "
                                    "RAG_OPENAI_BASE_URL right? It usually ends in /v1")
            return BackendError(f"{failed}{at} answered {exc.status_code}: {detail}")
        cause = exc.__cause__ if isinstance(exc, openai.APIConnectionError) else exc
        if isinstance(cause, httpx.ConnectTimeout):
            return BackendError(f"{failed}could not connect to {self.base_url} within {self.connect_timeout:g} s "
                                "(RAG_OPENAI_CONNECT_TIMEOUT): is the server running, and is RAG_OPENAI_BASE_URL "
                                "right?")
        if isinstance(cause, httpx.ConnectError):
            return BackendError(f"{failed}Connection to {self.base_url} failed ({cause}): no OpenAI-compatible "
                                "server is running there. Start it (e.g. `llama-server -m MODEL.gguf --port 8000`) "
                                "or set RAG_OPENAI_BASE_URL")
        if isinstance(exc, openai.APITimeoutError) or isinstance(cause, httpx.TimeoutException):
            if received:
                return BackendError(f"{failed}{at} stopped mid-answer: no token for {self.read_timeout:g} s "
                                    f"({self.timeout_env})")
            return BackendError(f"{failed}{at} did not answer within {self.read_timeout:g} s ({self.timeout_env})")
        if isinstance(cause, httpx.TransportError):  # the connection broke: reset, or a body cut short
            if received:
                return dropped(self.server)
            return BackendError(f"{failed}{at} closed the connection without answering ({cause}): look at the "
                                "server's log")
        if isinstance(exc, openai.APIError):  # an error event in the stream
            return BackendError(f"{failed}{at} reported an error: {exc.message}")
        return super()._error(exc, received)


def served_models(base_url: str, api_key: str, timeout: float | httpx.Timeout) -> list[str]:
    """The model names an OpenAI-compatible server lists at ``GET /models`` (httpx errors pass)."""
    reply = httpx.get(f"{base_url}/models", timeout=timeout, headers={"Authorization": f"Bearer {api_key}"})
    reply.raise_for_status()
    return [m.get("id", "") for m in reply.json().get("data", [])]


def openai_like(settings: Settings) -> LlamaIndexBackend:
    """The ``openai-like`` backend: an OpenAI-compatible server (llama.cpp's, vLLM, LM Studio,
    Ollama's /v1 ...) through llama-index's ``OpenAILike`` (optional extra ``openai-like``)."""
    if not settings.openai_base_url:
        raise BackendError("RAG_BACKEND=openai-like needs RAG_OPENAI_BASE_URL (e.g. http://127.0.0.1:8000/v1)")
    try:
        import llama_index.llms.openai_like  # noqa: F401
    except ImportError as exc:
        raise BackendError("the openai-like backend needs the optional extra: "
                           "pip install 'bilingual-news-rag[openai-like]'") from exc
    return OpenAILikeBackend(settings)


def probe_openai_like(settings: Settings, timeout: float = 3.0) -> tuple[bool, str]:
    """(usable, what the server said): the server answers ``GET /models`` and lists the model."""
    if not settings.openai_base_url:
        return False, "RAG_OPENAI_BASE_URL is not set"
    try:
        names = served_models(settings.openai_base_url, settings.openai_api_key, timeout)
    except (httpx.HTTPError, ValueError) as exc:
        return False, f"no OpenAI-compatible server at {settings.openai_base_url}: {exc}"
    if settings.openai_model not in names:
        return False, f"the server at {settings.openai_base_url} serves {', '.join(names) or 'no model'}, " \
                      f"not {settings.openai_model!r} (RAG_OPENAI_MODEL)"
    return True, f"{settings.openai_base_url} serves {settings.openai_model!r}"
