"""Embedded backend: llama-cpp-python in-process, with the GGUF fetched by setup.

The model is loaded once per backend object and reused; chats go through
``create_chat_completion``, which formats messages with the chat template stored in the GGUF
itself (Qwen's ChatML), not a hand-written imitation. llama.cpp keeps the KV cache of the
previous prompt, and with ``llm_cache_mb`` > 0 a RAM cache of saved states (keyed by token
prefix) keeps one per language too, so an Arabic question after an English one does not pay
for the Arabic system prompt again. The trade-off: each answer copies the used KV cache into
that RAM cache: measured 11 MB of KV state plus 37 MB of logits and 0.23 s per answer with
``n_batch=64`` (with llama.cpp's default 512 the logits copy is 232 MB and takes 1 s, so we use
64, which reads prompts nearly as fast: 66-68 against 75 tokens/s with 512, measured with
``scripts/bench_llm.py --n-batch``; on a 200-token question that is 0.3 s, not 1 s).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rag.backends.base import STOP
from rag.errors import BackendError
from rag.model_files import LLM_SHA256, LLM_SIZE, check
from rag.settings import Settings

log = logging.getLogger(__name__)

N_BATCH = 64  # see the module docstring


class TopLogprob:
    """A llama.cpp logits processor that records, at each generated token, the log-probability of
    the most likely token (the greedy choice; the repetition penalty applies after it) and
    changes nothing. About 1 ms a token (a log-sum-exp over the 151k-word vocabulary)."""

    def __init__(self, sink: list[float]):
        self.sink = sink

    def __call__(self, input_ids, scores):
        import numpy as np

        top = float(scores.max())
        self.sink.append(top - (top + float(np.log(np.exp(scores - top).sum()))))
        return scores


def _state_cache(capacity_bytes: int):
    """llama-cpp-python's RAM cache, counting the whole saved state (its own count leaves out
    the logits array, which is several times larger than the KV state)."""
    from llama_cpp import LlamaRAMCache

    class StateCache(LlamaRAMCache):
        @property
        def cache_size(self) -> int:
            return sum(s.llama_state_size + s.scores.nbytes + s.input_ids.nbytes for s in self.cache_state.values())

    return StateCache(capacity_bytes=capacity_bytes)


class LlamaCppBackend:
    name = "llamacpp"

    def __init__(self, settings: Settings):
        self.settings = settings
        self.path = Path(settings.llm_model_path)
        if not settings.llm_path:  # the fetched default: verify before use
            check(self.path, LLM_SHA256, LLM_SIZE)
        elif not self.path.is_file():
            raise BackendError(f"GGUF model not found: {self.path}")
        self.model = self.path.name
        self.n_ctx = settings.llm_ctx
        self.n_threads = settings.llm_threads or os.cpu_count() or 2
        self.cache_bytes = settings.llm_cache_mb * 1024 * 1024
        self.repeat_penalty = settings.repeat_penalty
        self.last_prompt_tokens = 0
        self._llm: Any = None
        # one generation at a time on one model (held while the stream is consumed); loading and
        # tokenizing take the same lock, so 8 threads asking at once load the GGUF once
        self._lock = threading.RLock()

    @property
    def llm(self):
        with self._lock:
            return self._load()

    def _load(self):
        if self._llm is None:
            from llama_cpp import Llama

            from rag.backends.llamacpp_runtime import load_backends

            kernels = load_backends(self.settings)
            log.info("loading %s (%d threads, %s CPU kernels)", self.path, self.n_threads, kernels.variant)
            self._llm = Llama(model_path=str(self.path), n_ctx=self.n_ctx, n_threads=self.n_threads,
                              n_batch=N_BATCH, verbose=False)
            if self.cache_bytes:
                self._llm.set_cache(_state_cache(self.cache_bytes))
        return self._llm

    def count_tokens(self, text: str) -> int:
        with self._lock:
            return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False))

    def stream_chat(self, messages: list[dict], max_tokens: int, temperature: float,
                    logprobs: list[float] | None = None) -> Iterator[str]:
        with self._lock:
            self.last_prompt_tokens = sum(self.count_tokens(m["content"]) + 4 for m in messages)
            if self.last_prompt_tokens + max_tokens > self.n_ctx:
                raise BackendError(f"prompt of {self.last_prompt_tokens} tokens does not fit the "
                                   f"{self.n_ctx}-token context (RAG_LLM_CTX)")
            from llama_cpp import LogitsProcessorList

            recorder = None if logprobs is None else LogitsProcessorList([TopLogprob(logprobs)])
            stream = self.llm.create_chat_completion(messages, stream=True, max_tokens=max_tokens,
                                                     temperature=temperature, top_p=0.9, repeat_penalty=self.repeat_penalty,
                                                     stop=list(STOP), logits_processor=recorder)
            tokens = 0
            try:
                for chunk in stream:
                    tokens += 1
                    delta = chunk["choices"][0]["delta"].get("content")
                    if delta:
                        yield delta
            except GeneratorExit:  # the consumer closed us (a reader pressed Stop): stop generating now
                stream.close()
                log.info("generation stopped early after %d tokens", tokens)
                raise
