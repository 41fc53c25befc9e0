"""Chroma persistence: chunks, segments and one manifest record per article.

Three collections share the name from ``Settings.collection_name``:
- ``<name>``: retrieval chunks with their embeddings (cosine space);
- ``<name>-seg``: sentence-sized segments with embeddings, used to pick prompt evidence;
- ``<name>-art``: one record per article holding the cleaned text and its manifest
  (content hash, chunk and segment counts). It is written *last*.
- ``<name>-gen``: one record, the store's *generation*: a fresh token after every change to
  the chunks. Other processes on the same Chroma server compare it with the generation their
  persisted lexical index was built at (rag/retrieval/lexical.py) and rebuild when it moved.

Storage failures become a ``StoreError`` that says what happened and what to do (``storage``
below): a corrupt or unreadable directory (rebuild with ``python -m rag ingest --reset``, which
moves the broken folder aside and re-reads the article files, which are kept), a directory
locked by another process, a full disk, an unreachable Chroma server. The write order below is
what keeps the index consistent when such a failure (or a kill) stops a write half-way.

Crash safety comes from that order: replacing an article deletes its manifest first, then its
old vectors, writes the new vectors, and only then the manifest. An article counts as indexed
only when its manifest exists and the vector counts match it, so a run killed at any point
leaves state that the next ingest detects and redoes; ids are content-hash based, so a redo
never duplicates.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from rag.errors import RagError, StoreError
from rag.settings import Settings
from rag.store_errors import explain, free_bytes, move_aside
from rag.write_lock import WriteLock

log = logging.getLogger(__name__)

BATCH = 256


@dataclass
class Record:
    id: str
    text: str
    embedding: list[float]
    metadata: dict[str, Any]


@dataclass
class ArticleState:
    article_id: str
    content_hash: str
    path: str
    title: str
    date: str
    n_chunks: int
    n_segments: int
    complete: bool
    url: str = ""


def make_client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=True)
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        try:
            return chromadb.HttpClient(host=url.hostname or "localhost", port=url.port or 8000,
                                       ssl=url.scheme == "https", settings=chroma_settings)
        except Exception as exc:  # connection refused, wrong server ...
            raise StoreError(f"cannot reach the Chroma server at {settings.chroma_url}: {exc}") from exc
    settings.chroma_path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_path), settings=chroma_settings)


class ChunkStore:
    def __init__(self, settings: Settings, client=None, *, rebuild: bool = False):
        """``rebuild``: an embedded index that cannot be opened is moved aside and started afresh
        (what ``ingest --reset`` asks for); otherwise opening it raises ``StoreError``."""
        self.name = settings.collection_name
        self.settings = settings
        self.location = settings.chroma_url or str(settings.chroma_path)
        self._failed_write = False  # a write failed: reopen the embedded client before the next one
        self.write_lock = None if settings.chroma_url else WriteLock(settings.chroma_path.with_name("chroma.lock"))
        try:
            with self.storage("opening"):
                self.client = client or make_client(settings)
                self._open()
        except StoreError:
            if not rebuild or client is not None or settings.chroma_url or not settings.chroma_path.exists():
                raise
            move_aside(settings.chroma_path)
            from chromadb.api.client import SharedSystemClient

            # chromadb caches one system per path, still bound to the broken files; clients
            # already open keep theirs, new ones (this one) start afresh
            SharedSystemClient.clear_system_cache()
            with self.storage("creating"):
                self.client = make_client(settings)
                self._open()

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the index's write lock (embedded Chroma only: rag/write_lock.py)."""
        if self.write_lock is None:
            yield
        else:
            with self.write_lock.hold():
                if self._failed_write:
                    with self.storage("reopening"):
                        self._reopen()
                yield

    def _reopen(self) -> None:
        """A fresh embedded client after a failed write. Measured with chromadb 1.5.9: after a
        write fails on a full disk, reads on the same client still work, but its next write (and
        any new client of the same folder in this process, which chromadb caches) waits forever;
        a client built after dropping the cached one writes and the ingest repairs the index."""
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient._identifier_to_system.pop(getattr(self.client, "_identifier", ""), None)
        self.client = make_client(self.settings)
        self._open()
        self._failed_write = False
        log.info("reopened the index at %s after a failed write", self.location)

    @contextmanager
    def storage(self, doing: str) -> Iterator[None]:
        """Turn any storage failure inside the block into a ``StoreError`` that says what to do."""
        try:
            yield
        except RagError:
            raise
        except Exception as exc:
            log.debug("storage failure while %s", doing, exc_info=True)
            if doing.startswith(("writing", "removing")) and self.write_lock is not None:
                self._failed_write = True
                with suppress(Exception):  # best effort now; else before the next write
                    self._reopen()
            raise explain(exc, self.location, doing, free_bytes(self.location)) from exc

    def _open(self) -> None:
        cosine = {"hnsw:space": "cosine"}
        self.chunks = self.client.get_or_create_collection(self.name, metadata=cosine, embedding_function=None)
        self.segments = self.client.get_or_create_collection(self.name + "-seg", metadata=cosine, embedding_function=None)
        self.manifest = self.client.get_or_create_collection(self.name + "-art", embedding_function=None)
        self.meta = self.client.get_or_create_collection(self.name + "-gen", embedding_function=None)

    def reset(self) -> None:
        for name in (self.name, self.name + "-seg", self.name + "-art", self.name + "-gen"):
            try:
                self.client.delete_collection(name)
            except Exception:  # missing collection: nothing to reset
                pass
        self._open()

    # --- state ---------------------------------------------------------------------------
    def articles(self) -> dict[str, ArticleState]:
        """Every article known to the store, with whether its vectors are complete."""
        with self.storage("reading the article list"):
            return self._articles()

    def catalog(self) -> dict[str, ArticleState]:
        """The manifest alone (one row per article; ``complete`` is not checked against the
        vectors): titles, dates and links for scoping and citing, without reading every chunk."""
        with self.storage("reading the article list"):
            got = self.manifest.get(include=["metadatas"])
        return {m["article_id"]: ArticleState(m["article_id"], m["content_hash"], m["path"], m["title"], m["date"],
                                              m["n_chunks"], m["n_segments"], True, m.get("url", ""))
                for m in got["metadatas"] or []}

    def _articles(self) -> dict[str, ArticleState]:
        chunk_counts = self._counts(self.chunks)
        seg_counts = self._counts(self.segments)
        states: dict[str, ArticleState] = {}
        got = self.manifest.get(include=["metadatas"])
        for meta in got["metadatas"] or []:
            aid = meta["article_id"]
            complete = (chunk_counts.get(aid, {}).get(meta["content_hash"], 0) == meta["n_chunks"]
                        and seg_counts.get(aid, {}).get(meta["content_hash"], 0) == meta["n_segments"]
                        and sum(chunk_counts.get(aid, {}).values()) == meta["n_chunks"])
            states[aid] = ArticleState(aid, meta["content_hash"], meta["path"], meta["title"], meta["date"],
                                       meta["n_chunks"], meta["n_segments"], complete, meta.get("url", ""))
        for aid in set(chunk_counts) | set(seg_counts):  # vectors without a manifest: a crash
            if aid not in states:
                states[aid] = ArticleState(aid, "", "", "", "", 0, 0, False)
        return states

    @staticmethod
    def _counts(collection) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for meta in collection.get(include=["metadatas"])["metadatas"] or []:
            per = counts.setdefault(meta["article_id"], {})
            per[meta["article_hash"]] = per.get(meta["article_hash"], 0) + 1
        return counts

    def generation(self) -> str:
        """A token that changes whenever chunks are written or deleted ("" for a new store)."""
        with self.storage("reading the generation"):
            got = self.meta.get(ids=["generation"], include=["metadatas"])
        return str(got["metadatas"][0]["token"]) if got["ids"] and got["metadatas"] else ""

    def _bump(self) -> None:
        self.meta.upsert(ids=["generation"], embeddings=[[1.0]], metadatas=[{"token": uuid.uuid4().hex}])

    # --- writes --------------------------------------------------------------------------
    def delete_article(self, article_id: str, bump: bool = True) -> None:
        where = {"article_id": article_id}
        with self.storage(f"removing {article_id}"):
            self.manifest.delete(where=where)
            self.chunks.delete(where=where)
            self.segments.delete(where=where)
            if bump:
                self._bump()

    def write_article(self, manifest: dict[str, Any], body: str, chunks: list[Record], segments: list[Record]) -> None:
        """Replace one article: old manifest and vectors out, new vectors in, manifest last."""
        self.delete_article(manifest["article_id"], bump=False)  # one generation per replaced article
        with self.storage(f"writing {manifest['article_id']}"):
            for collection, records in ((self.chunks, chunks), (self.segments, segments)):
                for i in range(0, len(records), BATCH):
                    batch = records[i : i + BATCH]
                    collection.upsert(ids=[r.id for r in batch], documents=[r.text for r in batch],
                                      embeddings=[r.embedding for r in batch], metadatas=[r.metadata for r in batch])
            self.manifest.upsert(ids=[manifest["article_id"]], documents=[body], embeddings=[[1.0]],
                                 metadatas=[manifest])
            self._bump()

    # --- reads ---------------------------------------------------------------------------
    def all_chunks(self) -> tuple[list[str], list[str], list[dict]]:
        got = self.chunks.get(include=["documents", "metadatas"])
        return got["ids"], got["documents"] or [], got["metadatas"] or []

    def iter_chunks(self, batch: int = 5000):
        """Every chunk as (ids, documents, metadatas) pages, so a large index is never held twice."""
        total = self.chunks.count()
        for offset in range(0, total, batch):
            got = self.chunks.get(include=["documents", "metadatas"], limit=batch, offset=offset)
            yield got["ids"], got["documents"] or [], got["metadatas"] or []

    def chunks_by_id(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        """Text and metadata of these chunks (the lexical side returns ids only)."""
        if not ids:
            return {}
        with self.storage("reading chunks"):
            got = self.chunks.get(ids=list(ids), include=["documents", "metadatas"])
        return {cid: (doc, meta) for cid, doc, meta in zip(got["ids"], got["documents"] or [], got["metadatas"] or [])}

    def chunks_of(self, article_id: str) -> tuple[list[str], list[str], list[dict]]:
        got = self.chunks.get(where={"article_id": article_id}, include=["documents", "metadatas"])
        return got["ids"], got["documents"] or [], got["metadatas"] or []

    def query(self, embedding: list[float], n: int,
              articles: frozenset[str] | None = None) -> list[tuple[str, float, str, dict]]:
        """Nearest chunks as (id, cosine similarity, text, metadata), best first; with
        ``articles``, only chunks of those articles (a Chroma ``where``, rag/retrieval/scope.py)."""
        with self.storage("searching"):
            total = self.chunks.count()
            if total == 0 or (articles is not None and not articles):
                return []
            where = None if articles is None else {"article_id": {"$in": sorted(articles)}}
            got = self.chunks.query(query_embeddings=[embedding], n_results=min(n, total), where=where,
                                    include=["documents", "metadatas", "distances"])
        return [(cid, 1.0 - dist, doc, meta) for cid, dist, doc, meta in
                zip(got["ids"][0], got["distances"][0], got["documents"][0], got["metadatas"][0])]

    def segments_of(self, article_ids: list[str]) -> list[tuple[str, list[float], dict]]:
        if not article_ids:
            return []
        with self.storage("reading sentences"):
            got = self.segments.get(where={"article_id": {"$in": list(article_ids)}},
                                    include=["documents", "metadatas", "embeddings"])
        return list(zip(got["documents"], got["embeddings"], got["metadatas"]))

    def article(self, article_id: str) -> tuple[str, dict] | None:
        with self.storage("reading an article"):
            got = self.manifest.get(ids=[article_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        return got["documents"][0], got["metadatas"][0]

    def count(self) -> tuple[int, int]:
        """(articles, chunks)."""
        with self.storage("counting"):
            return self.manifest.count(), self.chunks.count()
