"""Detect the language of a question (Arabic or English) from its letters. Pure.

The product answers in the question's language, so the decision has to be robust to mixed
text: "What did جيهون بيراموف say?" is an English question. We count words by script and call
it Arabic only when Arabic words are the majority; digits and punctuation do not vote. An empty or letterless string falls back to ``default``.

>>> detect_language("ما هي عاصمة أذربيجان؟"), detect_language("What did بيراموف say?")
('ar', 'en')
"""

from __future__ import annotations

import re

from rag.text.arabic import ARABIC_CHAR, arabic_ratio

_WORD = re.compile(r"[^\W\d_]+")  # letters only: digits and punctuation do not vote


def detect_language(text: str, default: str = "en") -> str:
    """Majority of words by script; a tie goes to the script of the first word."""
    words = _WORD.findall(text)
    if not words:
        return default
    arabic = [arabic_ratio(w) > 0.5 for w in words]
    n_ar = sum(arabic)
    if n_ar * 2 == len(words):
        return "ar" if arabic[0] else "en"
    return "ar" if n_ar * 2 > len(words) else "en"


def written_in(text: str, lang: str) -> bool:
    """Does ``text`` hold at least one word (two letters or more) in ``lang``'s script? A bare
    "5 [1]." or "980 م." holds none, so it is no answer *in* Arabic or English, however right
    the number.

    >>> written_in("980 م. [1]", "ar"), written_in("قدمت 5 مبادئ [1]", "ar"), written_in("1994", "en")
    (False, True, False)
    """
    return any(len(w) > 1 and (arabic_ratio(w) > 0.5) == (lang == "ar") for w in _WORD.findall(text))


def answer_language(text: str) -> str:
    """Language of a generated answer: Arabic names in parentheses inside an English answer
    must not flip it, so the threshold is the same majority rule as for questions."""
    return detect_language(text)


_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")


def foreign_script(text: str, at_least: int = 2) -> bool:
    """Does ``text`` hold letters of a third script (neither Arabic nor Latin: Chinese, Cyrillic,
    Hebrew ...)? A 1.5B model sometimes slips into one mid-sentence.

    >>> foreign_script("تقع المدينة في 中国 الشمالية"), foreign_script("Café Rabat (الرباط)"), foreign_script("π")
    (True, False, False)
    """
    odd = sum(1 for ch in text if ch.isalpha() and not ARABIC_CHAR.match(ch) and not _LATIN.match(ch))
    return odd >= at_least
