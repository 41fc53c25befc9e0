"""The public entry point: one object that owns the index, the models and the answering path.

``RAG.from_settings(settings)`` is the single place where the pipeline is built: it creates the
Chroma store, the embedding component and the LLM backend factory, and hands them explicitly
to the llama-index components (``HybridRetriever``, ``EvidenceSelector``,
``GroundedQueryEngine``, ``BilingualChatEngine``). Nothing is global: llama-index's ``Settings``
is never set or read, every component gets its ``embed_model``/``llm`` explicitly, and two
``RAG`` objects with different settings can live side by side (the tests do this).

>>> from rag import RAG, Settings                                # doctest: +SKIP
>>> rag = RAG.from_settings(Settings())                          # doctest: +SKIP
>>> rag.ingest(["seeds"]).summary()                              # doctest: +SKIP
>>> rag.ask("Who did Stoltenberg meet in Baku?").text            # doctest: +SKIP
>>> response = rag.as_query_engine().query("من التقى ستولتنبرغ؟")  # a llama-index Response  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

from rag.answer.answerer import Answer, Answerer, StreamEvent
from rag.answer.chat_engine import BilingualChatEngine
from rag.answer.checks import build_checks
from rag.answer.query_engine import GroundedQueryEngine
from rag.answer.selector import EvidenceSelector
from rag.backends import BackendFactory, BackendLLM
from rag.embedder import SentenceEmbedder
from rag.errors import RagError
from rag.export import conversation_markdown
from rag.heap_trim import release_freed_memory
from rag.ingest.pipeline import Ingestor, IngestReport
from rag.ingest.web import collect, is_link
from rag.kinds.answers import KindAnswerer
from rag.retrieval.hybrid import HybridRetriever, Passage
from rag.retrieval.lexical_sync import SyncedLexicalIndex, lexical_dir
from rag.retrieval.scope import Scope, scope_from_filters
from rag.settings import Settings
from rag.store import ChunkStore
from rag.text.question import clean_question

log = logging.getLogger(__name__)


class RAG:
    def __init__(self, settings: Settings, store: ChunkStore, embedder: SentenceEmbedder,
                 backends: BackendFactory | None = None):
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.retriever = self._retriever()
        self.backends = backends or BackendFactory(settings)
        checks = build_checks(settings, embedder)
        self.selector = EvidenceSelector(settings, store, embedder, checks.before_model)
        self.answerer = Answerer(settings, embedder, checks.after_model)
        self.kinds = KindAnswerer(settings, store, embedder, self.answerer)

    @classmethod
    def from_settings(cls, settings: Settings | None = None, llm: Any = None, *, rebuild_index: bool = False) -> RAG:
        """Build the pipeline; ``llm`` may be any llama-index ``LLM``, which then answers.
        ``rebuild_index``: an unreadable index folder is moved aside instead of raising
        ``StoreError`` (for ``ingest --reset``, which then re-reads the article files)."""
        settings = settings or Settings()
        return cls(settings, ChunkStore(settings, rebuild=rebuild_index), SentenceEmbedder.from_settings(settings),
                   BackendFactory(settings, llm=llm))

    def _retriever(self) -> HybridRetriever:
        s = self.settings
        lexical = SyncedLexicalIndex(self.store, lexical_dir(s), s.lexical_check_s)
        return HybridRetriever(self.store, self.embedder, s.rrf_k, s.candidates, s.top_k, lexical=lexical)

    # --- indexing ------------------------------------------------------------------------
    def ingest(self, paths: list[str | Path], reset: bool = False, prune: bool = True) -> IngestReport:
        """Index files, folders, and links: a page URL, or an RSS/Atom feed whose new entries
        are fetched (rag/ingest/web.py). A link that fails is reported in ``skipped``."""
        links = [str(p) for p in paths if is_link(p)]
        pages, failed = collect(links, self.settings) if links else ([], [])
        files = [Path(p) for p in paths if not is_link(p)] + pages
        if links and not files and not reset:  # every link failed: nothing to read, say why per link
            return IngestReport(skipped=failed)
        report = Ingestor(self.settings, self.store, self.embedder).run(files, reset, prune)
        report.skipped.extend(failed)
        if reset or report.added or report.updated or report.removed:
            self.retriever.refresh()
        return report

    def delete_article(self, article_id: str) -> str:
        """Remove one article: its passages and sentence vectors, its lexical entries (the store's
        generation changes, so every process's BM25 index rebuilds) and, when it was uploaded
        through the UI, its saved file. A file indexed from elsewhere belongs to the user and is
        kept: ingesting its folder again would bring it back, and the message says so."""
        state = self.store.articles().get(article_id)
        if state is None:
            raise RagError(f"no article with id {article_id!r}")
        with self.store.writing():
            self.store.delete_article(article_id)
        self.retriever.refresh()
        title = state.title or article_id
        path = Path(state.path) if state.path else None
        if path is None or not path.is_file():
            return f"deleted {title!r}"
        if self.settings.uploads_dir.resolve() in path.resolve().parents:
            try:
                path.unlink()
            except OSError as exc:
                return f"deleted {title!r} from the index; its file {path} could not be removed: {exc}"
            return f"deleted {title!r} and its uploaded file"
        log.info("deleted %s from the index; kept its source file %s", article_id, path)
        return f"deleted {title!r} from the index; its source file {path} is kept (ingesting that folder again adds it back)"

    def stats(self) -> dict:
        articles, chunks = self.store.count()
        return {"articles": articles, "chunks": chunks, "collection": self.store.name,
                "location": self.store.location}

    def articles(self) -> list[dict]:
        return sorted(({"article_id": s.article_id, "title": s.title, "date": s.date, "path": s.path,
                        "url": s.url, "chunks": s.n_chunks, "complete": s.complete}
                       for s in self.store.articles().values()), key=lambda a: a["article_id"])

    def export_markdown(self, answers: list[Answer], title: str = "Conversation") -> str:
        """Questions, checked answers and their sources (title, date, link or file, quote) as Markdown."""
        return conversation_markdown(answers, self.articles(), title)

    def article_text(self, article_id: str) -> tuple[str, dict] | None:
        """(cleaned body, manifest metadata) of one article, or None."""
        return self.store.article(article_id)

    # --- scope ---------------------------------------------------------------------------
    def scope(self, articles: list[str] | None = None, since=None, until=None) -> Scope:
        """A validated scope (ScopeError: bad date, unknown id, nothing left), see scope.py."""
        scope = Scope.of(articles, since, until)
        scope.allowed(self.store.catalog())  # raises when it is empty or names unknown ids
        return scope

    def _scoped(self, retriever: HybridRetriever, scope: Scope | None) -> HybridRetriever:
        if scope is None or scope.is_whole:
            return retriever
        return retriever.with_scope(scope.allowed(self.store.catalog()))

    # --- llama-index components ------------------------------------------------------------
    def as_retriever(self, k: int | None = None, *, filters=None, scope: Scope | None = None) -> HybridRetriever:
        """``filters``: llama-index ``MetadataFilters`` on ``article_id`` (==, in) and ``date``
        (>=, <=), enforced on both the dense and the lexical side."""
        return self._scoped(self.retriever.with_top_k(k or self.settings.top_k),
                            scope if filters is None else scope_from_filters(filters))

    def as_query_engine(self, *, backend: str | None = None, language: str | None = None, k: int | None = None,
                        streaming: bool = False, filters=None, scope: Scope | None = None) -> GroundedQueryEngine:
        return GroundedQueryEngine(self.as_retriever(k, filters=filters, scope=scope), self.selector, self.answerer,
                                   self.backends.get(backend), language=language, streaming=streaming,
                                   kinds=self.kinds)

    def as_chat_engine(self, *, backend: str | None = None, language: str | None = None,
                       k: int | None = None) -> BilingualChatEngine:
        return BilingualChatEngine(self.as_query_engine(backend=backend, language=language, k=k),
                                   memory_tokens=self.settings.chat_memory_tokens)

    def as_llm(self, backend: str | None = None) -> BackendLLM:
        """The configured backend (e.g. the embedded llama.cpp model) as a llama-index LLM."""
        return BackendLLM(self.backends.get(backend), self.settings.max_new_tokens, self.settings.temperature)

    def as_vector_store(self):
        """The chunk collection as a read-only llama-index ``ChromaVectorStore`` (optional extra
        ``vector-store``), for ``VectorStoreIndex.from_vector_store(store, embed_model=rag.embedder)``."""
        from rag.retrieval.vector_store import read_only_vector_store

        return read_only_vector_store(self.store)

    # --- retrieval -----------------------------------------------------------------------
    def embed_query(self, question: str) -> list[float]:
        return self.embedder.get_query_embedding(question)

    def retrieve(self, question: str, k: int | None = None, *, scope: Scope | None = None) -> list[Passage]:
        return self.retrieve_with_vector(question, k, scope=scope)[0]

    def retrieve_with_vector(self, question: str, k: int | None = None, *,
                             scope: Scope | None = None) -> tuple[list[Passage], list[float]]:
        question = clean_question(question, self.settings.max_question_chars)
        retriever = self._scoped(self.retriever, scope)
        vector = self.embed_query(question)
        return retriever.search(question, vector, k or self.settings.top_k), vector

    # --- answering -----------------------------------------------------------------------
    def stream(self, question: str, history: list[dict] | None = None, *, backend: str | None = None,
               language: str | None = None, k: int | None = None, articles: list[str] | None = None,
               since=None, until=None) -> Generator[StreamEvent, None, None]:
        """Yields StreamEvent(delta=...) while generating, then one StreamEvent(answer=Answer).
        ``articles``/``since``/``until`` limit what is read and cited (ScopeError if empty)."""
        started = time.perf_counter()
        engine = self.as_query_engine(backend=backend, language=language, k=k,
                                      scope=Scope.of(articles, since, until))
        try:
            for event, _ in engine.events(question, history=history, started=started):  # QuestionError: say why
                yield event
        finally:
            release_freed_memory()  # a server answering for days keeps its memory flat (rag/heap_trim.py)

    def ask(self, question: str, history: list[dict] | None = None, **kwargs) -> Answer:
        answer = None
        for event in self.stream(question, history, **kwargs):
            if event.answer is not None:
                answer = event.answer
        assert answer is not None
        return answer
