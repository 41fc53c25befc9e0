"""Does a cited source actually support an answer sentence? Pure (numpy only).

Support of a sentence by one source is the best, over the source's segments, of
- the embedding cosine between the sentence (query prompt) and the segment (document prompt),
  which works across languages (English answer, Arabic source), and
- the lexical share of the sentence's index terms found in the segment (same language).

A number guard overrides both: a sentence that states a number the source does not contain
(``150,000`` against a source saying ``120,000``) is not supported by that source, however
similar the wording. Trade-off: this rejects some correct paraphrases ("three" vs "3" passes,
but a computed total would not), which is the right side to err on for a citation.

>>> numbers_in("He evacuated 120,000 people in ٢٠٢١")
{120000, 2021}
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rag.evidence import Segment, Source
from rag.normalize import normalize, tokenize


def numbers_in(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"\d+", normalize(text)) if len(n) < 12}


def lexical_support(sentence: str, segment: str) -> float:
    """Share of the sentence's index terms that occur in the segment."""
    terms = set(tokenize(sentence))
    if not terms:
        return 0.0
    return len(terms & set(tokenize(segment))) / len(terms)


@dataclass
class Support:
    score: float
    segment: Segment | None


def _cos(a: np.ndarray, b: list[float]) -> float:
    v = np.asarray(b, dtype=np.float32)
    denom = float(np.linalg.norm(a) * np.linalg.norm(v)) or 1.0
    return float(a @ v) / denom


def support(sentence: str, sentence_vector: list[float], source: Source) -> Support:
    """Best-supporting segment of ``source`` for ``sentence`` and its score (0 if a number
    in the sentence is absent from the source)."""
    source_numbers = numbers_in(" ".join([source.title, source.date, *source.texts]))
    if source.date:
        source_numbers |= {int(p) for p in source.date.split("-")}
    if not numbers_in(sentence) <= source_numbers:
        return Support(0.0, None)
    q = np.asarray(sentence_vector, dtype=np.float32)
    best = Support(0.0, None)
    for seg in source.segments:
        score = max(_cos(q, seg.embedding), lexical_support(sentence, seg.text))
        if score > best.score:
            best = Support(score, seg)
    return best
