"""A rough LLM token count, for where no tokenizer is at hand (an LLM server, a llama-index LLM).

The trade-off: exact counts need the model's tokenizer, which only the embedded backend has;
an over-estimate by a few percent only makes the evidence budget a little smaller.
"""

from __future__ import annotations

CHARS_PER_TOKEN = 2.5
"""Qwen's tokenizer spends ~1 token per 2.5 characters of Arabic news text (fewer on English):
the rough count used where the backend has no tokenizer at hand."""


def approx_tokens(text: str) -> int:
    """Rough LLM token count when the backend has no tokenizer at hand (Ollama).

    >>> approx_tokens("أذربيجان والناتو")
    6
    """
    return max(1, int(len(text) / CHARS_PER_TOKEN))
