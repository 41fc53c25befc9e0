"""Hand-written fakes that implement the real interfaces (for fast pure unit tests only;
every path they stand in for is also tested with the real model)."""

from __future__ import annotations

import hashlib

import numpy as np
from llama_index.core.embeddings import BaseEmbedding

from rag.backends.base import ChatBackend
from rag.text.normalize import tokenize
from rag.text.token_count import approx_tokens


class FakeEmbedder(BaseEmbedding):
    """Deterministic bag-of-terms hashing embedder with the SentenceEmbedder interface."""

    model_path: str = "fake"
    dim: int = 64
    calls: int = 0
    query_calls: int = 0

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def document_text(self, title: str, text: str) -> str:
        return text

    def _vector(self, text: str) -> list[float]:
        v = np.zeros(self.dim, dtype=np.float32)
        for term in tokenize(text) or ["empty"]:
            v[int(hashlib.md5(term.encode()).hexdigest(), 16) % self.dim] += 1.0
        return (v / (np.linalg.norm(v) or 1.0)).tolist()

    def embed_documents(self, texts: list[str]):
        return np.asarray([self._vector(t) for t in texts], dtype=np.float32)

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def _get_query_embedding(self, query: str) -> list[float]:
        self.query_calls += 1
        return self._vector(query)

    def _get_text_embedding(self, text: str) -> list[float]:
        self.calls += 1
        return self._vector(text)

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        self.calls += len(texts)
        return [self._vector(t) for t in texts]

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)


class ScriptedLLM(ChatBackend):
    """A :class:`ChatBackend` whose replies are functions of the messages it is sent, one per
    call; it records every call."""

    name, model = "scripted", "scripted"

    def __init__(self, *replies):
        self.replies = list(replies)
        self.calls: list[list[dict]] = []
        self.last_prompt_tokens = 0

    def count_tokens(self, text: str) -> int:
        return approx_tokens(text)

    def stream_chat(self, messages, max_tokens, temperature, logprobs=None):
        self.calls.append([dict(m) for m in messages])
        self.last_prompt_tokens = sum(len(m["content"].split()) for m in messages)
        text = self.replies.pop(0)(messages)
        for i in range(0, len(text), 7):  # stream in small deltas like a real model
            yield text[i:i + 7]


class ScriptedBackends:
    """Stands in for BackendFactory: always the same scripted LLM."""

    def __init__(self, llm: ScriptedLLM):
        self.llm = llm

    def get(self, backend=None):
        return self.llm
