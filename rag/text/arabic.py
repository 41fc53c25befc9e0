"""Arabic script facts, in one place: which characters are Arabic, its digits and punctuation,
letter variants that spell the same word, and the clitics glued to the front of a word.

Everything that matches Arabic text (BM25 terms, grounding an answer in its source, Arabic
spellings after English names, span metrics) reads these facts from here, so a rule changes in
one place. The trade-off on clitics: a fixed list of prefixes ("و", "ب", "ال", "وال", ...) is
stripped only when at least three letters remain. That merges "والقاهرة", "بالقاهرة" and
"القاهرة" predictably, and sometimes strips a root letter ("بحر" keeps its ب only because two
letters would remain); a morphological analyser would be more exact and far slower.

>>> is_arabic_word("القاهرة"), is_arabic_word("Cairo"), arabic_ratio("Cairo القاهرة")  # 7 of 12 letters
(True, False, 0.5833333333333334)
>>> clitic_variants("والقاهرة")
['والقاهرة', 'القاهرة', 'قاهرة']
>>> "١٢٣".translate(DIGITS)
'123'
"""

from __future__ import annotations

import re

# --- script ------------------------------------------------------------------------------------
ARABIC_BLOCKS = "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufefc"  # Arabic, supplement, presentation forms
LETTERS = "\u0621-\u064a\u0671-\u06d3"  # letters proper (no digits, marks or punctuation)
ARABIC_CHAR = re.compile(f"[{ARABIC_BLOCKS}]")
ARABIC_WORD = re.compile(f"[{LETTERS}]+")
# "(جيهون بيراموف)": a bracketed span holding Arabic, as an English answer carries a source spelling
BRACKETED = re.compile(rf"\s*\(([^()]*[{LETTERS}][^()]*)\)")


def is_arabic_word(word: str) -> bool:
    """Does the word hold an Arabic character?"""
    return bool(ARABIC_CHAR.search(word))


def arabic_ratio(text: str) -> float:
    """Share of the letters in ``text`` that are Arabic (digits and punctuation do not count)."""
    arabic = latin = 0
    for ch in text:
        if ARABIC_CHAR.match(ch):
            arabic += ch.isalpha()
        elif ch.isalpha():
            latin += 1
    total = arabic + latin
    return arabic / total if total else 0.0


def mostly_arabic(text: str) -> bool:
    """Is ``text`` written mostly in Arabic script (more than half its letters)?

    >>> mostly_arabic("التقى Michel بعلييف"), mostly_arabic("He met علييف")
    (True, False)
    """
    return arabic_ratio(text) > 0.5


def other_script(question: str, sources: str) -> bool:
    """Is the question in another script than the sources it is asked over (English over Arabic
    articles, or Arabic over English)? Every cosine between the two is lower then, so the checks
    that compare cosines keep a second threshold for it.

    >>> other_script("Who met Aliyev?", "التقى ميشيل علييف"), other_script("من التقى علييف؟", "التقى ميشيل علييف")
    (True, False)
    """
    return mostly_arabic(question) != mostly_arabic(sources)


# --- digits and punctuation ----------------------------------------------------------------------
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")  # Arabic-Indic and Persian
THOUSANDS_SEPARATOR = "٬"
DECIMAL_SEPARATOR = "٫"
QUESTION_MARK, COMMA, SEMICOLON = "؟", "،", "؛"

# --- spelling variants ---------------------------------------------------------------------------
TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")  # short vowels and marks
TATWEEL = "\u0640"
# Letters written interchangeably in news text: hamza seats on alef, alef maqsura for ya, ta
# marbuta for ha (a normalised word is not a correct spelling, only a matching key).
LETTER_VARIANTS = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"}

# --- clitics -------------------------------------------------------------------------------------
# The article with a conjunction or preposition before it, longest first.
ARTICLE_PREFIXES = ("وبال", "وكال", "فبال", "وال", "بال", "كال", "فال", "لل", "ال")
# One-letter clitics: and, so, with/in, for/to, like.
SINGLE_PREFIXES = ("و", "ف", "ب", "ل", "ك")
# Suffixes stripped by the light stemmer (pronouns, plural and dual endings).
SUFFIXES = ("هما", "كما", "تين", "ات", "ان", "ون", "ين", "يه", "ها", "هم", "نا", "يا", "ه", "ي")
MIN_STEM = 3  # letters that must remain after a clitic is stripped


def clitic_variants(word: str) -> list[str]:
    """The word, then (longest first) the word without each leading clitic that leaves
    ``MIN_STEM`` letters: a one-letter clitic, or the article with what precedes it ("وال")."""
    rests = {word[len(p):] for p in ARTICLE_PREFIXES + SINGLE_PREFIXES
             if word.startswith(p) and len(word) - len(p) >= MIN_STEM}
    return [word] + sorted(rests - {word}, key=lambda w: (-len(w), w))


def strip_article(word: str) -> str:
    """The word without a leading article ("ال", "وال", "بال", ...), when one is there.

    >>> strip_article("والقاهرة"), strip_article("لبنان")
    ('قاهرة', 'لبنان')
    """
    for prefix in ARTICLE_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            return word[len(prefix):]
    return word
