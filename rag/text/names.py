"""Which capitalised words of an English sentence are names? Pure (reads a word list once).

Grounding checks that every name an English answer gives is in its source, and the Arabic
spelling is attached after each name; both need to tell "Denver" (a name) from "University",
"River" or a sentence-initial "The" (common words that happen to be capitalised). A word is a
name when it is capitalised and its lower-case form is not a common English word: an entry of
Webster's 2nd that is written in lower case (the ``english-words`` package), nor a title
("president", "minister"). Words of the question are not names to check: the reader gave them.
Trade-off: a name that is also a common word ("Bush", "China" as in porcelain) is not checked.

>>> name_words("The University of Denver hired Jeyhun Biramov in March.", known="Who did it hire?")
['Denver', 'Jeyhun', 'Biramov']
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.text.numbers import MONTHS, WEEKDAYS
from rag.text.transliteration import latin_skeleton

TITLES = set("the a an in on at of and or but to for by with from as this that these those it its he she "
            "they his her their there according both also however while after before during yes no "
            "i we you mr mrs ms dr president prime minister ministry foreign defence defense secretary "
            "general chief head king prince sheikh ambassador chancellor council union european republic "
            "state states united national international institute summit conference".split())
NAME_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:al-|el-)?[A-Z][\w'’-]*)*")


_CAPITALISED = re.compile(r"(?<![\w'’])[A-Z][a-zA-Z'’]*")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")


@lru_cache(maxsize=1)
def common_english_words() -> frozenset[str]:
    """Lower-case entries of Webster's 2nd: common words, not names ("university" is one,
    "denver" is not). Immutable, loaded once."""
    from english_words import get_english_words_set

    return frozenset(w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower())


def bare(word: str) -> str:
    """A word without a possessive ending ("BSkyB's" -> "BSkyB")."""
    return re.sub(r"['’]s?$", "", word)


def is_common_word(word: str) -> bool:
    """A lower-case dictionary word, a title, or the plural of one ("Parties", "Churches").

    >>> is_common_word("Parties"), is_common_word("Conferences"), is_common_word("Stoltenberg")
    (True, True, False)
    """
    lower = bare(word).lower()
    vocab = common_english_words()
    singular = {lower[:-1]} if lower.endswith("s") else set()
    if lower.endswith("ies"):
        singular.add(lower[:-3] + "y")
    if lower.endswith("es"):
        singular.add(lower[:-2])
    return lower in vocab or bool(singular & vocab) or lower in TITLES


def known_words(text: str) -> set[str]:
    """Lower-case Latin words of a text (the question), possessives removed."""
    return {bare(w).lower() for w in _LATIN_WORD.findall(text)}


def is_name_word(word: str, known: set[str]) -> bool:
    """A capitalised word worth checking as a name (see the module docstring): not a common
    word, not the user's own, not a month, not an acronym or roman numeral (all capitals), and
    with at least two consonants to compare."""
    word = bare(word)
    return (len(word) >= 2 and word[:1].isupper() and not word.isupper() and word.lower() not in known
            and word.lower() not in MONTHS and word.lower() not in WEEKDAYS and not is_common_word(word)
            and len(latin_skeleton(word)) >= 2)


def name_words(text: str, known: str = "") -> list[str]:
    """The name words of an English text, in order."""
    seen = known_words(known)
    return [bare(m.group()) for m in _CAPITALISED.finditer(text) if is_name_word(m.group(), seen)]
