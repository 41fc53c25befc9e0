"""Hybrid retrieval: dense (embedding cosine) + lexical BM25, fused by reciprocal rank fusion.

RRF (score = sum over retrievers of w / (k + rank)) needs no score calibration between a cosine
and a BM25 scale, which is why it is used instead of a weighted sum. Dense retrieval carries
cross-lingual questions (English question, Arabic text: BM25 finds nothing); BM25 rescues rare
names and numbers that the embedding blurs. The lexical weight ``w`` is the share of the
question's terms that occur in the corpus at all, so BM25 votes fully for a question in the
articles' language and hardly at all for one in another language.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field

from rag.retrieval.lexical import BM25Index
from rag.store import ChunkStore

log = logging.getLogger(__name__)


@dataclass
class Passage:
    chunk_id: str
    article_id: str
    title: str
    date: str
    text: str
    start: int
    end: int
    score: float  # fused RRF score
    dense_score: float | None = None  # cosine similarity, when the dense side found it
    bm25_score: float | None = None  # BM25 score, when the lexical side found it

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ArticleHits:
    article_id: str
    title: str
    score: float
    passages: list[Passage] = field(default_factory=list)


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


def group_by_article(passages: list[Passage]) -> list[ArticleHits]:
    """Articles in order of their best passage; each keeps its passages in rank order."""
    groups: dict[str, ArticleHits] = {}
    for p in passages:
        hit = groups.setdefault(p.article_id, ArticleHits(p.article_id, p.title, p.score))
        hit.passages.append(p)
    return list(groups.values())


class HybridRetriever:
    def __init__(self, store: ChunkStore, rrf_k: int = 60, candidates: int = 30):
        self.store, self.rrf_k, self.candidates = store, rrf_k, candidates
        self.bm25 = BM25Index()
        self._meta: dict[str, tuple[str, dict]] = {}
        ids, docs, metas = store.all_chunks()
        for cid, doc, meta in zip(ids, docs, metas):
            self._add(cid, doc, meta)
        log.info("lexical index built over %d chunks", len(self.bm25))

    def _add(self, cid: str, doc: str, meta: dict) -> None:
        self._meta[cid] = (doc, meta)
        self.bm25.add(cid, f"{meta.get('title', '')}\n{doc}")

    def refresh(self, article_ids: list[str]) -> None:
        """Bring the lexical index in step with the store for these articles."""
        for aid in article_ids:
            prefix = f"{aid}:"
            self.bm25.remove_prefix(prefix)
            for cid in [c for c in self._meta if c.startswith(prefix)]:
                del self._meta[cid]
            ids, docs, metas = self.store.chunks_of(aid)
            for cid, doc, meta in zip(ids, docs, metas):
                self._add(cid, doc, meta)

    def search(self, question: str, query_vector: list[float], k: int) -> list[Passage]:
        dense = self.store.query(query_vector, max(self.candidates, k))
        lexical = self.bm25.search(question, max(self.candidates, k))
        dense_scores = {cid: sim for cid, sim, _, _ in dense}
        for cid, _, doc, meta in dense:
            self._meta.setdefault(cid, (doc, meta))
        bm25_scores = dict(lexical)
        # The lexical list only votes as far as the question's words exist in the corpus: an
        # English question over Arabic articles matches a stray number at best.
        lexical_weight = self.bm25.coverage(question)
        fused = rrf_fuse([[cid for cid, *_ in dense], [cid for cid, _ in lexical]], self.rrf_k,
                         [1.0, lexical_weight])
        ranked = sorted(fused, key=lambda cid: fused[cid], reverse=True)[:k]
        out = []
        for cid in ranked:
            doc, meta = self._meta[cid]
            out.append(Passage(cid, meta["article_id"], meta.get("title", ""), meta.get("date", ""), doc,
                               int(meta["start"]), int(meta["end"]), fused[cid],
                               dense_scores.get(cid), bm25_scores.get(cid)))
        return out
