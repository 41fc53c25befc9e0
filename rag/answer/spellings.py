"""Put the Arabic source spelling after names in an English answer. Pure (no model, no I/O).

A 1.5B model transliterates Arabic names badly (بيراموف -> "Biramov") and mostly ignores a
prompt rule asking it to copy the Arabic spelling. So the rule is enforced in code: for each run
of capitalised words in an English answer sentence, the Arabic words of the cited passage that
sound most alike (consonant skeletons, rag/text/transliteration.py) are attached. Only a close
match (``min_similarity``) is attached, so a garbled name gets its source spelling, and an
English word with no Arabic counterpart gets nothing. Words the question itself uses are
skipped, since the reader already knows them.

>>> add_arabic_names("The foreign minister is Jeyhun Biramov.", "وزير الخارجية جيهون بيراموف اليوم")
'The foreign minister is Jeyhun Biramov (جيهون بيراموف).'

The model also writes Arabic in brackets itself, and sometimes invents it ("Azerbaijan
(العربية)"); :func:`drop_unsourced_arabic` removes a bracketed Arabic spelling that the cited
passage does not contain, before the matching above runs.
"""

from __future__ import annotations

import re

from rag.text.arabic import ARABIC_WORD, BRACKETED, clitic_variants
from rag.text.names import NAME_RUN, is_name_word, known_words
from rag.text.transliteration import best_match


def drop_unsourced_arabic(sentence: str, passage: str) -> str:
    """Remove "(Arabic)" brackets holding a word the passage lacks (clitics allowed).

    >>> drop_unsourced_arabic("It runs via Azerbaijan (العربية) and Kabul (الكابول).", "مطار كابول في أذربيجان")
    'It runs via Azerbaijan and Kabul (الكابول).'
    """
    known = {v for word in ARABIC_WORD.findall(passage) for v in clitic_variants(word)}

    def keep(match: re.Match) -> str:
        words = ARABIC_WORD.findall(match.group(1))
        return match.group() if all(set(clitic_variants(w)) & known for w in words) else ""

    return BRACKETED.sub(keep, sentence)


def add_arabic_names(sentence: str, passage: str, known: str = "", min_similarity: float = 0.75) -> str:
    """``sentence`` with "(Arabic spelling)" after each capitalised name found in ``passage``.
    Names made only of words in ``known`` (the question) are left alone."""
    arabic_words = ARABIC_WORD.findall(passage)
    if not arabic_words:
        return sentence
    seen = known_words(known)
    out, last = [], 0
    for run in NAME_RUN.finditer(sentence):
        tokens = [re.sub(r"['’]s$", "", t) for t in run.group().split()]
        tokens = [t for t in tokens if is_name_word(t, seen)]
        if not tokens or re.match(r"\s*\(", sentence[run.end():]):
            continue
        matches = [m for m in (best_match(t, arabic_words) for t in tokens) if m[0] >= min_similarity]
        if not matches:
            continue
        first = min(m[1] for m in matches)
        last_index = max(m[1] for m in matches)
        if last_index - first > 3:  # the parts are not one name in the source: keep the best part
            matches = [max(matches)]
            first = last_index = matches[0][1]
        words = [next(m[2] for m in matches if m[1] == i) if any(m[1] == i for m in matches)
                 else arabic_words[i] for i in range(first, last_index + 1)]
        arabic = " ".join(words)
        if arabic in sentence:
            continue
        out.append(sentence[last:run.end()] + f" ({arabic})")
        last = run.end()
    out.append(sentence[last:])
    return "".join(out)
