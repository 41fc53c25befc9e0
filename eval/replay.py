"""Replaying the model's replies: an eval-only backend cache keyed by a content hash.

The ablation (eval/ablation.py) runs the same questions once per answer check switched off.
With the model at temperature 0, a check that is switched off changes the model's input only
when it would have asked for a retry or refused before the model was called; every other call
is the same call as in the run with all checks on. So each reply is stored under the sha256 of
(model, messages, max tokens, temperature), and a later run with the same key replays it
instead of generating it again: an exact ablation at a fraction of the cost.

The trade-off: timings of replayed answers mean nothing (the report says replay was on), and
a reply from a non-deterministic setting (temperature > 0) is not replayed, it is generated.

    >>> key("m", [{"role": "user", "content": "hi"}], 64, 0.0)[:12]
    'fa6ea6813099'
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from rag.backends import BackendFactory
from rag.backends.base import ChatBackend
from rag.settings import Settings


def key(model: str, messages: list[dict], max_tokens: int, temperature: float) -> str:
    blob = json.dumps([model, messages, max_tokens, temperature], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ReplyStore:
    """sqlite file of key -> (reply, prompt tokens, token log-probabilities as JSON)."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), check_same_thread=False)
        self.db.execute("CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, reply TEXT, prompt_tokens INT)")
        columns = [row[1] for row in self.db.execute("PRAGMA table_info(replies)")]
        if "logprobs" not in columns:  # a file from before log-probabilities were kept
            self.db.execute("ALTER TABLE replies ADD COLUMN logprobs TEXT DEFAULT '[]'")
        self.hits = self.misses = 0

    def get(self, k: str) -> tuple[str, int, list[float]] | None:
        row = self.db.execute("SELECT reply, prompt_tokens, logprobs FROM replies WHERE key = ?", (k,)).fetchone()
        self.hits, self.misses = self.hits + bool(row), self.misses + (not row)
        return (row[0], row[1], json.loads(row[2] or "[]")) if row else None

    def put(self, k: str, reply: str, prompt_tokens: int, logprobs: list[float]) -> None:
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO replies (key, reply, prompt_tokens, logprobs) VALUES (?, ?, ?, ?)",
                            (k, reply, prompt_tokens, json.dumps([round(x, 4) for x in logprobs])))


class ReplayBackend:
    """A :class:`ChatBackend` that answers from the store when it can, else asks ``inner``."""

    def __init__(self, inner: ChatBackend, store: ReplyStore):
        self.inner, self.store = inner, store
        self.name, self.model, self.last_prompt_tokens = inner.name, inner.model, 0

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def stream_chat(self, messages: list[dict], max_tokens: int, temperature: float,
                    logprobs: list[float] | None = None) -> Iterator[str]:
        k = key(self.model, messages, max_tokens, temperature)
        hit = self.store.get(k) if temperature == 0 else None
        if hit is not None:
            self.last_prompt_tokens = hit[1]
            if logprobs is not None:
                logprobs.extend(hit[2])
            yield hit[0]
            return
        reply, seen = "", [] if logprobs is None else logprobs
        start = len(seen)
        for delta in self.inner.stream_chat(messages, max_tokens, temperature, seen):
            reply += delta
            yield delta
        self.last_prompt_tokens = self.inner.last_prompt_tokens
        if temperature == 0:
            self.store.put(k, reply, self.last_prompt_tokens, seen[start:])


class ReplayBackends(BackendFactory):
    """The backend factory with every backend it hands out wrapped in a :class:`ReplayBackend`."""

    def __init__(self, settings: Settings, path: Path):
        super().__init__(settings)
        self.store = ReplyStore(path)
        self._wrapped: dict[str, ReplayBackend] = {}

    def get(self, name: str | None = None) -> ChatBackend:
        inner = super().get(name)
        if inner.name not in self._wrapped:
            self._wrapped[inner.name] = ReplayBackend(inner, self.store)
        return self._wrapped[inner.name]
