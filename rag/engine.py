"""The public entry point: one object that owns the index, the models and the answering path.

``RAG.from_settings(settings)`` is the single place where the pipeline is built: it creates the
Chroma store, the embedding component and the LLM backend factory, and hands them explicitly
to the retriever, the ingestor and the answerer. Nothing is global; two ``RAG`` objects with
different settings can live side by side (the tests do this).

>>> from rag import RAG, Settings                                # doctest: +SKIP
>>> rag = RAG.from_settings(Settings())                          # doctest: +SKIP
>>> rag.ingest(["seeds"]).summary()                              # doctest: +SKIP
>>> rag.ask("Who did Stoltenberg meet in Baku?").text            # doctest: +SKIP
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Iterator

from rag.answer.answerer import Answer, Answerer, StreamEvent
from rag.backends import BackendFactory
from rag.embedder import SentenceEmbedder
from rag.ingest.pipeline import IngestReport, Ingestor
from rag.retrieval.hybrid import HybridRetriever, Passage
from rag.settings import Settings
from rag.store import ChunkStore

log = logging.getLogger(__name__)


class RAG:
    def __init__(self, settings: Settings, store: ChunkStore, embedder: SentenceEmbedder,
                 backends: BackendFactory | None = None):
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.retriever = HybridRetriever(store, settings.rrf_k, settings.candidates)
        self.backends = backends or BackendFactory(settings)
        self.answerer = Answerer(settings, store, embedder, self.backends)

    @classmethod
    def from_settings(cls, settings: Settings | None = None) -> "RAG":
        settings = settings or Settings()
        return cls(settings, ChunkStore(settings), SentenceEmbedder.from_settings(settings))

    # --- indexing ------------------------------------------------------------------------
    def ingest(self, paths: list[str | Path], reset: bool = False, prune: bool = True) -> IngestReport:
        report = Ingestor(self.settings, self.store, self.embedder).run([Path(p) for p in paths], reset, prune)
        if reset:
            self.retriever = HybridRetriever(self.store, self.settings.rrf_k, self.settings.candidates)
        else:
            self.retriever.refresh(report.added + report.updated + report.removed)
        return report

    def stats(self) -> dict:
        articles, chunks = self.store.count()
        return {"articles": articles, "chunks": chunks, "collection": self.store.name,
                "location": self.store.location}

    def articles(self) -> list[dict]:
        return sorted(({"article_id": s.article_id, "title": s.title, "date": s.date, "path": s.path,
                        "chunks": s.n_chunks, "complete": s.complete}
                       for s in self.store.articles().values()), key=lambda a: a["article_id"])

    def article_text(self, article_id: str) -> tuple[str, dict] | None:
        """(cleaned body, manifest metadata) of one article, or None."""
        return self.store.article(article_id)

    # --- retrieval -----------------------------------------------------------------------
    def embed_query(self, question: str) -> list[float]:
        return self.embedder.get_query_embedding(question)

    def retrieve(self, question: str, k: int | None = None) -> list[Passage]:
        return self.retrieve_with_vector(question, k)[0]

    def retrieve_with_vector(self, question: str, k: int | None = None) -> tuple[list[Passage], list[float]]:
        if not question or not question.strip():
            raise ValueError("the question is empty")
        vector = self.embed_query(question)
        return self.retriever.search(question, vector, k or self.settings.top_k), vector

    # --- answering -----------------------------------------------------------------------
    def stream(self, question: str, history: list[dict] | None = None, *, backend: str | None = None,
               language: str | None = None, k: int | None = None) -> Iterator[StreamEvent]:
        """Yields StreamEvent(delta=...) while generating, then one StreamEvent(answer=Answer)."""
        started = time.perf_counter()
        standalone = self.answerer.rewrite(question, history or [], backend)
        t0 = time.perf_counter()
        passages, vector = self.retrieve_with_vector(standalone, k)
        retrieval_s = time.perf_counter() - t0
        yield from self.answerer.stream(question, standalone, passages, vector, backend=backend,
                                        language=language, started=started, retrieval_s=retrieval_s)

    def ask(self, question: str, history: list[dict] | None = None, **kwargs) -> Answer:
        answer = None
        for event in self.stream(question, history, **kwargs):
            if event.answer is not None:
                answer = event.answer
        assert answer is not None
        return answer
