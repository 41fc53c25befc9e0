"""English names whose Arabic is a translation, not a transliteration: countries, regions,
languages and weekdays, from the Unicode CLDR data that Babel ships. Pure (reads package data
once).

A consonant skeleton finds "Biramov" in بيراموف, but not "Germany" in ألمانيا, "Egypt" in مصر
or "English" in الإنجليزية. CLDR names every territory (countries and regions such as "Middle
East", "Western Europe") and every language in both languages; a language name also covers the
adjective ("Italian" / الإيطالي). The Arabic side is kept as light-stemmed index terms, the form
grounding compares with (rag/text/normalize.py). Trade-off: only what CLDR names is covered;
cities and people are left to the skeleton match.

>>> arabic_terms("Egypt"), arabic_terms("germany"), arabic_terms("Italian")  # ألمانيا stems to مان, as in any source
([['مصر']], [['مان']], [['ايطال']])
>>> arabic_terms("Thursday"), arabic_terms("Denver")
([['خميس']], [])
"""

from __future__ import annotations

from functools import lru_cache

from rag.text.normalize import tokenize


@lru_cache(maxsize=1)
def _table() -> dict[str, tuple[tuple[str, ...], ...]]:
    from babel import Locale

    en, ar = Locale("en"), Locale("ar")
    table: dict[str, set[tuple[str, ...]]] = {}
    for names_en, names_ar in ((en.territories, ar.territories), (en.languages, ar.languages),
                               (en.days["format"]["wide"], ar.days["format"]["wide"])):
        for code, english in names_en.items():
            arabic = names_ar.get(code)
            terms = tuple(tokenize(arabic)) if arabic else ()
            if terms and " " not in english:  # one-word English names: what a name claim is
                table.setdefault(english.lower(), set()).add(terms)
    return {k: tuple(sorted(v)) for k, v in table.items()}


def arabic_terms(english: str) -> list[list[str]]:
    """The Arabic names (each as its index terms) that CLDR gives for one English word."""
    return [list(t) for t in _table().get(english.lower(), ())]
