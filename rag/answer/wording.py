"""How a question is asked and what an answer's wording adds: count questions, choice
questions, echoes. Pure.

These rules read only the question and the answer text, never the sources, so they catch
replies that are grounded but do not answer: "the participants were from Lebanon" to "how
many participants?", or "Azerbaijan." to "which city after Azerbaijan?".
"""

from __future__ import annotations

import re

from rag.text.arabic import BRACKETED, clitic_variants
from rag.text.normalize import normalize, words
from rag.text.numbers import new_terms, numbers_in, numeric_form

# A "how many" question is answered only by a quantity. These words state one without a digit.
_QUANTITY_WORDS = {"one", "single", "once", "twice", "thrice", "dozens", "hundreds", "thousands", "millions",
                   "none", "واحد", "واحده", "عشرات", "مئات", "الاف", "ملايين"}
_COUNTED_NOUN = re.compile(r"(?:^|\s)[وف]?ب?كم\s+(\w+)")
_COUNT_QUESTION = re.compile(r"\bhow\s+(?:many|much)\b|(?:^|\s)[وف]?ب?كم(?=\s|$)|(?:^|\s)ما\s+(?:هو\s+|هي\s+)?(?:متوسط\s+)?عدد\b")


def asks_for_count(question: str) -> bool:
    """Is this a "how many / how much" question (كم، بكم، ما عدد)?

    >>> asks_for_count("How many stations does it have?"), asks_for_count("بكم ارتفع حجم التبادل؟")
    (True, True)
    >>> asks_for_count("ما عدد خطوط المترو؟"), asks_for_count("من هو حاكمكم؟"), asks_for_count("Who is he?")
    (True, False, False)
    """
    return bool(_COUNT_QUESTION.search(normalize(question)))


def duals(noun: str) -> set[str]:
    """The Arabic dual of a normalised noun, which says "two" by its ending alone.

    >>> sorted(duals("مره")), sorted(duals("يوم"))
    (['مرتان', 'مرتين'], ['يومان', 'يومين'])
    """
    base = noun[:-1] + "ت" if noun.endswith("ه") else noun
    return {base + "ان", base + "ين"}


def states_quantity(text: str, question: str = "") -> bool:
    """Does an answer (without citation markers) state a number or a quantity word? After
    "كم <noun>" the noun's dual counts too ("كم مرة؟" - "مرتين", twice).

    >>> states_quantity("The participants were from Lebanon (لبنان)."), states_quantity("زيارة تستغرق ثلاثة أيام")
    (False, True)
    >>> states_quantity("فاز بالكأس مرتين", "كم مرة فاز بالكأس؟")
    True
    """
    answer_words = words(numeric_form(text))
    if numbers_in(text) or any(w in _QUANTITY_WORDS for w in answer_words):
        return True
    counted = _COUNTED_NOUN.search(normalize(question))
    forms = duals(counted.group(1)) if counted else set()
    return any(set(clitic_variants(w)) & forms for w in answer_words)


# A choice question ("A or B?") is answered by one of its own terms; a yes/no reply may only
# repeat the question with a negation. Neither is an echo.
_CHOICE = re.compile(r"\s(?:or|او|ام)\s")
_POLAR = {"yes", "no", "not", "نعم", "لا", "لم", "لن", "ليس", "كلا"}


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
        answer = BRACKETED.sub(" ", answer)
    return not new_terms(answer, question)
