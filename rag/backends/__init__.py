"""Choosing the LLM backend: ``ollama``, ``llamacpp``, ``openai-like`` (any OpenAI-compatible
server, through llama-index's ``OpenAILike``) or ``auto`` (Ollama when it answers and has the
model, else the embedded model). A llama-index ``LLM`` object passed in (``RAG.from_settings(
settings, llm=...)``) becomes the ``llama-index`` backend and the default. The factory owns the
backend objects, so the embedded model is loaded once per factory, and caches the Ollama probe
for a few seconds.

``auto`` decides once per question, before generating: Ollama down, unreachable, stuck (the probe
is bounded by the connect timeout and a few seconds' read) or without the model means the
embedded model answers. Once Ollama has started a reply, a failure is the user's error to see
(``BackendError``), never a silent switch: they already saw Ollama's draft, and a second model's
answer under it would mix two replies."""

from __future__ import annotations

import logging
import time
from typing import Any

from rag.backends.base import ChatBackend
from rag.backends.llamacpp import LlamaCppBackend
from rag.backends.llamaindex import BackendLLM, LlamaIndexBackend
from rag.backends.ollama import OllamaBackend
from rag.backends.openai_like import openai_like as openai_like_backend  # a bare name would hide the module
from rag.errors import BackendError, RagError
from rag.settings import BACKENDS, Settings

log = logging.getLogger(__name__)

__all__ = ["BACKENDS", "BackendFactory", "BackendLLM", "ChatBackend", "LlamaCppBackend", "LlamaIndexBackend",
           "OllamaBackend"]




class BackendFactory:
    PROBE_TTL = 15.0

    def __init__(self, settings: Settings, llm: Any = None):
        self.settings = settings
        self._llamacpp: LlamaCppBackend | None = None
        self._ollama: OllamaBackend | None = None
        self._openai: LlamaIndexBackend | None = None
        self._custom = LlamaIndexBackend(llm, deadline_s=settings.llm_deadline_s) if llm is not None else None
        self._probe: tuple[float, bool, str] | None = None

    @property
    def openai_like(self) -> LlamaIndexBackend:
        if self._openai is None:
            self._openai = openai_like_backend(self.settings)
        return self._openai

    @property
    def ollama(self) -> OllamaBackend:
        if self._ollama is None:
            self._ollama = OllamaBackend(self.settings)
        return self._ollama

    @property
    def llamacpp(self) -> LlamaCppBackend:
        if self._llamacpp is None:
            self._llamacpp = LlamaCppBackend(self.settings)
        return self._llamacpp

    def probe_ollama(self) -> tuple[bool, str]:
        """(usable, reason): Ollama answers and has the configured model."""
        now = time.monotonic()
        if self._probe and now - self._probe[0] < self.PROBE_TTL:
            return self._probe[1], self._probe[2]
        try:
            names = self.ollama.models()
            ok = self.ollama.has_model(names)
            reason = "ok" if ok else f"model {self.settings.ollama_model!r} not pulled (have: {', '.join(names) or 'none'})"
        except BackendError as exc:
            ok, reason = False, str(exc)
        self._probe = (now, ok, reason)
        return ok, reason

    def get(self, name: str | None = None) -> ChatBackend:
        if name is None and self._custom is not None:
            return self._custom
        name = name or self.settings.backend
        if name == "llama-index" and self._custom is not None:
            return self._custom
        if name == "openai-like":
            return self.openai_like
        if name == "ollama":
            return self.ollama
        if name == "llamacpp":
            return self.llamacpp
        if name != "auto":
            raise RagError(f"unknown backend {name!r}: use {', '.join(BACKENDS)}")
        ok, reason = self.probe_ollama()
        if ok:
            return self.ollama
        log.info("auto backend: using the embedded model (%s)", reason)
        return self.llamacpp
