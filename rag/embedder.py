"""The embedding component: a llama-index ``BaseEmbedding`` that owns a sentence-transformers model.

Implementing llama-index's interface (rather than calling the model ad hoc) gives batching and
a progress bar for free, and lets a hand-written fake (tests/fakes.py) stand in for unit tests.
Queries and documents get the model's own prompts: for EmbeddingGemma that is
``task: search result | query: `` and ``title: <title> | text: ``; for models without prompts
(e.g. a plain multilingual MiniLM) the text goes in unchanged.

The model is loaded lazily, on the first call that needs it, so an unchanged re-ingest or a
``doctor`` run never pays the load time. One lock serialises loading, tokenizing and encoding:
the Hugging Face fast tokenizer is not safe to share between threads ("Already borrowed"), and
two encodes at once on 2 cores would only slow each other down.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from llama_index.core.embeddings import BaseEmbedding
from pydantic import PrivateAttr

from rag.errors import ModelError
from rag.settings import Settings

log = logging.getLogger(__name__)


class SentenceEmbedder(BaseEmbedding):
    """EmbeddingGemma (or any sentence-transformers model) behind llama-index's interface."""

    model_path: str
    dtype_setting: str = "float32"  # float32, bfloat16, or auto (bfloat16 once proven here: embed_dtype.py)
    cache_dir: str = ""  # where the auto verdict is remembered
    dtype: str = ""  # the dtype loaded (set on load)
    _model: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.RLock)

    @classmethod
    def from_settings(cls, settings: Settings) -> SentenceEmbedder:
        path = settings.embed_model_path
        if not settings.embed_model:  # the fetched default: verify before use
            from rag.model_files import EMBED_SHA256, check

            check(Path(path) / "model.safetensors", EMBED_SHA256)
        return cls(model_name=Path(path).name, model_path=path, embed_batch_size=settings.embed_batch_size,
                   dtype_setting=settings.embed_dtype, cache_dir=str(settings.cache_dir))

    # --- model --------------------------------------------------------------------------
    @property
    def model(self):
        with self._lock:
            return self._load()

    def _load(self):
        if self._model is None:
            import torch
            from sentence_transformers import SentenceTransformer

            from rag.embed_dtype import verified_dtype

            self.dtype = verified_dtype(self.dtype_setting, self.model_path, Path(self.cache_dir or "."))
            log.info("loading embedding model %s (%s)", self.model_path, self.dtype)
            try:
                self._model = SentenceTransformer(
                    self.model_path, device="cpu",
                    model_kwargs={"torch_dtype": getattr(torch, self.dtype)},
                )
            except OSError as exc:
                raise ModelError(f"cannot load embedding model {self.model_path!r}: {exc}") from exc
        return self._model

    @property
    def prompts(self) -> dict[str, str]:
        return dict(getattr(self.model, "prompts", {}) or {})

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return len(self.model.tokenizer(text, add_special_tokens=False)["input_ids"])

    def document_text(self, title: str, text: str) -> str:
        """The string embedded for a passage: the model's document prompt, with the title."""
        prompt = self.prompts.get("document", "")
        if "title: none" in prompt:
            prompt = prompt.replace("title: none", f"title: {title or 'none'}")
        return prompt + text

    def _encode(self, texts: list[str], prompt: str) -> list[list[float]]:
        with self._lock:
            vectors = self.model.encode(texts, prompt=prompt, batch_size=self.embed_batch_size,
                                        normalize_embeddings=True, convert_to_numpy=True)
        return vectors.astype("float32").tolist()

    # --- llama-index interface ------------------------------------------------------------
    def _get_query_embedding(self, query: str) -> list[float]:
        return self._encode([query], self.prompts.get("query", ""))[0]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embeddings([text])[0]

    def _get_text_embeddings(self, texts: list[str]) -> list[list[float]]:
        # Callers pass document_text(...) strings: the prompt is already in the text.
        return self._encode(texts, "")

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._get_query_embedding(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._get_text_embedding(text)

    def embed_documents(self, texts: list[str]):
        """``document_text(...)`` strings in one call (the model sorts them by length and pads
        per batch), as a float32 array of unit vectors."""
        import numpy as np

        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        with self._lock:
            vectors = self.model.encode(texts, batch_size=self.embed_batch_size, normalize_embeddings=True,
                                        convert_to_numpy=True)
        return vectors.astype("float32")

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        """Several texts with the query prompt in one batch (used for answer sentences)."""
        return self._encode(texts, self.prompts.get("query", "")) if texts else []
