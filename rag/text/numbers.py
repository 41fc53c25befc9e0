"""Numbers stated in text, in digits or words, Arabic or English. Pure.

A number in an answer is a claim that must be in its source, so both sides are read the same
way: digits in any script ("١٢٠٬٠٠٠"), a small model's spaced thousands ("120, 000"), number
words ("ثلاثة", "three"), Arabic teens written as two words ("إحدى عشرة" = 11) and a scale after
a number ("50 ألف" = 50,000). The trade-off: only 2..19 are read as words ("one"/"واحد" too
often are not a quantity), so "a dozen" or a computed total is not recognised, which makes a
correct paraphrase fail rather than a wrong number pass.

>>> sorted(numbers_in("He evacuated 120, 000 people in ٢٠٢١ over three days"))
[3, 2021, 120000]
>>> sorted(numbers_in("يمر عبر إحدى عشرة دولة"))
[11]
>>> sorted(terms("استغرقت الزيارة ثلاثة أيام"))
['3', 'استغرقت', 'ايام', 'زيار']
"""

from __future__ import annotations

import re

from rag.text.arabic import clitic_variants
from rag.text.normalize import join_spaced_thousands, normalize, stem, tokenize, words

# Normalised number words ("one"/"واحد" are too often not a quantity to count as one).
NUMBER_WORDS = {
    "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "ثلاث": 3, "ثلاثه": 3, "اربع": 4, "اربعه": 4,
    "خمس": 5, "خمسه": 5, "سته": 6, "ست": 6, "سبع": 7, "سبعه": 7, "ثمان": 8, "ثماني": 8, "ثمانيه": 8,
    "تسع": 9, "تسعه": 9, "عشر": 10, "عشره": 10,
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
    # tens and hundreds; an Arabic tens word has a nominative (-ون) and an oblique (-ين) form
    **{f"{stem}{end}": 10 * n for n, stem in enumerate(
        ("عشر", "ثلاث", "اربع", "خمس", "ست", "سبع", "ثمان", "تسع"), start=2) for end in ("ون", "ين")},
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "مئه": 100, "مائه": 100, "مئتان": 200, "مئتين": 200, "مائتان": 200,
    "مائتين": 200,
}
DECADES = {v for k, v in NUMBER_WORDS.items() if v in range(20, 100, 10)}
# Arabic 11..19 are two words, a unit then عشر/عشرة ("إحدى عشرة" = 11): read as one number,
# or "إحدى عشرة دولة" would count as 10. These units only mean a number before عشر.
TEEN_UNITS = {"احد": 1, "احدي": 1, "اثنا": 2, "اثني": 2, "اثنتا": 2, "اثنتي": 2}
TENS = {"عشر", "عشره"}


def numeric_form(text: str) -> str:
    """Normalised text with "120, 000" (a small model's thousands separator) joined."""
    return join_spaced_thousands(normalize(text), "")


def _number_word(word: str) -> int | None:
    return next((NUMBER_WORDS[w] for w in clitic_variants(word) if w in NUMBER_WORDS), None)


def _unit(word: str) -> int | None:
    """A unit that can start an Arabic teen: 1..9 as a number word, or احد/اثنا..."""
    value = _number_word(word)
    if value is not None and value < 10:
        return value
    return next((TEEN_UNITS[w] for w in clitic_variants(word) if w in TEEN_UNITS), None)


def number_words(ws: list[str]) -> list[tuple[str, int | None]]:
    """Each word with the number it states (None if none); a number written as two words (an
    Arabic teen, "خمسة وعشرون", "twenty five") becomes one entry.

    >>> number_words(["عبر", "احدي", "عشره", "دوله"])
    [('عبر', None), ('احدي عشره', 11), ('دوله', None)]
    >>> number_words(["خمسه", "وعشرين", "عاما"]), number_words(["twenty", "five", "years"])
    ([('خمسه وعشرين', 25), ('عاما', None)], [('twenty five', 25), ('years', None)])
    """
    out: list[tuple[str, int | None]] = []
    i = 0
    while i < len(ws):
        unit = _unit(ws[i])
        after = _number_word(ws[i + 1]) if i + 1 < len(ws) else None
        if unit is not None and i + 1 < len(ws) and ws[i + 1] in TENS:
            out.append((f"{ws[i]} {ws[i + 1]}", unit + 10))
            i += 2
            continue
        value = _number_word(ws[i])
        if unit is not None and after in DECADES and ws[i + 1].startswith("و"):  # five and twenty
            out.append((f"{ws[i]} {ws[i + 1]}", unit + after))
            i += 2
            continue
        if value in DECADES and after is not None and after < 10 and ws[i + 1].isascii():  # twenty-five
            out.append((f"{ws[i]} {ws[i + 1]}", value + after))
            i += 2
            continue
        out.append((ws[i], value))
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
    form = numeric_form(text)
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
    if 2 in found and not re.search(r"(?<![\d.])2(?![\d.])", numeric_form(sentence)):
        found.discard(2)
    return found


def terms(text: str) -> set[str]:
    """Index terms with number words written as digits, so "three" matches "3" and "ثلاثة"."""
    out = set()
    for word, value in number_words(words(numeric_form(text))):
        out.update([str(value)] if value is not None else tokenize(word))
    return out

def match_terms(text: str) -> set[str]:
    """Index terms plus the stems of every word without its leading clitic, so that "لكراناش"
    in an answer meets "كراناش" in a source (the light stemmer strips only و/ف/ب alone)."""
    out = terms(text)
    for word in words(normalize(text)):
        out.update(stem(v) for v in clitic_variants(word)[1:])
    return out


def new_terms(text: str, question: str) -> set[str]:
    """Index terms of ``text`` whose word, with or without its clitic, is not in ``question``.

    >>> sorted(new_terms("لتسلا", "من أعاد البراءات إلى تسلا؟")), sorted(new_terms("في همذان", "أين توفي؟"))
    ([], ['همذ'])
    """
    asked = match_terms(question)
    out: set[str] = set()
    for word, value in number_words(words(numeric_form(text))):
        forms = {str(value)} if value is not None else set(tokenize(word))
        if forms and not (forms | {stem(v) for v in clitic_variants(word)[1:]}) & asked:
            out |= forms
    return out


# Month names, normalised (rag.text.normalize), in English and in both Arabic naming systems
# (Egyptian/Gulf يناير..., Levantine/Iraqi كانون الثاني...): a date is the same claim in either.
MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يوليو": 7,
    "اغسطس": 8, "سبتمبر": 9, "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
    "كانون الثاني": 1, "شباط": 2, "اذار": 3, "نيسان": 4, "ايار": 5, "حزيران": 6, "تموز": 7,
    "اب": 8, "ايلول": 9, "تشرين الاول": 10, "تشرين الثاني": 11, "كانون الاول": 12,
}


# Weekdays, normalised. An Arabic weekday counts in an answer only after يوم ("يوم الاثنين"):
# الاثنين is also "the two" and الاحد "the one"; in a source every form counts (a missed
# weekday there would refuse a right answer, an extra one lets nothing wrong through).
WEEKDAYS = {"monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7,
            "الاثنين": 1, "الثلاثاء": 2, "الاربعاء": 3, "الخميس": 4, "الجمعه": 5, "السبت": 6, "الاحد": 7}


def weekdays_in(text: str, claimed: bool = False) -> set[int]:
    """Weekdays named in ``text`` (as 1..7 from Monday); ``claimed``: as an answer claims them.

    >>> sorted(weekdays_in("met on Tuesday")), sorted(weekdays_in("وصل الاثنين", claimed=True))
    ([2], [])
    >>> sorted(weekdays_in("وصل يوم الاثنين", claimed=True)), sorted(weekdays_in("وصل الاثنين"))
    ([1], [1])
    """
    normal = normalize(text)
    found = set()
    for name, day in WEEKDAYS.items():
        lead = r"يوم\s+" if claimed and name.startswith("ال") else r"[وب]?"
        if re.search(rf"(?<!\w){lead}{name}(?!\w)", normal):
            found.add(day)
    return found
