"""Stage 2, retrieval: dense + Arabic-normalised BM25 fused by weighted RRF (hybrid.py,
lexical.py), then the few sentences the model reads, numbered as sources (evidence.py)."""

from rag.retrieval.hybrid import ArticleHits, HybridRetriever, Passage, group_by_article

__all__ = ["ArticleHits", "HybridRetriever", "Passage", "group_by_article"]
