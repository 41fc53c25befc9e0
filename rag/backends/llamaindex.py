"""Adapters between the project's ``ChatBackend`` and llama-index's ``LLM``, in both directions.

- ``LlamaIndexBackend`` lets *any* llama-index LLM answer (``OpenAILike`` for an
  OpenAI-compatible server, or whatever LLM object a user already runs): the answer path, its
  checks and citations stay exactly the same, only the text generator changes.
- ``BackendLLM`` presents one of our backends (the embedded llama.cpp model with its GGUF chat
  template and prompt-state cache, or Ollama) as a llama-index LLM, for llama-index components
  that need one (the chat engine) and for users' own llama-index code.

The trade-off: the adapters pass plain chat messages and text deltas only (no tool calls, no
images), which is all a grounded answer needs; a backend keeps its own way of counting prompt
tokens (``last_prompt_tokens``: the server's reported usage when it sends one, else an estimate).

>>> from llama_index.llms.openai_like import OpenAILike                        # doctest: +SKIP
>>> llm = OpenAILike(model="qwen", api_base="http://127.0.0.1:8000/v1", api_key="none",
...                  is_chat_model=True)                                         # doctest: +SKIP
>>> RAG.from_settings(settings, llm=llm).ask("من التقى وزير الخارجية؟")          # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
)
from llama_index.core.bridge.pydantic import PrivateAttr
from llama_index.core.callbacks import CallbackManager
from llama_index.core.llms import LLM
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.custom import CustomLLM

from rag.backends.base import STOP, ChatBackend
from rag.errors import BackendError
from rag.retrieval.evidence import approx_tokens
from rag.settings import Settings

log = logging.getLogger(__name__)


class LlamaIndexBackend:
    """Any llama-index ``LLM`` behind the ``ChatBackend`` interface."""

    def __init__(self, llm: LLM, name: str = "llama-index",
                 call_kwargs: Callable[[int, float], dict[str, Any]] | None = None):
        if not isinstance(llm, LLM):
            raise TypeError(f"expected a llama-index LLM, got {type(llm).__name__}")
        self.llm, self.name = llm, name
        self.model = llm.metadata.model_name
        self.call_kwargs = call_kwargs or (lambda max_tokens, temperature: {})
        self.last_prompt_tokens = 0

    def stream_chat(self, messages: list[dict], max_tokens: int, temperature: float) -> Iterator[str]:
        chat = [ChatMessage(role=MessageRole(m["role"]), content=m["content"]) for m in messages]
        self.last_prompt_tokens = sum(approx_tokens(m["content"]) + 4 for m in messages)
        try:
            for part in self.llm.stream_chat(chat, **self.call_kwargs(max_tokens, temperature)):
                if part.delta:
                    yield part.delta
                usage = (part.additional_kwargs or {}).get("prompt_tokens")
                if usage:
                    self.last_prompt_tokens = int(usage)
        except BackendError:
            raise
        except Exception as exc:  # the integration's own errors (connection, HTTP status, timeout)
            raise BackendError(f"{self.name} LLM ({self.model}) failed: {type(exc).__name__}: {exc}") from exc


def openai_like(settings: Settings) -> LlamaIndexBackend:
    """The ``openai-like`` backend: an OpenAI-compatible server (llama.cpp's, vLLM, LM Studio,
    Ollama's /v1 ...) through llama-index's ``OpenAILike`` (optional extra ``openai-like``)."""
    if not settings.openai_base_url:
        raise BackendError("RAG_BACKEND=openai-like needs RAG_OPENAI_BASE_URL (e.g. http://127.0.0.1:8000/v1)")
    try:
        from llama_index.llms.openai_like import OpenAILike
    except ImportError as exc:
        raise BackendError("the openai-like backend needs the optional extra: "
                           "pip install 'bilingual-news-rag[openai-like]'") from exc
    llm = OpenAILike(model=settings.openai_model, api_base=settings.openai_base_url, api_key=settings.openai_api_key,
                     is_chat_model=True, context_window=settings.llm_ctx, max_tokens=None,
                     timeout=settings.openai_timeout, max_retries=0, reuse_client=True,
                     callback_manager=CallbackManager([]),
                     additional_kwargs={"stop": list(STOP), "top_p": 0.9,
                                        "extra_body": {"repeat_penalty": settings.repeat_penalty}})
    return LlamaIndexBackend(llm, "openai-like",
                             lambda max_tokens, temperature: {"max_tokens": max_tokens, "temperature": temperature})


def probe_openai_like(settings: Settings, timeout: float = 3.0) -> tuple[bool, str]:
    """(usable, what the server said): the server answers ``GET /models`` and lists the model."""
    import httpx

    if not settings.openai_base_url:
        return False, "RAG_OPENAI_BASE_URL is not set"
    try:
        reply = httpx.get(f"{settings.openai_base_url}/models", timeout=timeout,
                          headers={"Authorization": f"Bearer {settings.openai_api_key}"})
        reply.raise_for_status()
        names = [m.get("id", "") for m in reply.json().get("data", [])]
    except (httpx.HTTPError, ValueError) as exc:
        return False, f"no OpenAI-compatible server at {settings.openai_base_url}: {exc}"
    if settings.openai_model not in names:
        return False, f"the server at {settings.openai_base_url} serves {', '.join(names) or 'no model'}, " \
                      f"not {settings.openai_model!r} (RAG_OPENAI_MODEL)"
    return True, f"{settings.openai_base_url} serves {settings.openai_model!r}"


class BackendLLM(CustomLLM):
    """One of our ``ChatBackend`` objects as a llama-index ``LLM`` (chat-style, streamed)."""

    max_tokens: int = 256
    temperature: float = 0.0
    _backend: ChatBackend = PrivateAttr()

    def __init__(self, backend: ChatBackend, max_tokens: int = 256, temperature: float = 0.0):
        super().__init__(max_tokens=max_tokens, temperature=temperature, callback_manager=CallbackManager([]))
        self._backend = backend

    @classmethod
    def class_name(cls) -> str:
        return "BackendLLM"

    @property
    def backend(self) -> ChatBackend:
        return self._backend

    @property
    def metadata(self) -> LLMMetadata:
        ctx = getattr(self._backend, "n_ctx", None) or getattr(self._backend, "num_ctx", None) or 4096
        return LLMMetadata(context_window=ctx, num_output=self.max_tokens, is_chat_model=True,
                           model_name=self._backend.model)

    def _deltas(self, messages: Sequence[ChatMessage], **kwargs: Any) -> Iterator[str]:
        plain = [{"role": m.role.value, "content": m.content or ""} for m in messages]
        return self._backend.stream_chat(plain, kwargs.get("max_tokens", self.max_tokens),
                                         kwargs.get("temperature", self.temperature))

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        text = "".join(self._deltas(messages, **kwargs))
        return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        def gen() -> ChatResponseGen:
            text = ""
            for delta in self._deltas(messages, **kwargs):
                text += delta
                yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text), delta=delta)
        return gen()

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        return CompletionResponse(text=self.chat([ChatMessage(role=MessageRole.USER, content=prompt)],
                                                 **kwargs).message.content or "")

    @llm_completion_callback()
    def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponseGen:
        def gen() -> CompletionResponseGen:
            text = ""
            for part in self.stream_chat([ChatMessage(role=MessageRole.USER, content=prompt)], **kwargs):
                text += part.delta or ""
                yield CompletionResponse(text=text, delta=part.delta)
        return gen()
