"""Arabic-aware normalisation and tokenisation for lexical matching (BM25, support, eval).

Pure functions, no I/O. The trade-off: *light* stemming (strip a few frequent clitics and
suffixes) instead of a root extractor. It merges "والاتحاد" / "الاتحاد" / "اتحاد" so BM25 and
answer matching see one term, while staying predictable and fast; it will sometimes conflate
unrelated words, which BM25 tolerates far better than missing matches.

>>> normalize("أَذْرَبِيجَانُ ١٢٠٬٠٠٠ مُبَادَرَةٌ")
'اذربيجان 120000 مبادره'
>>> tokenize("والاتحاد الأوروبي يدعم أذربيجان")
['اتحاد', 'اوروب', 'يدعم', 'اذربيج']
"""

from __future__ import annotations

import re
import unicodedata

from rag.text.arabic import (
    ARTICLE_PREFIXES,
    DECIMAL_SEPARATOR,
    DIGITS,
    LETTER_VARIANTS,
    MIN_STEM,
    SUFFIXES,
    TASHKEEL,
    TATWEEL,
    THOUSANDS_SEPARATOR,
    is_arabic_word,
)

_QUOTES = {"“": '"', "”": '"', "«": '"', "»": '"', "’": "'", "‘": "'"}
_CHAR_MAP: dict[int, str | int | None] = {
    **str.maketrans("".join(LETTER_VARIANTS), "".join(LETTER_VARIANTS.values())), **DIGITS,
    **str.maketrans("".join(_QUOTES), "".join(_QUOTES.values())),
}
_THOUSANDS = re.compile(rf"(?<=\d)[,{THOUSANDS_SEPARATOR}'](?=\d{{3}}(?!\d))")
_SPACED_THOUSANDS = re.compile(r"(?<![\d.])(\d{1,3})((?:, \d{3})+)(?!\d)")
_DECIMAL_AR = re.compile(rf"(?<=\d){DECIMAL_SEPARATOR}(?=\d)")
_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?|[^\W\d_]+", re.UNICODE)

_AR_STOP = set(
    normalized
    for normalized in (
        "في من على الى إلى عن مع ان أن إن او أو ثم كما لا ما لم لن هل قد كان كانت هذا هذه ذلك تلك "
        "التي الذي الذين وقد وفي وكان و ف ب ل ك هو هي هم نحن انه أنه بين حيث بعد قبل خلال عند كل "
        "ايضا أيضا اي أي ماذا متى اين أين كيف لماذا من ما الى منذ"
    ).translate(_CHAR_MAP).split()
)
_EN_STOP = set(
    "a an the and or of to in on at by for with from as is are was were be been being it its "
    "this that these those which who whom whose what when where why how did do does done has have "
    "had not no than then there their they them he she his her him we our you your i me my "
    "about into over after before between during also according article articles".split()
)


def normalize(text: str) -> str:
    """Casefold, unify Arabic letter variants and digits, drop tashkeel/tatweel and
    thousands separators. Keeps spacing and punctuation otherwise."""
    text = unicodedata.normalize("NFKC", text)
    text = TASHKEEL.sub("", text).replace(TATWEEL, "")
    text = text.translate(_CHAR_MAP)
    text = _DECIMAL_AR.sub(".", text)
    text = _THOUSANDS.sub("", text)
    return text.casefold()


def join_spaced_thousands(text: str, separator: str = ",") -> str:
    """A small model writes 120,000 as "120, 000"; rejoin the groups with ``separator``.

    >>> join_spaced_thousands("120, 000 people in 2002, 300 more"), join_spaced_thousands("1, 500", "")
    ('120,000 people in 2002, 300 more', '1500')
    """
    return _SPACED_THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(", ", separator), text)


def stem(word: str) -> str:
    """Light stem of one normalised word (Arabic clitics/suffixes, English plural 's')."""
    if is_arabic_word(word):
        for prefix in ARTICLE_PREFIXES:
            if word.startswith(prefix) and len(word) - len(prefix) >= MIN_STEM:
                word = word[len(prefix):]
                break
        else:
            if word[:1] in "وفب" and len(word) >= 5:
                word = word[1:]
        for suffix in SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
                return word[: -len(suffix)]
        return word
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Normalised surface words (numbers kept whole), no stemming, no stopword removal."""
    return _TOKEN.findall(normalize(text))


def tokenize(text: str) -> list[str]:
    """Index terms: normalised, stopwords removed, light-stemmed."""
    out = []
    for word in words(text):
        if word in _AR_STOP or word in _EN_STOP:
            continue
        out.append(stem(word))
    return out
