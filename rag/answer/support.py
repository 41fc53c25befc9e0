"""Does a source sentence support one claim of an answer? By letters, else by meaning. Pure
(the caller passes the claim-sentence cosine; rag/answer/grounding.py embeds).

A claim is a phrase of the answer: the answer phrase itself, a name, a number or date, a quoted
sentence, a list item. Letters first (grounding.py's claims and facts): every number and month
must be in the source, and every name the same Latin word, its CLDR translation, an Arabic word
with the same consonant skeleton, or the model's bracketed Arabic spelling found verbatim.
Letters can only say "found": a name the model spelled its own way ("Jens" for ينس), translated
("Parties" for the P of COP) or wrote in Arabic over an English source has no letter match, and
a claim with no name or number has nothing to match. There, *meaning* decides: the cross-lingual
cosine (EmbeddingGemma) between the claim and the sentence must reach ``min_claim_similarity``.
Meaning never rescues a number or a month (a wrong year is close in meaning to the right one),
and within one script the words must be there (``min_term_share``), as before.

The trade-off, measured on ~780 English/Arabic answer pairs of XQuAD and BELEBELE that nobody
here wrote (``python -m eval.matcher_pairs``): meaning finds most true pairs that letters miss,
at the price of accepting some sentences of the same passage that state another fact.

>>> s = Settings()
>>> supports("Jens Stoltenberg", "التقى ينس ستولتنبرغ بالرئيس", 0.62, s).how
'letters'
>>> supports("Lake Geneva", "تقع المدينة على بحيرة ليمان", 0.62, s).how, supports("Lake Geneva", "تقع المدينة على بحيرة ليمان", 0.3, s).ok
('meaning', False)
>>> supports("in 2019", "التقى ينس ستولتنبرغ بالرئيس عام 2020", 0.9, s).ok
False
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rag.answer.grounding import Claims, Facts, Match, claims, match
from rag.settings import Settings


@dataclass
class Support:
    ok: bool
    how: str  # "letters", "meaning", or "" when unsupported
    missing: list[str] = field(default_factory=list)  # what letters could not find
    score: float = 0.0  # 1.0 for a letter match, else the cosine


def is_hard(missing: str) -> bool:
    """A number, a month or a weekday: never taken on meaning."""
    return missing.isdigit() or missing.startswith(("month ", "weekday "))


def decide(c: Claims, m: Match, cross: bool, cosine: float, settings: Settings, meaning: bool = True) -> Support:
    """The verdict for one claim against one source, given its letter match ``m`` and the
    claim-source ``cosine`` (see the module docstring)."""
    if m.grounded and not m.needs_similarity:
        return Support(True, "letters", [], 1.0)
    if m.grounded:  # a claim-less phrase in the other script: only meaning can judge it
        ok = cosine >= settings.min_support
        return Support(ok, "meaning" if ok else "", [] if ok else [f"similarity {cosine:.2f}"], cosine)
    if meaning and cross and not any(is_hard(x) or x.startswith(("quote ", "item ")) for x in m.missing) \
            and cosine >= settings.min_claim_similarity:
        return Support(True, "meaning", m.missing, cosine)
    return Support(False, "", m.missing, cosine)


def supports(claim: str, source: str, cosine: float, settings: Settings, *, question: str = "",
             meaning: bool = True) -> Support:
    """Is ``claim`` supported by ``source`` (see the module docstring)? ``cosine`` is the
    claim-source similarity."""
    facts = Facts.of(source)
    c = claims(claim, question)
    m = match(c, facts, settings.grounding_name_similarity, settings.min_term_share)
    return decide(c, m, c.arabic != facts.arabic, cosine, settings, meaning)
