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
>>> sorted(numbers_in("يمر عبر إحدى عشرة دولة"))
[11]
>>> sorted(terms("استغرقت الزيارة ثلاثة أيام"))
['3', 'استغرقت', 'ايام', 'زيار']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from rag.retrieval.evidence import Segment, Source
from rag.text.normalize import is_arabic_word, join_spaced_thousands, normalize, tokenize, words

# Normalised number words (2..12; "one"/"واحد" are too often not a quantity).
NUMBER_WORDS = {
    "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4,
    "خمس": 5, "خمسه": 5, "سته": 6, "ست": 6, "سبع": 7, "سبعه": 7, "ثمان": 8, "ثماني": 8, "ثمانيه": 8,
    "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10,
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
# Arabic 11..19 are two words, a unit then عشر/عشرة ("إحدى عشرة" = 11): read as one number,
# or "إحدى عشرة دولة" would count as 10. These units only mean a number before عشر.
TEEN_UNITS = {"احد": 1, "احدي": 1, "اثنا": 2, "اثني": 2, "اثنتا": 2, "اثنتي": 2}
TENS = {"عشر", "عشره"}


def _numeric_form(text: str) -> str:
    """Normalised text with "120, 000" (a small model's thousands separator) joined."""
    return join_spaced_thousands(normalize(text), "")


def _forms(word: str) -> tuple[str, ...]:
    """The word, and without a leading و/ب/ل clitic when it has one (وثلاثة, بثلاثة)."""
    return (word, word[1:]) if word[:1] in "وبل" and len(word) > 3 else (word,)


def _number_word(word: str) -> int | None:
    return next((NUMBER_WORDS[w] for w in _forms(word) if w in NUMBER_WORDS), None)


def _unit(word: str) -> int | None:
    """A unit that can start an Arabic teen: 1..9 as a number word, or احد/اثنا..."""
    value = _number_word(word)
    if value is not None and value < 10:
        return value
    return next((TEEN_UNITS[w] for w in _forms(word) if w in TEEN_UNITS), None)


def number_words(ws: list[str]) -> list[tuple[str, int | None]]:
    """Each word with the number it states (None if none); an Arabic teen becomes one entry.

    >>> number_words(["عبر", "احدي", "عشره", "دوله"])
    [('عبر', None), ('احدي عشره', 11), ('دوله', None)]
    """
    out, i = [], 0
    while i < len(ws):
        unit = _unit(ws[i])
        if unit is not None and i + 1 < len(ws) and ws[i + 1] in TENS:
            out.append((f"{ws[i]} {ws[i + 1]}", unit + 10))
            i += 2
            continue
        out.append((ws[i], _number_word(ws[i])))
        i += 1
    return out


# A digit number followed by a scale word ("50 ألف" = 50000, "2.3 million" = 2300000).
SCALES = {"الف": 10**3, "الاف": 10**3, "مليون": 10**6, "ملايين": 10**6, "مليار": 10**9, "مليارات": 10**9,
          "thousand": 10**3, "million": 10**6, "billion": 10**9}
_SCALED = re.compile(r"(\d+(?:\.\d+)?)\s*(" + "|".join(SCALES) + r")s?\b")


def numbers_in(text: str, unscaled: bool = False) -> set[int]:
    """Numbers stated in ``text``; a scaled number counts as its value only ("50 thousand" is
    50000), or also as its digits with ``unscaled`` (for a source, so that "50 ألف" supports
    both "50,000" and "50 thousand").

    >>> sorted(numbers_in("50 ألف دولار")), sorted(numbers_in("2.3 million euros", unscaled=True))
    ([50000], [2, 3, 2300000])
    """
    form = _numeric_form(text)
    scaled = {round(float(m.group(1)) * SCALES[m.group(2)]) for m in _SCALED.finditer(form)}
    rest = form if unscaled else _SCALED.sub(" ", form)
    found = {int(n) for n in re.findall(r"\d+", rest) if len(n) < 12}
    return found | scaled | {v for _, v in number_words(words(rest)) if v is not None}


def claimed_numbers(sentence: str) -> set[int]:
    """The numbers an answer sentence claims, for the number guard. "two" written as a word is
    left out: Arabic says two with a dual ending ("دولتين", two countries), which no word
    lookup sees, so an English "two new countries" would otherwise fail against its source.

    >>> sorted(claimed_numbers("8000 participants from two new countries"))
    [8000]
    """
    found = numbers_in(sentence)
    if 2 in found and not re.search(r"(?<![\d.])2(?![\d.])", _numeric_form(sentence)):
        found.discard(2)
    return found


# A "how many" question is answered only by a quantity. These words state one without a digit.
_QUANTITY_WORDS = {"one", "single", "dozens", "hundreds", "thousands", "millions", "none",
                   "واحد", "واحده", "عشرات", "مئات", "الاف", "ملايين"}
_COUNT_QUESTION = re.compile(r"\bhow\s+(?:many|much)\b|(?:^|\s)[وف]?ب?كم(?=\s|$)|(?:^|\s)ما\s+(?:هو\s+|هي\s+)?(?:متوسط\s+)?عدد\b")


def asks_for_count(question: str) -> bool:
    """Is this a "how many / how much" question (كم، بكم، ما عدد)?

    >>> asks_for_count("How many stations does it have?"), asks_for_count("بكم ارتفع حجم التبادل؟")
    (True, True)
    >>> asks_for_count("ما عدد خطوط المترو؟"), asks_for_count("من هو حاكمكم؟"), asks_for_count("Who is he?")
    (True, False, False)
    """
    return bool(_COUNT_QUESTION.search(normalize(question)))


def states_quantity(text: str) -> bool:
    """Does an answer (without citation markers) state a number or a quantity word?

    >>> states_quantity("The participants were from Lebanon (لبنان)."), states_quantity("زيارة تستغرق ثلاثة أيام")
    (False, True)
    """
    return bool(numbers_in(text)) or any(w in _QUANTITY_WORDS for w in words(_numeric_form(text)))


# A choice question ("A or B?") is answered by one of its own terms; a yes/no reply may only
# repeat the question with a negation. Neither is an echo.
_CHOICE = re.compile(r"\s(?:or|او|ام)\s")
_POLAR = {"yes", "no", "not", "نعم", "لا", "لم", "لن", "ليس", "كلا"}
_BRACKETED_ARABIC = re.compile(r"\([^()]*[\u0600-\u06ff][^()]*\)")


def echoes_question(answer: str, question: str, lang: str) -> bool:
    """Does the answer (without citation markers) only repeat the question's own terms?

    Such a reply names no fact the question lacks: "أذربيجان." to "which city after
    Azerbaijan?". In an English answer the bracketed Arabic source spellings are left out, as
    they restate the words before them.

    >>> echoes_question("أذربيجان.", "إلى أي مدينة يتجه بعد أذربيجان؟", "ar")
    True
    >>> echoes_question("He visits Baku (باكو) to meet the leaders.", "Which city does he visit to meet the leaders?", "en")
    False
    >>> echoes_question("Baku.", "Does he visit Baku or Tbilisi first?", "en")
    False
    """
    if _CHOICE.search(f" {normalize(question)} ") or _POLAR & set(words(answer)):
        return False
    if lang == "en":
        answer = _BRACKETED_ARABIC.sub(" ", answer)
    return not terms(answer) - terms(question)


def terms(text: str) -> set[str]:
    """Index terms with number words written as digits, so "three" matches "3" and "ثلاثة"."""
    out = set()
    for word, value in number_words(words(_numeric_form(text))):
        out.update([str(value)] if value is not None else tokenize(word))
    return out


def lexical_support(sentence: str, segment: str) -> float:
    """Share of the sentence's index terms that occur in the segment, counting only the terms
    written in the segment's script when the sentence mixes scripts: an English answer's words
    cannot occur in an Arabic source, but the Arabic spelling it carries ("Jean-Pierre Moreau
    (جان بيير مورو)") can. At least two such terms are needed, so a lone bracketed place name
    ("(لبنان)") is not support on its own.

    >>> lexical_support("Jean-Pierre Biery (جان بيير مورو) is from Montpellier.", "الباحث جان بيير مورو من جامعة مونبلييه")
    1.0
    >>> lexical_support("The study included people from Lebanon (لبنان).", "شارك مرضى من تونس ولبنان")
    0.0

    A sentence in the segment's language with one foreign token is scored as usual:

    >>> lexical_support("قمة المناخ COP29 في باكو", "تستضيف باكو قمة المناخ")  # 3 of 5 terms
    0.6
    """
    wanted = terms(sentence)
    have = terms(segment)
    arabic_segment = sum(map(is_arabic_word, have)) > len(have) / 2
    foreign = [t for t in wanted if not t.isdigit() and is_arabic_word(t) != arabic_segment]
    if len(foreign) > len(wanted) / 2:
        # Mostly in the other script: the spelling carried over must be whole words (3+
        # letters) of the segment, all of them: a half-copied name ("نبيل ال hassان") is none.
        carried = {t for t in wanted if is_arabic_word(t) == arabic_segment and len(t) >= 3
                   and not re.search(r"[a-z]", t)}
        return 1.0 if len(carried) >= 2 and carried <= have else 0.0
    if not wanted:
        return 0.0
    return len(wanted & have) / len(wanted)


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
    source_numbers = numbers_in(" ".join([source.title, source.date, *source.texts]), unscaled=True)
    if source.date:
        source_numbers |= {int(p) for p in source.date.split("-")}
    if not claimed_numbers(sentence) <= source_numbers:
        return Support(0.0, None)
    q = np.asarray(sentence_vector, dtype=np.float32)
    best = Support(0.0, None)
    for seg in source.segments:
        score = max(_cos(q, seg.embedding), lexical_support(sentence, seg.text))
        if score > best.score:
            best = Support(score, seg)
    return best
