"""Is an answer sentence grounded in what it cites? By its claims, not by sentence similarity.

A reader checks an answer by what it *claims*: the numbers and dates it states and the names it
gives. So a sentence is grounded in a source when
- every number it states is in the source (rag/text/numbers.py: digits, words, scales),
- every month it names is in the source (English or either Arabic naming system),
- every name it gives is in the source: the same Latin word, or, for a Latin name over an
  Arabic source, an Arabic word with the same consonant skeleton (rag/text/transliteration.py);
  a capitalised common English word ("University", "River") is not a name, nor is a word of the
  question (the user's own words),
- and, when the sentence is written in the source's script, at least ``min_term_share`` of the
  words it adds to the question occur in the source (normalised, clitics stripped).
A sentence in the other script with no claim at all ("gold", "to cut costs") has nothing to
match letter by letter; only there does the embedding cosine between the sentence and a
source segment decide (``min_support``).

Why not sentence similarity as the gate: a short extractive answer ("1037", "the Almohads") has
a low cosine to a long source sentence, and a sentence that repeats the question's words around
an invented name has a high one. Trade-off: a name translated rather than transliterated
("Germany" for ألمانيا) is not found and its sentence is dropped, which turns a right answer
into a refusal rather than letting an invented name through.

>>> claims("Jeyhun Biramov met him in March 2024.", "Who met him?").names, claims("He met him in March 2024.", "").months
(['Jeyhun', 'Biramov'], {3})
>>> facts = Facts.of("التقى وزير الخارجية جيهون بيراموف نظيره في مارس 2024")
>>> match(claims("Jeyhun Biramov met him in March 2024.", "Who met him?"), facts, 0.75, 0.5).grounded
True
>>> match(claims("Nabil Hassan met him in 2024.", "Who met him?"), facts, 0.75, 0.5).missing
['Nabil', 'Hassan']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from rag.text.arabic import ARABIC_WORD, BRACKETED, arabic_ratio, clitic_variants
from rag.text.gazetteer import arabic_terms
from rag.text.names import NAME_RUN, known_words, name_words
from rag.text.normalize import normalize
from rag.text.numbers import MONTHS, claimed_numbers, match_terms, new_terms, numbers_in
from rag.text.transliteration import arabic_skeleton, latin_skeleton, similarity

_SPELLED_NAME = re.compile(NAME_RUN.pattern + BRACKETED.pattern)


@dataclass
class Claims:
    """What one answer sentence claims, to be found in its source."""

    numbers: set[int]
    months: set[int]
    names: list[str]  # Latin name words (not common words, not words of the question)
    new_terms: set[str]  # index terms the sentence adds to the question
    arabic: bool  # the sentence is mostly in Arabic script
    spellings: list[tuple[list[str], str]] = field(default_factory=list)  # (name words, bracketed spelling)

    @property
    def count(self) -> int:
        return len(self.numbers) + len(self.months) + len(self.names) + sum(len(n) for n, _ in self.spellings)


def claims(sentence: str, question: str) -> Claims:
    """The claims of an answer sentence (see the module docstring). A name followed by its
    Arabic spelling in brackets ("Nikolabashinian (نيكول باشينيان)") claims that spelling: the
    bracket is checked word by word, however garbled the Latin letters before it; a bracket the
    source lacks (the model's own invention, removed later) leaves the names to be found."""
    spellings = [(name_words(m.group(0)[: m.start(1) - m.start(0)], known=question), m.group(1))
                 for m in _SPELLED_NAME.finditer(sentence)]
    bare_text = BRACKETED.sub(" ", _SPELLED_NAME.sub(" ", sentence))
    normal = normalize(sentence)
    months = {n for name, n in MONTHS.items() if re.search(rf"(?<!\w)[وبل]?{name}(?!\w)", normal)}
    return Claims(claimed_numbers(sentence), months, name_words(bare_text, known=question),
                  new_terms(BRACKETED.sub(" ", sentence), question), arabic_ratio(bare_text) > 0.5, spellings)


@dataclass
class Facts:
    """A source's text in the forms claims are looked up in (computed once per source)."""

    numbers: set[int]
    months: set[int]
    latin: set[str]  # lower-case Latin words
    skeletons: list[str]  # consonant skeletons of the Arabic words and their clitic-free variants
    arabic_words: set[str]  # normalised Arabic words and their clitic-free variants
    terms: set[str]
    arabic: bool

    @classmethod
    def of(cls, text: str, date: str = "") -> Facts:
        normal = normalize(text)
        numbers = numbers_in(text, unscaled=True) | ({int(p) for p in date.split("-") if p.isdigit()} if date else set())
        months = {n for name, n in MONTHS.items() if re.search(rf"(?<!\w)[وبل]?{name}(?!\w)", normal)}
        if date and len(date.split("-")) >= 2 and date.split("-")[1].isdigit():
            months.add(int(date.split("-")[1]))
        variants = {v for w in ARABIC_WORD.findall(normal) for v in clitic_variants(w)}
        return cls(numbers, months, known_words(text), sorted({arabic_skeleton(v) for v in variants} - {""}),
                   variants, match_terms(text), arabic_ratio(text) > 0.5)


@dataclass
class Match:
    grounded: bool
    missing: list[str] = field(default_factory=list)  # claims not found in the source
    found: int = 0  # claims and new terms found (ranks sources and segments)
    share: float = 1.0  # share of the sentence's new terms found (same script only)
    needs_similarity: bool = False  # a claim-less sentence in the other script: cosine decides


def name_found(name: str, facts: Facts, min_similarity: float) -> bool:
    """The Latin word itself, its CLDR translation (Egypt / مصر), or an Arabic word that sounds
    like it."""
    if name.lower() in facts.latin:
        return True
    if any(set(terms_) <= facts.terms for terms_ in arabic_terms(name)):
        return True
    skeleton = latin_skeleton(name)
    return any(similarity(skeleton, s) >= min_similarity for s in facts.skeletons)


def match(c: Claims, facts: Facts, min_similarity: float, min_term_share: float) -> Match:
    """Are the claims of one sentence in one source?"""
    missing = [str(n) for n in sorted(c.numbers - facts.numbers)]
    missing += [f"month {m}" for m in sorted(c.months - facts.months)]
    missing += [n for n in c.names if not name_found(n, facts, min_similarity)]
    for names, spelling in c.spellings:  # the spelling is in the source, or else the names are
        if not all(set(clitic_variants(w)) & facts.arabic_words for w in ARABIC_WORD.findall(normalize(spelling))):
            missing += [n for n in names if not name_found(n, facts, min_similarity)]
    found = c.count - len(missing)
    if c.arabic == facts.arabic:  # same script: the sentence is built from the source's words
        share = len(c.new_terms & facts.terms) / len(c.new_terms) if c.new_terms else 1.0
        found += len(c.new_terms & facts.terms)
        if share < min_term_share:
            missing.append(f"{share:.0%} of its words")
        return Match(not missing, missing, found, share)
    return Match(not missing, missing, found, needs_similarity=not c.count)


def _cos(a: np.ndarray, b: list[float]) -> float:
    v = np.asarray(b, dtype=np.float32)
    return float(a @ v) / (float(np.linalg.norm(a) * np.linalg.norm(v)) or 1.0)


class Grounder:
    """Checks each sentence of a draft against the sources it cites (see the module docstring).

    Citations follow the claims: a sentence citing a source that lacks its claims is cited to
    the source that holds them, if one does ("a quote of [1] labelled [2]"); a sentence no
    source grounds is dropped. Each kept citation points at the segment holding most claims."""

    def __init__(self, settings, embedder=None):
        self.min_similarity = settings.grounding_name_similarity
        self.min_term_share = settings.min_term_share
        self.min_support = settings.min_support
        self.embedder = embedder

    def ground(self, draft) -> tuple[list, list[str]]:
        """Edit ``draft.sentences`` in place (kept sentences, citation numbers); record the
        citation links in ``draft.grounding``; return (kept sentences, why each dropped one
        went)."""
        sources = {s.number: s for s in draft.sources}
        facts = {n: Facts.of(" ".join([s.title, *s.texts]), s.date) for n, s in sources.items()}
        kept, dropped, links = [], [], []
        for sentence in draft.sentences:
            c = claims(sentence.text, draft.standalone)
            results = {n: match(c, f, self.min_similarity, self.min_term_share) for n, f in facts.items()}
            vector = None
            for n, result in results.items():
                if result.grounded and result.needs_similarity:
                    if vector is None:
                        vector = np.asarray(self.embedder.embed_queries([sentence.text])[0], dtype=np.float32)
                    best = max((_cos(vector, seg.embedding) for seg in sources[n].segments), default=0.0)
                    result.grounded = best >= self.min_support
                    if not result.grounded:
                        result.missing.append(f"similarity {best:.2f}")
            good = [n for n in sentence.numbers if results[n].grounded]
            if not good:
                others = sorted((n for n, r in results.items() if r.grounded), key=lambda n: -results[n].found)
                good = others[:1]
            if not good:
                cited = sentence.numbers or list(results)
                why = sorted({m for n in cited for m in results[n].missing})
                dropped.append(f"{sentence.text[:60]!r} lacks {', '.join(why) or 'a source'}")
                continue
            sentence.numbers = good
            kept.append(sentence)
            for n in good:
                segment, score = self._quote(c, sources[n], vector)
                links.append({"number": n, "segment": segment, "score": score})
        draft.sentences[:] = kept
        draft.grounding = {"links": links, "dropped": dropped}
        return kept, dropped

    def _quote(self, c: Claims, source, vector) -> tuple:
        """The segment of ``source`` that holds most of the sentence's claims and new terms."""
        best, best_key = source.segments[0], (-1, -1.0)
        for seg in source.segments:
            m = match(c, Facts.of(seg.text), self.min_similarity, 0.0)
            cos = _cos(vector, seg.embedding) if vector is not None else 0.0
            key = (m.found, cos)
            if key > best_key:
                best, best_key = seg, key
        total = c.count + len(c.new_terms) if c.arabic == source_arabic(source) else c.count
        score = best_key[0] / total if total else max(best_key[1], 0.0)
        return best, float(score)


def source_arabic(source) -> bool:
    return arabic_ratio(" ".join(source.texts)) > 0.5
