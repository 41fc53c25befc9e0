"""Which sentences a summary, a comparison or a timeline is made of. Pure (numpy only).

A summary's key sentences are chosen by relevance *and* centrality:

    score = relevance_weight * cosine(question, s) + (1 - relevance_weight) * mean cosine(s, others)

Relevance keeps the summary on the asked topic; centrality prefers the sentences the rest of
the scope keeps repeating (what the articles are *about*) over a striking aside. A sentence
nearly identical to one already chosen (cosine above ``duplicate``) is skipped: news agencies
repeat their lead. The trade-off against an LLM-written summary: every chosen sentence is a
real sentence with a real offset, so grounding holds by construction; the model may only
compress or translate them afterwards, under the usual checks.

>>> import numpy as np
>>> from rag.retrieval.evidence import Segment
>>> segs = [Segment("a", "A", "", t, i, i + 1, list(v)) for i, (t, v) in enumerate(
...     [("x", [1, 0]), ("x again", [0.999, 0.04]), ("y", [0.6, 0.8]), ("z", [0, 1])])]
>>> for s, c in zip(segs, [0.9, 0.9, 0.7, 0.1]): s.cosine = c
>>> [s.text for s in key_sentences(segs, 2, relevance_weight=0.6, duplicate=0.95)]
['x again', 'y']

("x" is as relevant but less central than its near-copy, and is skipped as a duplicate.)
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from rag.retrieval.evidence import Segment
from rag.text.splitter import split_sentences

MAX_SENTENCE_CHARS = 600  # a "sentence" longer than this (a run-on paragraph) is quoted by its segment


def _unit(segments: list[Segment]) -> np.ndarray:
    m = np.asarray([s.embedding for s in segments], dtype=np.float32)
    return m / np.clip(np.linalg.norm(m, axis=1, keepdims=True), 1e-9, None)


def key_sentences(segments: list[Segment], k: int, *, relevance_weight: float, duplicate: float) -> list[Segment]:
    """Up to ``k`` segments (their ``cosine`` to the question already set), best first."""
    if not segments or k < 1:
        return []
    m = _unit(segments)
    sims = m @ m.T
    n = len(segments)
    centrality = (sims.sum(axis=1) - 1.0) / max(n - 1, 1)
    scores = relevance_weight * np.array([s.cosine for s in segments]) + (1 - relevance_weight) * centrality
    chosen: list[int] = []
    for i in np.argsort(-scores, kind="stable"):
        if all(sims[i, j] < duplicate for j in chosen):
            chosen.append(int(i))
        if len(chosen) == k:
            break
    return [segments[i] for i in chosen]


def best_per_article(segments: list[Segment], per_article: int, floor: float) -> dict[str, list[Segment]]:
    """Each article's ``per_article`` segments closest to the question, kept only when their
    cosine reaches ``floor``; articles ordered by their best segment (for comparisons)."""
    by_article: dict[str, list[Segment]] = {}
    for seg in sorted(segments, key=lambda s: s.cosine, reverse=True):
        if seg.cosine >= floor and len(by_article.setdefault(seg.article_id, [])) < per_article:
            by_article[seg.article_id].append(seg)
    return {aid: sorted(segs, key=lambda s: s.start) for aid, segs in by_article.items() if segs}


def whole_sentences(segments: list[Segment], bodies: dict[str, str]) -> list[Segment]:
    """Each segment widened to the whole sentence it is part of (a long sentence is stored cut
    at its commas; a summary line should not end on "،"), offsets into the article body kept
    exact. A widened sentence already shown is not repeated.

    >>> body = "Aliyev met Stoltenberg, who praised Baku. Then he left."
    >>> part = Segment("a", "T", "", "who praised Baku.", 24, 41, [])
    >>> [s.text for s in whole_sentences([part, part], {"a": body})]
    ['Aliyev met Stoltenberg, who praised Baku.']
    """
    spans = {aid: split_sentences(body) for aid, body in bodies.items()}
    out: list[Segment] = []
    for seg in segments:
        start, end = seg.start, seg.end
        around = next(((a, b) for a, b in spans.get(seg.article_id, []) if a <= seg.start < b), None)
        if around and around[1] - around[0] <= MAX_SENTENCE_CHARS:
            start, end = around[0], max(around[1], seg.end)
        if any(o.article_id == seg.article_id and o.start < end and start < o.end for o in out):
            continue
        whole = (start, end) == (seg.start, seg.end)
        out.append(seg if whole else replace(seg, text=bodies[seg.article_id][start:end], start=start, end=end))
    return out
