"""Hybrid retrieval: dense (embedding cosine) + lexical BM25, fused by reciprocal rank fusion.

RRF (score = sum over retrievers of w / (k + rank)) needs no score calibration between a cosine
and a BM25 scale, which is why it is used instead of a weighted sum. Dense retrieval carries
cross-lingual questions (English question, Arabic text: BM25 finds nothing); BM25 rescues rare
names and numbers that the embedding blurs. The lexical weight ``w`` is the share of the
question's terms that occur in the corpus at all, so BM25 votes fully for a question in the
articles' language and hardly at all for one in another language.

The retriever is a llama-index ``BaseRetriever``: ``retrieve(QueryBundle)`` returns
``NodeWithScore`` chunk nodes (nodes.py), and reuses ``QueryBundle.embedding`` when the caller
has embedded the question already, so a question is embedded once per answer. ``search()`` is
the project's own thin wrapper returning ``Passage`` objects.
"""

from __future__ import annotations

import logging

from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.callbacks import CallbackManager
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle

from rag.retrieval.lexical_sync import SyncedLexicalIndex
from rag.retrieval.nodes import node_to_passage, passage_to_node
from rag.retrieval.passage import ArticleHits, Passage, group_by_article
from rag.store import ChunkStore

__all__ = ["ArticleHits", "HybridRetriever", "Passage", "group_by_article", "rrf_fuse"]

log = logging.getLogger(__name__)


def rrf_fuse(rankings: list[list[str]], k: int, weights: list[float] | None = None) -> dict[str, float]:
    """(Weighted) reciprocal rank fusion of several ranked id lists.

    >>> fused = rrf_fuse([["a", "b"], ["b", "c"]], k=60)
    >>> sorted(fused, key=fused.get, reverse=True)
    ['b', 'a', 'c']
    >>> fused = rrf_fuse([["a", "b"], ["b", "c"]], k=60, weights=[1.0, 0.0])
    >>> sorted(fused, key=fused.get, reverse=True)
    ['a', 'b', 'c']
    """
    weights = weights or [1.0] * len(rankings)
    scores: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights):
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank)
    return scores


class HybridRetriever(BaseRetriever):
    """Dense + Arabic-normalised BM25, fused by weighted RRF, as a llama-index retriever.

    >>> retriever = rag.as_retriever(k=5)                                   # doctest: +SKIP
    >>> [n.node.metadata["title"] for n in retriever.retrieve("Who met Stoltenberg?")]  # doctest: +SKIP
    """

    def __init__(self, store: ChunkStore, embed_model: BaseEmbedding, rrf_k: int, candidates: int,
                 top_k: int, callback_manager: CallbackManager | None = None,
                 lexical: SyncedLexicalIndex | None = None):
        super().__init__(callback_manager=callback_manager or CallbackManager([]))
        if top_k < 1 or candidates < 1 or rrf_k < 1:
            raise ValueError("top_k, candidates and rrf_k must be positive")
        self.store, self.embed_model = store, embed_model
        self.rrf_k, self.candidates, self.top_k = rrf_k, candidates, top_k
        # persisted and shared across processes (lexical_sync.py); in memory only when not given
        self.bm25 = lexical if lexical is not None else SyncedLexicalIndex(store, None)
        self.articles: frozenset[str] | None = None  # the scope: None searches every article

    def refresh(self) -> None:
        """Bring the lexical index in step with the store now (after this process ingested)."""
        self.bm25.rebuild()

    def with_top_k(self, top_k: int) -> HybridRetriever:
        """A view of this retriever returning ``top_k`` nodes (shares the index, no rebuild)."""
        view = object.__new__(HybridRetriever)
        view.__dict__.update(self.__dict__)
        view.top_k = top_k
        return view

    def with_scope(self, articles: frozenset[str] | None) -> HybridRetriever:
        """A view searching only these articles' chunks, dense and lexical alike (scope.py)."""
        view = self.with_top_k(self.top_k)
        view.articles = articles
        return view

    # --- llama-index interface -----------------------------------------------------------
    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        vector = query_bundle.embedding
        if vector is None:
            vector = self.embed_model.get_query_embedding(query_bundle.query_str)
            query_bundle.embedding = vector
        return self.nodes(query_bundle.query_str, vector, self.top_k)

    # --- the project's own API -----------------------------------------------------------
    def search(self, question: str, query_vector: list[float], k: int) -> list[Passage]:
        return [node_to_passage(n) for n in self.nodes(question, query_vector, k)]

    def nodes(self, question: str, query_vector: list[float], k: int) -> list[NodeWithScore]:
        n = max(self.candidates, k)
        dense = self.store.query(query_vector, n, self.articles)
        lexical = self.bm25.current()
        found = lexical.search(question, n, self.articles)
        dense_scores = {cid: sim for cid, sim, _, _ in dense}
        bm25_scores = dict(found)
        # The lexical list only votes as far as the question's words exist in the corpus: an
        # English question over Arabic articles matches a stray number at best.
        lexical_weight = lexical.coverage(question)
        fused = rrf_fuse([[cid for cid, *_ in dense], [cid for cid, _ in found]], self.rrf_k,
                         [1.0, lexical_weight])
        ranked = sorted(fused, key=lambda cid: fused[cid], reverse=True)[:k]
        texts = {cid: (doc, meta) for cid, _, doc, meta in dense}
        texts.update(self.store.chunks_by_id([cid for cid in ranked if cid not in texts]))
        out = []
        for cid in ranked:
            if cid not in texts:  # deleted since the lexical index was built: skip it
                continue
            if self.articles is not None and texts[cid][1]["article_id"] not in self.articles:
                continue  # never reached: both sides filter; kept so no path can leave the scope
            doc, meta = texts[cid]
            out.append(passage_to_node(Passage(
                meta["article_id"], meta.get("title", ""), meta.get("date", ""), doc, int(meta["start"]),
                int(meta["end"]), chunk_id=cid, score=fused[cid], dense_score=dense_scores.get(cid),
                bm25_score=bm25_scores.get(cid))))
        return out
