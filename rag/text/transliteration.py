"""Does a Latin-script name sound like an Arabic word? Consonant skeletons. Pure.

English answers over Arabic articles spell the articles' names in Latin letters, and a 1.5B
model spells them loosely (بيراموف -> "Biramov", مورا -> "Moora"). To find which Arabic word a
name stands for, both are reduced to *consonant skeletons*:

    "Biramov"  -> B R M F        بيراموف -> B R M F      similarity 1.0
    "Brouckers"-> B R K R S      بروكسل  -> B R K S L    similarity 0.6

Long vowels, hamza and ain are dropped, letters that transliterate alike share a class (ق/ك/c/k,
ف/v/f, ج/غ/g/j, س/ص/ش/ث/s), and similarity is 1 - edit distance / longer length. Trade-off: a
skeleton ignores vowels, so two names with the same consonants match each other, and a name
translated rather than transliterated (Germany / ألمانيا) does not match at all.

>>> best_match("Biramov", "وزير الخارجية جيهون بيراموف".split())
(1.0, 3, 'بيراموف')
"""

from __future__ import annotations

import re

from rag.text.arabic import clitic_variants

_LATIN = [("sh", "S"), ("ch", "S"), ("kh", "K"), ("gh", "J"), ("th", "S"), ("dh", "Z"), ("ph", "F"),
          ("ck", "K"), ("ts", "S"), ("x", "KS")]
_LATIN_CLASS = {"b": "B", "p": "B", "t": "T", "d": "D", "j": "J", "g": "J", "h": "H", "k": "K", "c": "K",
                "q": "K", "s": "S", "z": "Z", "r": "R", "l": "L", "m": "M", "n": "N", "f": "F", "v": "F"}
_ARABIC_CLASS = {"ب": "B", "ت": "T", "ط": "T", "ث": "S", "ج": "J", "غ": "J", "ح": "H", "ه": "H", "ة": "H",
                 "خ": "K", "ك": "K", "ق": "K", "د": "D", "ض": "D", "ذ": "Z", "ز": "Z", "ظ": "Z", "ر": "R",
                 "س": "S", "ص": "S", "ش": "S", "ل": "L", "م": "M", "ن": "N", "ف": "F", "ڤ": "F", "گ": "J"}
def latin_skeleton(word: str) -> str:
    """Consonant classes of a Latin-script word.

    >>> latin_skeleton("Hajiyev"), latin_skeleton("Michel")
    ('HJF', 'MSL')
    """
    word = word.lower()
    out, i = [], 0
    while i < len(word):
        digraph = next(((d, cls) for d, cls in _LATIN if word.startswith(d, i)), None)
        if digraph:
            out.append(digraph[1])
            i += len(digraph[0])
            continue
        out.append(_LATIN_CLASS.get(word[i], ""))
        i += 1
    return re.sub(r"(.)\1+", r"\1", "".join(out))


def arabic_skeleton(word: str) -> str:
    """Consonant classes of an Arabic word.

    >>> arabic_skeleton("حاجييف"), arabic_skeleton("ميشيل")
    ('HJF', 'MSL')
    """
    return re.sub(r"(.)\1+", r"\1", "".join(_ARABIC_CLASS.get(ch, "") for ch in word))


def similarity(a: str, b: str) -> float:
    """1 - Levenshtein distance / longer length.

    >>> similarity("BRKRS", "BRKSL")
    0.6
    """
    if not a or not b:
        return 0.0
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return 1 - row[-1] / max(len(a), len(b))


def best_match(name: str, arabic_words: list[str]) -> tuple[float, int, str]:
    """(similarity, index, word) of the Arabic word that sounds most like ``name``."""
    skeleton = latin_skeleton(name)
    best = (0.0, -1, "")
    for index, word in enumerate(arabic_words):
        for variant in clitic_variants(word):
            score = similarity(skeleton, arabic_skeleton(variant))
            if score > best[0] or (score == best[0] and index == best[1]):  # a tie: the shorter variant
                best = (score, index, variant)
    return best
