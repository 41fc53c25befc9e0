"""What retrieval returns in the project's own API: a ranked chunk of one article, and the
per-article grouping the UI and CLI show. Pure dataclasses (the llama-index node form of the
same data is built in nodes.py)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class ArticleSpan:
    """A stretch of one article's cleaned body: ``text`` is ``body[start:end]``. Retrieval's
    chunks (``Passage``) and evidence's sentence segments (``evidence.Segment``) are both spans."""
    article_id: str
    title: str
    date: str
    text: str
    start: int
    end: int


@dataclass
class Passage(ArticleSpan):
    chunk_id: str
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


def group_by_article(passages: list[Passage]) -> list[ArticleHits]:
    """Articles in order of their best passage; each keeps its passages in rank order."""
    groups: dict[str, ArticleHits] = {}
    for p in passages:
        hit = groups.setdefault(p.article_id, ArticleHits(p.article_id, p.title, p.score))
        hit.passages.append(p)
    return list(groups.values())
