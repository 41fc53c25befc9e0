"""The lexical side of retrieval: Okapi BM25 (bm25s) over Arabic-normalised, light-stemmed terms.

bm25s stores a sparse matrix of precomputed per-term scores, so a query is a few sparse column
sums (about a millisecond at 100k chunks) and an index opens by memory-mapping a few arrays:
nothing at start-up grows with the corpus except reading that file. The trade-off is that a bm25s
index is immutable: any change to the chunks rebuilds it (tokenise + index, O(corpus)). That is
cheap next to ingest, which has to embed the same text; ``rag/retrieval/lexical_sync.py``
decides when to rebuild and keeps answering from the previous index meanwhile.

The tokeniser is the project's own (``rag.text.normalize.tokenize``: Arabic letter variants,
tashkeel, clitics), the same one the answer checks use; bm25s's own English stemmer and
stopwords are not used.

>>> index = LexicalIndex.build(["a", "b"], ["الاتحاد الأوروبي يدعم أذربيجان", "NATO welcomes Azerbaijan"])
>>> [doc for doc, _ in index.search("الإتحاد الاوروبى", 5)]
['a']
>>> index.coverage("الاتحاد الأوروبي"), index.coverage("European Union")
(1.0, 0.0)
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from rag.retrieval.scope import article_of_chunk
from rag.text.normalize import tokenize

log = logging.getLogger(__name__)

FORMAT = "bm25s-v1"  # bump when the tokeniser or the file layout changes: forces a rebuild


class LexicalIndex:
    """An immutable BM25 index over chunk ids (``build`` or ``load``, then ``search``)."""

    def __init__(self, ids: list[str], model, generation: str = ""):
        self.ids, self.model, self.generation = ids, model, generation
        self.vocab: dict[str, int] = dict(model.vocab_dict) if model is not None else {}

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def build(cls, ids: list[str], texts: Iterable[str], generation: str = "", k1: float = 1.2,
              b: float = 0.75) -> LexicalIndex:
        import bm25s

        # bm25s sets its own logger to DEBUG at import, so "Building index ..." would print
        # through any handler the application configured
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        vocab: dict[str, int] = {}
        corpus: list[list[int]] = []
        for text in texts:
            corpus.append([vocab.setdefault(term, len(vocab)) for term in tokenize(text)])
        if not ids or not vocab:  # no chunks, or not a single index term in them
            return cls(list(ids), None, generation)
        model = bm25s.BM25(k1=k1, b=b, method="lucene")
        model.index(bm25s.tokenization.Tokenized(ids=corpus, vocab=vocab), show_progress=False)
        return cls(list(ids), model, generation)

    # --- persistence ---------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        """Write into a temporary folder, then swap it in: a reader never sees half an index."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".lexical-", dir=directory.parent))
        try:
            if self.model is not None:
                self.model.save(str(tmp / "bm25"))
            (tmp / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
            (tmp / "state.json").write_text(json.dumps({"format": FORMAT, "generation": self.generation,
                                                         "chunks": len(self.ids)}), encoding="utf-8")
            old = directory.with_name(directory.name + ".old")
            if directory.exists():
                os.replace(directory, old)
            os.replace(tmp, directory)
            shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex | None:
        """The saved index, or None when there is none or it is unreadable/stale in format."""
        if not (directory / "state.json").is_file():
            return None
        try:
            state = json.loads((directory / "state.json").read_text(encoding="utf-8"))
            if state.get("format") != FORMAT:
                return None
            ids = json.loads((directory / "ids.json").read_text(encoding="utf-8"))
            model = None
            if ids:
                import bm25s

                logging.getLogger("bm25s").setLevel(logging.WARNING)  # see build()
                model = bm25s.BM25.load(str(directory / "bm25"), mmap=True)
            return cls(ids, model, state.get("generation", ""))
        except (OSError, ValueError, KeyError) as exc:
            log.warning("lexical index at %s unreadable (%s): it will be rebuilt", directory, exc)
            return None

    # --- queries -------------------------------------------------------------------------
    def term_ids(self, query: str) -> list[int]:
        return sorted({self.vocab[t] for t in tokenize(query) if t in self.vocab})

    def coverage(self, query: str) -> float:
        """Share of the query's terms that occur anywhere in the index (0 for an English
        question over Arabic articles, ~1 for a question in the corpus language)."""
        terms = set(tokenize(query))
        return sum(1 for t in terms if t in self.vocab) / len(terms) if terms else 0.0

    def search(self, query: str, n: int, articles: frozenset[str] | None = None) -> list[tuple[str, float]]:
        """Top ``n`` (chunk id, score) with score > 0, best first; with ``articles``, only chunks
        of those articles compete (a mask before the top-n, so a narrow scope still fills n)."""
        terms = self.term_ids(query)
        if not terms or self.model is None or n < 1:
            return []
        scores = np.asarray(self.model.get_scores(terms))
        if articles is not None:
            keep = np.fromiter((article_of_chunk(cid) in articles for cid in self.ids), bool, len(self.ids))
            scores = np.where(keep, scores, 0.0)
        n = min(n, len(scores))
        top = np.argpartition(-scores, n - 1)[:n]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.ids[i], float(scores[i])) for i in top if scores[i] > 0]
