"""The one interface both LLM backends implement, so the answerer never knows which it has, and
the guards every server backend applies to a streamed reply.

A server can fail in the middle of a reply, and a half reply must never pass for a whole one: the
server backends (Ollama, openai-like, a llama-index LLM) raise ``BackendError`` when the stream
ends without the server's final message (``dropped``), and ``bounded`` cuts off a reply that is
still streaming after ``RAG_LLM_DEADLINE_S``. The trade-off of ``bounded``: it checks the clock as
parts arrive, in the caller's thread (no watchdog thread touching a socket another thread reads),
so a read that blocks is bounded by the client's read timeout instead, which the backends cap at
the deadline: a reply ends within the deadline plus at most one read timeout.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from typing import Protocol, TypeVar

from rag.errors import BackendError

# A small model sometimes starts to echo the prompt after its answer; every backend cuts it there.
STOP = ("\nSources:", "\nالمصادر:", "\nQuestion:", "\nالسؤال:")

T = TypeVar("T")


class ChatBackend(Protocol):
    name: str  # "llamacpp", "ollama", "openai-like" or "llama-index"
    model: str  # model file name or Ollama model tag
    last_prompt_tokens: int  # prompt size of the last call, as the backend counted it

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes in this model's prompt: the model's own tokenizer where the
        backend has it (embedded llama.cpp), else ``approx_tokens`` (servers)."""
        ...

    def stream_chat(self, messages: list[dict], max_tokens: int, temperature: float,
                    logprobs: list[float] | None = None) -> Iterator[str]:
        """Yield text deltas of the assistant reply; raise BackendError on failure, also when the
        reply breaks off (a partial reply is never returned as a whole one). A backend that can
        appends each generated token's log-probability to ``logprobs`` (the embedded llama.cpp
        does; the servers' streams do not carry them, and the list stays empty)."""
        ...


def bounded(parts: Iterator[T], seconds: float, server: str) -> Generator[T, None, None]:
    """Yield ``parts`` (one streamed reply) until ``seconds`` of wall time have passed since the
    first read; then stop, close ``parts`` (and with it the HTTP response, so the server sees the
    disconnect and can stop generating) and raise ``BackendError``. ``parts`` is closed whenever
    this generator ends early, for any reason."""
    end = time.monotonic() + seconds
    try:
        for part in parts:
            if time.monotonic() > end:
                raise BackendError(f"{server} did not finish its reply within {seconds:g} s (RAG_LLM_DEADLINE_S): "
                                   "it is overloaded or generating without end; the connection was closed")
            yield part
    finally:
        close = getattr(parts, "close", None)
        if callable(close):
            close()


def dropped(server: str) -> BackendError:
    """The error for a reply whose stream ended without the server's final message."""
    return BackendError(f"the model server ({server}) closed the connection mid-answer, before its final message: "
                        "the partial reply was discarded. Ask again; if it repeats, look at the server's log "
                        "(a crash or out of memory)")
