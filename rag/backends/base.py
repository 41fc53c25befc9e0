"""The one interface both LLM backends implement, so the answerer never knows which it has."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

# A small model sometimes starts to echo the prompt after its answer; every backend cuts it there.
STOP = ("\nSources:", "\nالمصادر:", "\nQuestion:", "\nالسؤال:")


class ChatBackend(Protocol):
    name: str  # "llamacpp", "ollama", "openai-like" or "llama-index"
    model: str  # model file name or Ollama model tag
    last_prompt_tokens: int  # prompt size of the last call, as the backend counted it

    def stream_chat(self, messages: list[dict], max_tokens: int, temperature: float) -> Iterator[str]:
        """Yield text deltas of the assistant reply; raise BackendError on failure."""
        ...
