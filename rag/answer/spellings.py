"""Put the Arabic source spelling after names in an English answer. Pure (no model, no I/O).

A 1.5B model transliterates Arabic names badly (بيراموف -> "Biramov", مورا -> "Moora") and
mostly ignores a prompt rule asking it to copy the Arabic spelling. So we enforce the rule in
code: for each run of capitalised words in an English answer sentence, we look for the Arabic
words of the cited passage that sound most alike, comparing *consonant skeletons*:

    "Biramov"  -> B R M F        بيراموف -> B R M F      similarity 1.0
    "Brouckers"-> B R K R S      بروكسل  -> B R K S L    similarity 0.6

Long vowels, hamza and ain are dropped, letters that transliterate alike share a class (ق/ك/c/k,
ف/v/f, ج/غ/g/j, س/ص/ش/ث/s), and similarity is 1 - edit distance / longer length. Only a close
match (``min_similarity``) is attached, so a garbled name gets its source spelling, and an
English word with no Arabic counterpart gets nothing. Trade-off: a skeleton ignores vowels, so
two names with the same consonants in one passage can be confused; the reader then sees the
Arabic spelling and can tell. Words the question itself uses are skipped, since the reader
already knows them.

>>> add_arabic_names("The foreign minister is Jeyhun Biramov.", "وزير الخارجية جيهون بيراموف اليوم")
'The foreign minister is Jeyhun Biramov (جيهون بيراموف).'

The model also writes Arabic in brackets itself, and sometimes invents it ("Azerbaijan
(العربية)"); :func:`drop_unsourced_arabic` removes a bracketed Arabic spelling that the cited
passage does not contain, before the matching above runs.
"""

from __future__ import annotations

import re

from rag.text.arabic import ARABIC_WORD, BRACKETED, clitic_variants

_LATIN = [("sh", "S"), ("ch", "S"), ("kh", "K"), ("gh", "J"), ("th", "S"), ("dh", "Z"), ("ph", "F"),
          ("ck", "K"), ("ts", "S"), ("x", "KS")]
_LATIN_CLASS = {"b": "B", "p": "B", "t": "T", "d": "D", "j": "J", "g": "J", "h": "H", "k": "K", "c": "K",
                "q": "K", "s": "S", "z": "Z", "r": "R", "l": "L", "m": "M", "n": "N", "f": "F", "v": "F"}
_ARABIC_CLASS = {"ب": "B", "ت": "T", "ط": "T", "ث": "S", "ج": "J", "غ": "J", "ح": "H", "ه": "H", "ة": "H",
                 "خ": "K", "ك": "K", "ق": "K", "د": "D", "ض": "D", "ذ": "Z", "ز": "Z", "ظ": "Z", "ر": "R",
                 "س": "S", "ص": "S", "ش": "S", "ل": "L", "م": "M", "ن": "N", "ف": "F", "ڤ": "F", "گ": "J"}
_SKIP = set("the a an in on at of and or but to for by with from as this that these those it its he she "
            "they his her their there according both also however while after before during yes no "
            "i we you mr mrs ms dr president prime minister ministry foreign defence defense secretary "
            "general chief head king prince sheikh ambassador chancellor council union european republic "
            "state states united national international institute summit conference".split())
_NAME_RUN = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:al-|el-)?[A-Z][\w'’-]*)*")


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
    known_words = {w.lower() for w in re.findall(r"[\w'’-]+", known)}
    out, last = [], 0
    for run in _NAME_RUN.finditer(sentence):
        tokens = [re.sub(r"['’]s$", "", t) for t in run.group().split()]
        tokens = [t for t in tokens if t.lower() not in _SKIP | known_words and not t.isupper()
                  and len(latin_skeleton(t)) >= 2]
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
