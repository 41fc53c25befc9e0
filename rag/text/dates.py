"""Dates written in article text: ``find_date`` (the first full calendar date, for an article's
publication date) and ``mentioned_dates`` (every date a sentence names, at the precision it is
written: a day, a month or a year, for timelines). Pure, no I/O; one home for the date rules.

Month names come from ``rag.text.numbers.MONTHS`` (English and both Arabic naming systems).
A bare number is a year only in 1900-2100 and only after a word that introduces a year
("in", "since", "منذ"), or in 500-2100 after "عام"/"سنة" or before "م" (AD): "35 مليار" or
"COP29" never become years. The trade-off:
"the 2024 budget" is missed as a date; a timeline then lacks one event rather than gaining a
wrong one.

>>> mentioned_dates("منذ انضمام أذربيجان إلى الشراكة في عام 1994 وحتى 5 مارس 2023")
['1994', '2023-03-05']
>>> mentioned_dates("In March 2024 the bank raised rates; since 2016 it has floated twice.")
['2024-03', '2016']
>>> mentioned_dates("ولد سنة 980 م، وتوفي في همدان سنة 1037 م")
['0980', '1037']
"""

from __future__ import annotations

import datetime as dt
import re

from rag.text.normalize import normalize
from rag.text.numbers import MONTHS

_DATE_PATTERNS = [
    # 18-3-2024 | 16:11, 18/03/2024
    (re.compile(r"\b(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\b"), ("d", "m", "y")),
    # 2024-03-18
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), ("y", "m", "d")),
]
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_WORDS = re.compile(rf"\b(\d{{1,2}}) ({_MONTH_NAMES}),? (\d{{4}})\b")
_DATE_WORDS_EN = re.compile(rf"\b({_MONTH_NAMES}) (\d{{1,2}}),? (\d{{4}})\b")
_MONTH_YEAR = re.compile(rf"\b({_MONTH_NAMES}),? (\d{{4}})\b")
_YEAR = re.compile(r"\b(?:in|since|from|until|by|منذ|خلال|في)\s+(\d{4})\b")
# Arabic has words that only ever introduce a year (عام, سنة), and "م" after a year marks it AD:
# there older, three-digit years are dates too ("ولد سنة 980 م").
_YEAR_WORD = re.compile(r"(?:\b(?:عام|العام|عامي|سنه|السنه|سنتي)\s+(\d{3,4})\b|\b(\d{3,4}) ?م(?!\w))")


def _iso(y: int, m: int, d: int) -> str | None:
    """ISO form of a real calendar date in 1900-2100, else None ("31-2-2024" is no date).

    >>> _iso(2024, 2, 29), _iso(2023, 2, 29), _iso(2024, 2, 31)
    ('2024-02-29', None, None)
    """
    if not 1900 <= y <= 2100:
        return None
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def find_date(text: str) -> str | None:
    """First plausible calendar date in the text, as ISO.

    >>> find_date("18-3-2024 | 16:11"), find_date("نشر في 5 مارس 2023"), find_date("no date")
    ('2024-03-18', '2023-03-05', None)
    """
    norm = normalize(text)
    for pattern, order in _DATE_PATTERNS:
        for match in pattern.finditer(norm):
            parts = dict(zip(order, map(int, match.groups())))
            if parts["m"] > 12 and parts["d"] <= 12:  # month-first source
                parts["m"], parts["d"] = parts["d"], parts["m"]
            iso = _iso(parts["y"], parts["m"], parts["d"])
            if iso:
                return iso
    for match in _DATE_WORDS.finditer(norm):
        iso = _iso(int(match.group(3)), MONTHS[match.group(2)], int(match.group(1)))
        if iso:
            return iso
    for match in _DATE_WORDS_EN.finditer(norm):
        iso = _iso(int(match.group(3)), MONTHS[match.group(1)], int(match.group(2)))
        if iso:
            return iso
    return None


def mentioned_dates(text: str) -> list[str]:
    """Every date ``text`` names, as ISO at its written precision, in order of appearance."""
    norm = normalize(text)
    found: list[tuple[int, int, str]] = []  # (start, end, iso)

    def add(match: re.Match, iso: str | None) -> None:
        if iso and not any(s <= match.start() < e for s, e, _ in found):
            found.append((match.start(), match.end(), iso))

    for pattern, order in _DATE_PATTERNS:
        for m in pattern.finditer(norm):
            parts = dict(zip(order, map(int, m.groups())))
            add(m, _iso(parts["y"], parts["m"], parts["d"]))
    for m in _DATE_WORDS.finditer(norm):
        add(m, _iso(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1))))
    for m in _DATE_WORDS_EN.finditer(norm):
        add(m, _iso(int(m.group(3)), MONTHS[m.group(1)], int(m.group(2))))
    for m in _MONTH_YEAR.finditer(norm):
        if 1900 <= int(m.group(2)) <= 2100:
            add(m, f"{int(m.group(2)):04d}-{MONTHS[m.group(1)]:02d}")
    for m in _YEAR.finditer(norm):
        if 1900 <= int(m.group(1)) <= 2100:
            add(m, m.group(1))
    for m in _YEAR_WORD.finditer(norm):
        year = int(m.group(1) or m.group(2))
        if 500 <= year <= 2100:
            add(m, f"{year:04d}")
    return [iso for _, _, iso in sorted(found)]
