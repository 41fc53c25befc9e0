"""Does a cited source actually support an answer sentence? Pure (numpy only).

Support of a sentence by one source is the best, over the source's segments, of
- the embedding cosine between the sentence (query prompt) and the segment (document prompt),
  which works across languages (English answer, Arabic source), and
- the lexical share of the sentence's index terms found in the segment (same language).

A number guard overrides both: a sentence that states a number the source does not contain
(``150,000`` against a source saying ``120,000``) is not supported by that source, however
similar the wording. Number words count as numbers ("ثلاثة أيام" supports "3 days"), and a
model's "120, 000" is read as 120000. Trade-off: this rejects some correct paraphrases (a
computed total, "a dozen"), which is the right side to err on for a citation.

>>> sorted(numbers_in("He evacuated 120, 000 people in ٢٠٢١ over three days"))
[3, 2021, 120000]
>>> sorted(terms("استغرقت الزيارة ثلاثة أيام"))
['3', 'استغرقت', 'ايام', 'زيار']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rag.evidence import Segment, Source
from rag.normalize import join_spaced_thousands, normalize, tokenize, words

# Normalised number words (2..12; "one"/"واحد" are too often not a quantity).
NUMBER_WORDS = {
    "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4,
    "خمس": 5, "خمسه": 5, "سته": 6, "ست": 6, "سبع": 7, "سبعه": 7, "ثمان": 8, "ثماني": 8, "ثمانيه": 8,
    "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10,
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12,
}


def _numeric_form(text: str) -> str:
    """Normalised text with "120, 000" (a small model's thousands separator) joined."""
    return join_spaced_thousands(normalize(text), "")


def _number_word(word: str) -> int | None:
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    if word[:1] in "وبل" and word[1:] in NUMBER_WORDS and len(word) > 3:  # وثلاثة, بثلاثة
        return NUMBER_WORDS[word[1:]]
    return None


def numbers_in(text: str) -> set[int]:
    form = _numeric_form(text)
    found = {int(n) for n in re.findall(r"\d+", form) if len(n) < 12}
    return found | {v for w in words(form) if (v := _number_word(w)) is not None}


def terms(text: str) -> set[str]:
    """Index terms with number words written as digits, so "three" matches "3" and "ثلاثة"."""
    out = set()
    for word in words(_numeric_form(text)):
        value = _number_word(word)
        out.update([str(value)] if value is not None else tokenize(word))
    return out


def lexical_support(sentence: str, segment: str) -> float:
    """Share of the sentence's index terms that occur in the segment."""
    wanted = terms(sentence)
    if not wanted:
        return 0.0
    return len(wanted & terms(segment)) / len(wanted)


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
