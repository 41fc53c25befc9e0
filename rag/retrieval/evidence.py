"""Pick the few sentences the model reads, and number them as sources. Pure (numpy only).

A 1.5B model on 2 cores reads ~75 prompt tokens/s, so every pasted chunk costs the user
seconds and dilutes attention. Instead of whole chunks we score the stored sentence segments
of the retrieved articles against the question and keep the best ones within a token budget:

    score = cosine(question, segment) + 0.15 * (share of question terms in the segment)
            + 0.04 if the segment lies in one of the top-3 retrieved chunks

(the weights, the "3" and the budget are settings: ``evidence_*`` and ``context_tokens``; the
functions here take them as arguments and keep no defaults of their own, so Settings stays
their one home).

Selected segments are grouped per article; each article becomes one numbered source
``[n] title`` with its segments in document order, so a citation number maps to one article.
The best plain cosine is also returned: it is the relevance signal for refusing early.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from rag.retrieval.passage import ArticleSpan
from rag.text.normalize import tokenize


@dataclass
class Segment(ArticleSpan):
    """A sentence segment of an article (stored at ingest, with its embedding), scored here."""
    embedding: list[float] = field(repr=False, default_factory=list)
    in_top_chunk: bool = False
    score: float = 0.0
    cosine: float = 0.0


@dataclass
class Source:
    number: int
    article_id: str
    title: str
    date: str
    segments: list[Segment]

    @property
    def texts(self) -> list[str]:
        return [s.text for s in self.segments]


def lexical_overlap(question_terms: set[str], text: str) -> float:
    """Share of the question's index terms that occur in ``text``.

    >>> lexical_overlap({"اذربيج", "ناتو"}, "أذربيجان والناتو")
    1.0
    """
    if not question_terms:
        return 0.0
    return len(question_terms & set(tokenize(text))) / len(question_terms)


def score_segments(question: str, query_vector: list[float], segments: list[Segment], *, lexical_weight: float,
                   top_chunk_bonus: float) -> float:
    """Fill in ``cosine`` and ``score`` for each segment; return the best cosine."""
    if not segments:
        return 0.0
    q = np.asarray(query_vector, dtype=np.float32)
    q /= np.linalg.norm(q) or 1.0
    m = np.asarray([s.embedding for s in segments], dtype=np.float32)
    m /= np.clip(np.linalg.norm(m, axis=1, keepdims=True), 1e-9, None)
    cosines = m @ q
    terms = set(tokenize(question))
    for seg, cos in zip(segments, cosines):
        seg.cosine = float(cos)
        seg.score = (float(cos) + lexical_weight * lexical_overlap(terms, seg.text)
                     + (top_chunk_bonus if seg.in_top_chunk else 0.0))
    return float(cosines.max())


def select_sources(
    segments: list[Segment],
    budget_tokens: int,
    count_tokens: Callable[[str], int],
    *,
    max_segments: int,
    margin: float,
    neighbours: int = 0,
    whole_chunks: bool = False,
) -> list[Source]:
    """Best-scoring segments within the budget (and within ``margin`` of the best), grouped
    into numbered per-article sources. With ``neighbours`` > 0, the segments right before and
    after each of the best ``neighbours`` segments come next, budget allowing: a long sentence
    cut at its commas often holds the answer in the clause next to the one that matched.
    Segments must already be scored. With ``whole_chunks`` the model reads the best retrieved
    chunks whole instead (every segment inside them, budget allowing): the shape plain
    llama-index gives it, kept for measuring what the shape is worth."""
    if whole_chunks:
        segments = [s for s in segments if s.in_top_chunk] or segments
        max_segments, margin = len(segments), float("inf")
    ranked = sorted(segments, key=lambda s: s.score, reverse=True)
    chosen: list[Segment] = []
    used = 0
    for seg in ranked:
        if len(chosen) >= max_segments or (chosen and seg.score < ranked[0].score - margin):
            break
        cost = count_tokens(seg.text)
        if chosen and used + cost > budget_tokens:
            continue
        chosen.append(seg)
        used += cost
    if neighbours:
        by_article: dict[str, list[Segment]] = {}
        for seg in sorted(segments, key=lambda s: s.start):
            by_article.setdefault(seg.article_id, []).append(seg)
        for best in list(chosen[:neighbours]):
            row = by_article[best.article_id]
            i = row.index(best)
            for near in row[i + 1:i + 2] + row[max(0, i - 1):i]:
                cost = count_tokens(near.text)
                if near not in chosen and used + cost <= budget_tokens:
                    chosen.append(near)
                    used += cost
    return group_sources(chosen)


def group_sources(chosen: list[Segment]) -> list[Source]:
    """Chosen segments -> numbered sources, one per article, articles in the order of their
    first (best) segment, each article's segments in document order."""
    order: list[str] = []
    for seg in chosen:
        if seg.article_id not in order:
            order.append(seg.article_id)
    sources = []
    for number, article_id in enumerate(order, start=1):
        segs = sorted((s for s in chosen if s.article_id == article_id), key=lambda s: s.start)
        sources.append(Source(number, article_id, segs[0].title, segs[0].date, segs))
    return sources
