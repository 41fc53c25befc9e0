"""Keeping the persisted lexical index in step with the store: across restarts and processes.

The store keeps a *generation* token that changes with every write (rag/store.py). The lexical
index on disk records the generation it was built at. At open, an index whose generation
matches is memory-mapped as it is; otherwise it is rebuilt from the store's chunks. While
running, a process looks at the store's generation at most every ``check_every_s`` seconds (one
small read) and, when another process has changed the chunks, rebuilds in a background thread
while searches go on against the previous index; the new one is swapped in whole. The process
that ingests rebuilds at once, so its own next question sees the new article.

Trade-off: a full rebuild per change is O(corpus) (about a second per 10k chunks here), chosen
over a mutable index with deltas and tombstones because it is simple and always exact; ingest
embeds the same text and is far slower than that rebuild.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from pathlib import Path

from rag.retrieval.lexical import LexicalIndex
from rag.settings import Settings
from rag.store import ChunkStore

log = logging.getLogger(__name__)


def lexical_dir(settings: Settings) -> Path:
    """Where the lexical index of this collection lives (one per Chroma location)."""
    name = settings.collection_name
    if settings.chroma_url:
        name += "-" + hashlib.sha256(settings.chroma_url.encode()).hexdigest()[:8]
    return settings.data_dir / "lexical" / name


class SyncedLexicalIndex:
    def __init__(self, store: ChunkStore, directory: Path | None, check_every_s: float = 2.0):
        self.store, self.directory, self.check_every_s = store, directory, check_every_s
        self._lock = threading.Lock()
        self._worker: threading.Thread | None = None
        generation = store.generation()
        index = LexicalIndex.load(directory) if directory else None
        # the chunk count too: a process killed between writing an article and changing the
        # generation leaves the generation as the saved index has it, but not the chunks
        if index is None or index.generation != generation or len(index) != store.chunks.count():
            index = self.rebuild(generation)
        else:
            log.info("lexical index opened from %s (%d chunks)", directory, len(index))
        self.index = index
        self._checked = time.monotonic()

    def __len__(self) -> int:
        return len(self.index)

    def rebuild(self, generation: str | None = None) -> LexicalIndex:
        """Rebuild from the store's chunks now (the generation is read first, so a write racing
        with the rebuild leaves the index one generation behind, never marked as current)."""
        with self._lock:
            started = time.perf_counter()
            generation = self.store.generation() if generation is None else generation
            ids: list[str] = []
            texts: list[str] = []
            for page_ids, docs, metas in self.store.iter_chunks():
                ids.extend(page_ids)
                texts.extend(f"{meta.get('title', '')}\n{doc}" for doc, meta in zip(docs, metas))
            index = LexicalIndex.build(ids, texts, generation)
            if self.directory:
                try:
                    index.save(self.directory)
                except OSError as exc:  # read-only or full disk: searching still works from memory
                    log.warning("could not save the lexical index to %s: %s", self.directory, exc)
            self.index = index
            log.info("lexical index rebuilt over %d chunks in %.1f s", len(index), time.perf_counter() - started)
            return index

    def current(self) -> LexicalIndex:
        """The index to search now; starts a background rebuild when another process changed the store."""
        if time.monotonic() - self._checked < self.check_every_s or self._busy():
            return self.index
        self._checked = time.monotonic()
        try:
            generation = self.store.generation()
        except Exception as exc:  # the server is briefly away: keep answering from what we have
            log.warning("could not read the store's generation: %s", exc)
            return self.index
        if generation != self.index.generation:
            log.info("the store changed (generation %s): rebuilding the lexical index", generation[:8])
            self._worker = threading.Thread(target=self._rebuild_quietly, args=(generation,), daemon=True)
            self._worker.start()
        return self.index

    def _busy(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    def _rebuild_quietly(self, generation: str) -> None:
        try:
            self.rebuild(generation)
        except Exception:  # noqa: BLE001 - a failed background rebuild must not kill the process
            log.exception("background rebuild of the lexical index failed; retrying at the next check")

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background rebuild (tests, benchmarks)."""
        if self._worker is not None:
            self._worker.join(timeout)

    def search(self, query: str, n: int, articles: frozenset[str] | None = None) -> list[tuple[str, float]]:
        return self.current().search(query, n, articles)

    def coverage(self, query: str) -> float:
        return self.current().coverage(query)
