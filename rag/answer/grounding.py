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

from rag.text.arabic import ARABIC_WORD, BRACKETED, clitic_variants, mostly_arabic
from rag.text.gazetteer import arabic_terms
from rag.text.names import NAME_RUN, known_words, name_words
from rag.text.normalize import normalize
from rag.text.numbers import MONTHS, claimed_numbers, match_terms, new_terms, numbers_in, weekdays_in
from rag.text.transliteration import arabic_skeleton, latin_skeleton, similarity

_SPELLED_NAME = re.compile(NAME_RUN.pattern + BRACKETED.pattern)
QUOTE = re.compile(r'[“"«]([^”"»]+)[”"»]')


@dataclass
class Claims:
    """What one answer sentence claims, to be found in its source."""

    numbers: set[int]
    months: set[int]
    names: list[str]  # Latin name words (not common words, not words of the question)
    new_terms: set[str]  # index terms the sentence adds to the question
    arabic: bool  # the sentence is mostly in Arabic script
    spellings: list[tuple[list[str], str]] = field(default_factory=list)  # (name words, bracketed spelling)
    weekdays: set[int] = field(default_factory=set)
    quotes: list[str] = field(default_factory=list)  # quoted passages of three words or more
    items: list[str] = field(default_factory=list)  # the items of a list the sentence gives

    @property
    def count(self) -> int:
        return (len(self.numbers) + len(self.months) + len(self.weekdays) + len(self.names)
                + sum(len(n) for n, _ in self.spellings))


def claims(sentence: str, question: str) -> Claims:
    """The claims of an answer sentence (see the module docstring). A name followed by its
    Arabic spelling in brackets ("Nikolabashinian (نيكول باشينيان)") claims that spelling: the
    bracket is checked word by word, however garbled the Latin letters before it; a bracket the
    source lacks (the model's own invention, removed later) leaves the names to be found."""
    spellings = [(name_words(m.group(0)[: m.start(1) - m.start(0)], known=question), m.group(1))
                 for m in _SPELLED_NAME.finditer(sentence)]
    bare_text = BRACKETED.sub(" ", _SPELLED_NAME.sub(" ", sentence))
    # a bracket does not decide the script: an Arabic answer with a Latin spelling "(Trend)" is Arabic
    script_text = re.sub(r"\([^()]*\)", " ", sentence)
    normal = normalize(sentence)
    months = {n for name, n in MONTHS.items() if re.search(rf"(?<!\w)[وبل]?{name}(?!\w)", normal)}
    quotes = [q.strip() for q in QUOTE.findall(sentence) if len(q.split()) >= 3]
    return Claims(claimed_numbers(sentence), months, name_words(bare_text, known=question),
                  new_terms(script_text, question), mostly_arabic(script_text), spellings,
                  weekdays_in(sentence, claimed=True), quotes, list_items(sentence))


_ITEM_LEAD = re.compile(r"^(?:and|or|including|such as|like|namely|as well as|و|أو|او|مثل|منها|بينها|بما في ذلك)\s*",
                        re.IGNORECASE)


def list_items(sentence: str) -> list[str]:
    """The items of a comma-separated list of three or more short items that ends the sentence
    (each item must be in the source, not just the sentence's words on the whole).

    >>> list_items("They cooperate in several areas, including peacekeeping, border security, and science.")
    ['peacekeeping', 'border security', 'science']
    >>> list_items("تعاونا في مجالات عدة، منها الأمن، والطاقة، والنقل."), list_items("He met Aliyev, then left.")
    (['الأمن', 'الطاقة', 'النقل'], [])
    """
    body = BRACKETED.sub(" ", sentence).strip().rstrip(".!?؟ ")
    parts = [p.strip() for p in re.split(r"[,،]", body)]
    items: list[str] = []
    for part in reversed(parts[1:]):  # the first part holds the sentence's subject and verb
        words = part.split()
        if not 1 <= len(words) <= 4:
            break
        items.insert(0, part)
    if len(items) < len(parts) - 1 and parts[len(parts) - len(items) - 1].split():
        lead = parts[len(parts) - len(items) - 1]  # "… areas, including peacekeeping": the first item ends it
        tail = re.split(r"\b(?:including|such as|like|namely)\b|(?:^|\s)(?:مثل|منها|بينها)(?=\s)", lead)
        if len(tail) > 1 and 1 <= len(tail[-1].split()) <= 4:
            items.insert(0, tail[-1].strip())
    items = [_ITEM_LEAD.sub("", i).strip() for i in items]
    items = [re.sub(r"^و(?=\S{3,})", "", i) for i in items]
    return [i for i in items if i] if len(items) >= 3 else []


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
    weekdays: set[int] = field(default_factory=set)

    @classmethod
    def of(cls, text: str, date: str = "") -> Facts:
        normal = normalize(text)
        numbers = numbers_in(text, unscaled=True) | ({int(p) for p in date.split("-") if p.isdigit()} if date else set())
        months = {n for name, n in MONTHS.items() if re.search(rf"(?<!\w)[وبل]?{name}(?!\w)", normal)}
        if date and len(date.split("-")) >= 2 and date.split("-")[1].isdigit():
            months.add(int(date.split("-")[1]))
        variants = {v for w in ARABIC_WORD.findall(normal) for v in clitic_variants(w)}
        return cls(numbers, months, known_words(text), sorted({arabic_skeleton(v) for v in variants} - {""}),
                   variants, match_terms(text), mostly_arabic(text), weekdays_in(text))


QUOTE_SHARE = 0.8  # of a quotation's words that must be in its (same-script) source


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
    # a Latin J or Y at the start is often the Arabic ي, which skeletons drop ("Jens" / ينس)
    forms = [skeleton, skeleton[1:]] if name[:1] in "JjYy" and len(skeleton) > 2 else [skeleton]
    return any(similarity(form, s) >= min_similarity for form in forms for s in facts.skeletons)


def match(c: Claims, facts: Facts, min_similarity: float, min_term_share: float) -> Match:
    """Are the claims of one sentence in one source?"""
    missing = [str(n) for n in sorted(c.numbers - facts.numbers)]
    missing += [f"month {m}" for m in sorted(c.months - facts.months)]
    missing += [f"weekday {d}" for d in sorted(c.weekdays - facts.weekdays)]
    if c.arabic == facts.arabic:  # each list item must be in the source, by one of its words at least
        for item in c.items:
            said = match_terms(item)
            if said and not said & facts.terms:
                missing.append(f"item {item}")
    if c.arabic == facts.arabic:  # a quotation must be the source's own words, nearly all of them
        for quote in c.quotes:
            said = match_terms(quote)
            if said and len(said & facts.terms) / len(said) < QUOTE_SHARE:
                missing.append(f"quote {quote[:40]}")
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
