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

The ``openai-like`` backend (an OpenAI-compatible server, and its faults) is
``LlamaIndexBackend`` with its own client and error messages: ``rag.backends.openai_like``.

>>> from llama_index.llms.openai_like import OpenAILike                        # doctest: +SKIP
>>> llm = OpenAILike(model="qwen", api_base="http://127.0.0.1:8000/v1", api_key="none",
...                  is_chat_model=True)                                         # doctest: +SKIP
>>> RAG.from_settings(settings, llm=llm).ask("من التقى وزير الخارجية؟")          # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
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

from rag.backends.base import ChatBackend, bounded, dropped
from rag.errors import BackendError
from rag.text.token_count import approx_tokens

log = logging.getLogger(__name__)


class LlamaIndexBackend:
    """Any llama-index ``LLM`` behind the ``ChatBackend`` interface. With ``deadline_s``, a reply
    still streaming after that many seconds is cut off (``bounded``)."""

    finish_required = False  # a generic LLM's stream does not say whether it ended or broke off

    def __init__(self, llm: LLM, name: str = "llama-index",
                 call_kwargs: Callable[[int, float], dict[str, Any]] | None = None, deadline_s: float | None = None):
        if not isinstance(llm, LLM):
            raise TypeError(f"expected a llama-index LLM, got {type(llm).__name__}")
        self.llm, self.name = llm, name
        self.model = llm.metadata.model_name
        self.call_kwargs = call_kwargs or (lambda max_tokens, temperature: {})
        self.deadline_s = deadline_s
        self.last_prompt_tokens = 0

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)  # a llama-index LLM exposes no tokenizer

    @property
    def server(self) -> str:
        return f"{self.name} LLM ({self.model})"

    def stream_chat(self, messages: list[dict], max_tokens: int, temperature: float,
                    logprobs: list[float] | None = None) -> Iterator[str]:
        chat = [ChatMessage(role=MessageRole(m["role"]), content=m["content"]) for m in messages]
        self.last_prompt_tokens = sum(approx_tokens(m["content"]) + 4 for m in messages)
        received = finished = False
        try:
            parts = self.llm.stream_chat(chat, **self.call_kwargs(max_tokens, temperature))
            if self.deadline_s:
                parts = bounded(parts, self.deadline_s, self.server)
            with closing(parts) as stream:  # closed (the response with it) however this loop ends
                for part in stream:
                    received = True
                    if part.delta:
                        yield part.delta
                    usage = (part.additional_kwargs or {}).get("prompt_tokens")
                    if usage:
                        self.last_prompt_tokens = int(usage)
                    finished = finished or self._finished(part)
        except BackendError:
            raise
        except Exception as exc:  # the integration's own errors (connection, HTTP status, timeout)
            raise self._error(exc, received) from exc
        if self.finish_required and not finished:
            raise dropped(self.server)

    def _finished(self, part: ChatResponse) -> bool:
        """Whether this part is the server's last one (its final message)."""
        return True

    def _error(self, exc: Exception, received: bool) -> BackendError:
        return BackendError(f"{self.name} LLM ({self.model}) failed: {type(exc).__name__}: {exc}")


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
