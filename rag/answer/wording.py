"""How a question is asked and what an answer's wording adds: count questions, choice
questions, echoes. Pure.

These rules read only the question and the answer text, never the sources, so they catch
replies that are grounded but do not answer: "the participants were from Lebanon" to "how
many participants?", or "Azerbaijan." to "which city after Azerbaijan?".
"""

from __future__ import annotations

import re

from rag.text.arabic import BRACKETED, arabic_ratio, clitic_variants
from rag.text.normalize import normalize, words
from rag.text.numbers import MONTHS, new_terms, numbers_in, numeric_form

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


_DATE_QUESTION = re.compile(r"\bwhen\b|\b(?:what|which) (?:year|month|day|date|century)\b|(?:^|\s)متى(?=\s|$)|"
                            r"(?:^|\s)في اي (?:عام|سنه|شهر|يوم|تاريخ|قرن)|(?:^|\s)ما (?:هو )?تاريخ")
_PERSON_QUESTION = re.compile(r"\bwho(?:m|se)?\b|^\s*(?:و)?من (?:هو|هي|هم|الذي|التي|الذين)?")
_PLACE_QUESTION = re.compile(r"\bwhere\b|(?:^|\s)(?:و)?اين(?=\s|$)")


def asked_kinds(question: str) -> set[str]:
    """What kind of claim the question asks for: "number", "date", "name" (a person), "place". An answer whose claim of that kind has no support has no core: it is
    refused, not repaired.

    >>> sorted(asked_kinds("When did he visit Baku?")), sorted(asked_kinds("من هو وزير الدفاع؟"))
    (['date'], ['name'])
    >>> sorted(asked_kinds("كم يوما تستغرق الزيارة؟")), sorted(asked_kinds("Where did they meet?"))
    (['number'], ['place'])
    """
    normal = normalize(question)
    kinds = {"number"} if asks_for_count(question) else set()
    if _DATE_QUESTION.search(normal) or _DATE_QUESTION.search(question.lower()):
        kinds.add("date")
    if _PERSON_QUESTION.search(question.lower()) or _PERSON_QUESTION.search(normal):
        kinds.add("name")
    if _PLACE_QUESTION.search(question.lower()) or _PLACE_QUESTION.search(normal):
        kinds.add("place")
    return kinds


def claim_kind(missing: str) -> str:
    """The kind of an unsupported claim as grounding names it ("2019", "month 3", "Jens").

    >>> claim_kind("2019"), claim_kind("15"), claim_kind("month 3"), claim_kind("Jens"), claim_kind("quote x")
    ('date', 'number', 'date', 'name', 'quote')
    """
    if missing.startswith(("month ", "weekday ")) or (missing.isdigit() and 1000 <= int(missing) <= 2100):
        return "date"
    if missing.isdigit():
        return "number"
    return missing.split()[0] if missing.startswith(("quote ", "item ")) else "name"


_ERA_WORDS = {"century", "centuries", "decade", "decades", "era", "age", "ages", "period", "قرن", "القرن", "قرون",
              "عقد", "عصر", "العصر", "العصور", "حقبه", "فتره", "سنوات", "اعوام", "عام", "سنه"}


def states_asked_kind(answer: str, question: str) -> bool:
    """Does the answer state a claim of the kind the question asks for: a quantity for "how
    many", a date (a number, a month or an era word) for "when", a name for "who" (in English a
    capitalised name word; an Arabic name has no mark, so any Arabic answer counts)? A question
    of no such kind is always answered in kind.

    >>> states_asked_kind("He was born in Cairo.", "In which year was he born?")
    False
    >>> states_asked_kind("ولد عام 1911.", "في أي عام ولد؟"), states_asked_kind("In the open air.", "Where was it?")
    (True, True)
    """
    from rag.text.names import name_words  # names read a word list; imported where needed

    kinds = asked_kinds(question)
    if "number" in kinds and not states_quantity(answer, question):
        return False
    if "date" in kinds:
        normal_words = set(words(normalize(answer)))
        if not (numbers_in(answer) or normal_words & _ERA_WORDS or any(m in normalize(answer) for m in MONTHS)):
            return False
    if "name" in kinds and not arabic_ratio(answer) > 0.5 and not name_words(answer, known=question):
        return False
    return True
