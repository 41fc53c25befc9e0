"""In-memory Okapi BM25 over Arabic-normalised, light-stemmed terms.

Built once from the store's chunks when the index opens, then kept in step by ``add`` and
``remove`` as ingest writes articles; queries never rebuild it. Document frequencies are
maintained incrementally, so an update costs O(terms of the changed chunks). The trade-off
against a sparse-matrix library (bm25s): a plain dict of postings is slower on millions of
chunks but has no build step and no dependency, which is right for a news desk's corpus.

>>> index = BM25Index()
>>> index.add("a", "الاتحاد الأوروبي يدعم أذربيجان")
>>> index.add("b", "NATO welcomes Azerbaijan")
>>> [doc for doc, _ in index.search("الإتحاد الاوروبى", 5)]
['a']
"""

from __future__ import annotations

import math
from collections import Counter

from rag.text.normalize import tokenize


class BM25Index:
    def __init__(self, k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self._tf: dict[str, Counter] = {}
        self._len: dict[str, int] = {}
        self._df: Counter = Counter()
        self._postings: dict[str, set[str]] = {}
        self._total_len = 0

    def __len__(self) -> int:
        return len(self._tf)

    def add(self, doc_id: str, text: str) -> None:
        if doc_id in self._tf:
            self.remove(doc_id)
        tf = Counter(tokenize(text))
        self._tf[doc_id] = tf
        self._len[doc_id] = sum(tf.values())
        self._total_len += self._len[doc_id]
        for term in tf:
            self._df[term] += 1
            self._postings.setdefault(term, set()).add(doc_id)

    def remove(self, doc_id: str) -> None:
        tf = self._tf.pop(doc_id, None)
        if tf is None:
            return
        self._total_len -= self._len.pop(doc_id)
        for term in tf:
            self._df[term] -= 1
            self._postings[term].discard(doc_id)
            if self._df[term] <= 0:
                del self._df[term]
                del self._postings[term]

    def remove_prefix(self, prefix: str) -> None:
        for doc_id in [d for d in self._tf if d.startswith(prefix)]:
            self.remove(doc_id)

    def idf(self, term: str) -> float:
        """Inverse document frequency of an index term (high for a rare one, 0 with no chunks).

        >>> index = BM25Index(); index.add("a", "الاتحاد الأوروبي"); index.add("b", "الاتحاد")
        >>> index.idf("اوروب") > index.idf("اتحاد")
        True
        """
        n_docs, df = len(self._tf), self._df.get(term, 0)
        return math.log(1 + (n_docs - df + 0.5) / (df + 0.5)) if n_docs else 0.0

    def coverage(self, query: str) -> float:
        """Share of the query's terms that occur anywhere in the index (0 for an English
        question over Arabic articles, ~1 for a question in the corpus language).

        >>> index = BM25Index(); index.add("a", "الاتحاد الأوروبي")
        >>> index.coverage("الاتحاد الأوروبي"), index.coverage("European Union")
        (1.0, 0.0)
        """
        terms = set(tokenize(query))
        return sum(1 for t in terms if t in self._df) / len(terms) if terms else 0.0

    def search(self, query: str, n: int) -> list[tuple[str, float]]:
        """Top ``n`` (doc_id, score) with score > 0, best first."""
        if not self._tf:
            return []
        n_docs = len(self._tf)
        avg_len = self._total_len / n_docs or 1.0
        scores: dict[str, float] = {}
        for term in set(tokenize(query)):
            df = self._df.get(term, 0)
            if not df:
                continue
            idf = self.idf(term)
            for doc_id in self._postings[term]:
                f = self._tf[doc_id][term]
                norm = f * (self.k1 + 1) / (f + self.k1 * (1 - self.b + self.b * self._len[doc_id] / avg_len))
                scores[doc_id] = scores.get(doc_id, 0.0) + idf * norm
        best = sorted(scores.items(), key=lambda item: item[1], reverse=True)[:n]
        return [(doc, score) for doc, score in best if score > 0]
