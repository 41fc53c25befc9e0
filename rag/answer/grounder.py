"""The ``grounding`` check's work: every answer sentence against the sources it cites, by its
claims (grounding.py), by meaning across scripts (support.py), and repaired before it is dropped
(repair.py).

For each sentence: the letters of its claims are looked up in each source; where the source is
in the other script and letters fall short, the cosine between the sentence and the source's
best segment decides (segment vectors are stored at ingest, so this costs one sentence
embedding); a quotation in the other script must itself be that close to a segment. A sentence
that no source supports loses, one by one, the phrases holding its unsupported details (a year,
a weekday, a name, a quotation) as long as what is left still is a sentence, and is checked
again; only a sentence with no supported core is dropped. Citations follow the claims: a
sentence citing a source that lacks them is cited to the source that holds them, if any.

Everything it did is in :class:`GroundingReport`: the citation links, the dropped sentences and
why, the repairs, and each kept sentence's support (1.0 for letters, else the cosine), which the
answer's confidence reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from rag.answer.grounding import Claims, Facts, claims, match
from rag.answer.repair import cut_detail
from rag.answer.support import Support, decide
from rag.answer.wording import asked_kinds, claim_kind, echoes_question
from rag.retrieval.evidence import Segment, Source
from rag.text.arabic import mostly_arabic
from rag.text.numbers import MONTHS, WEEKDAYS, numbers_in

MAX_CUTS = 2  # details cut from one sentence at most; more means the sentence is not the source's


@dataclass
class Link:
    number: int  # source number
    segment: Segment  # the sentence of that source the claim is quoted from
    score: float


@dataclass
class GroundingReport:
    links: list[Link] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # "'sentence…' lacks 2019, Jens"
    repairs: list[str] = field(default_factory=list)  # "cut 'on Tuesday' (weekday 2)"
    support: list[float] = field(default_factory=list)  # per kept sentence: 1.0 letters, else cosine
    unsupported: list[str] = field(default_factory=list)  # the words of dropped sentences no source has


def _cos(a: np.ndarray, b: list[float]) -> float:
    v = np.asarray(b, dtype=np.float32)
    return float(a @ v) / (float(np.linalg.norm(a) * np.linalg.norm(v)) or 1.0)


def source_arabic(source: Source) -> bool:
    return mostly_arabic(" ".join(source.texts))


def surface(sentence: str, missing: str) -> str | None:
    """The words of ``sentence`` that state the missing claim ("2019", "Tuesday", a name)."""
    if missing.startswith("quote "):
        head = missing[6:]
        found = re.search(r'[“"«][^”"»]*' + re.escape(head[:20]) + r'[^”"»]*[”"»]', sentence)
        return found.group(0) if found else None
    if missing.startswith("item "):
        return missing[5:] if missing[5:] in sentence else None
    if missing.startswith(("month ", "weekday ")):
        kind, value = missing.split()
        table = MONTHS if kind == "month" else WEEKDAYS
        names = [n for n, v in table.items() if v == int(value) and " " not in n]
        for word in re.findall(r"[^\W\d_]+", sentence):
            if word.lower() in names or word.lower().lstrip("وب") in names:
                return word
        return None
    if missing.isdigit():
        for token in re.findall(r"\d[\d,.]*\d|\d", sentence):
            if int(missing) in numbers_in(token):
                return token
        return None
    return missing if re.search(rf"(?<!\w){re.escape(missing)}(?!\w)", sentence) else None


class Grounder:
    def __init__(self, settings, embedder=None):
        self.settings = settings
        self.embedder = embedder

    def ground(self, draft) -> tuple[list, list[str]]:
        """Edit ``draft.sentences`` in place (kept or repaired sentences, citation numbers);
        put the :class:`GroundingReport` on ``draft.grounding``; return (kept, dropped)."""
        sources = {s.number: s for s in draft.sources}
        facts = {n: Facts.of(" ".join([s.title, *s.texts]), s.date) for n, s in sources.items()}
        report = GroundingReport()
        kept = []
        for sentence in draft.sentences:
            text, cuts = sentence.text, list[str]()
            while True:
                c = claims(text, draft.standalone)
                verdicts, vector = self._judge(text, c, sources, facts)
                good = [n for n in sentence.numbers if verdicts[n].ok]
                if not good:  # a quote of one source labelled with another's number
                    good = sorted((n for n, v in verdicts.items() if v.ok), key=lambda n: -verdicts[n].score)[:1]
                if good:
                    break
                cited = sentence.numbers or list(verdicts)
                missing = sorted({m for n in cited for m in verdicts[n].missing if not m.startswith("similarity")})
                shorter = None
                if len(cuts) < MAX_CUTS:
                    core = asked_kinds(draft.standalone)
                    for item in missing:
                        kind = claim_kind(item)
                        if kind in core or (kind == "number" and "date" in core) or (kind == "name" and "place" in core):
                            continue  # the detail is what was asked: no answer is left without it
                        words = surface(text, item)
                        shorter = cut_detail(text, words) if words else None
                        if shorter and echoes_question(shorter, draft.standalone, draft.lang):
                            shorter = None  # what is left only restates the question: no answer remains
                        if shorter:
                            cuts.append(f"cut {words!r} ({item})")
                            break
                if shorter is None:
                    why = sorted({m for n in cited for m in verdicts[n].missing})
                    report.dropped.append(f"{sentence.text[:60]!r} lacks {', '.join(why) or 'a source'}")
                    said = [surface(text, m) for m in missing]
                    report.unsupported += [w for w in said if w and w not in report.unsupported]
                    break
                text = shorter
            if not good:
                continue
            if cuts:
                report.repairs.append(f"{sentence.text[:60]!r}: " + "; ".join(cuts))
            sentence.text, sentence.numbers = text, good
            kept.append(sentence)
            report.support.append(min(verdicts[n].score for n in good))
            for n in good:
                segment, score = self._quote(c, sources[n], vector)
                report.links.append(Link(n, segment, score))
        draft.sentences[:] = kept
        draft.grounding = report
        return kept, report.dropped

    def _judge(self, text: str, c: Claims, sources: dict[int, Source],
               facts: dict[int, Facts]) -> tuple[dict[int, Support], np.ndarray | None]:
        """Each source's verdict on one sentence; the sentence's vector if it was needed."""
        s, vector, verdicts = self.settings, None, {}
        for n, f in facts.items():
            m = match(c, f, s.grounding_name_similarity, s.min_term_share)
            cross = c.arabic != f.arabic
            cosine = 0.0
            if cross and (not m.grounded or m.needs_similarity or c.quotes or c.items) and self.embedder is not None:
                if vector is None:
                    vector = np.asarray(self.embedder.embed_queries([text])[0], dtype=np.float32)
                cosine = max((_cos(vector, seg.embedding) for seg in sources[n].segments), default=0.0)
                parts = [("quote", q) for q in c.quotes] + [("item", i) for i in c.items]
                vectors = self.embedder.embed_queries([text for _, text in parts]) if parts else []
                for (kind, part), v in zip(parts, vectors):  # in the other script: each one's own meaning
                    q = np.asarray(v, dtype=np.float32)
                    if max((_cos(q, seg.embedding) for seg in sources[n].segments), default=0.0) \
                            < s.min_claim_similarity:
                        m.missing.append(f"{kind} {part[:40]}")
                        m.grounded = False
            verdicts[n] = decide(c, m, cross, cosine, s)
        return verdicts, vector

    def _quote(self, c: Claims, source: Source, vector: np.ndarray | None) -> tuple[Segment, float]:
        """The segment of ``source`` that holds most of the sentence's claims and new terms."""
        s = self.settings
        best, best_key = source.segments[0], (-1, -1.0)
        for seg in source.segments:
            m = match(c, Facts.of(seg.text), s.grounding_name_similarity, 0.0)
            cos = _cos(vector, seg.embedding) if vector is not None else 0.0
            key = (m.found, cos)
            if key > best_key:
                best, best_key = seg, key
        total = c.count + len(c.new_terms) if c.arabic == source_arabic(source) else c.count
        score = best_key[0] / total if total else max(best_key[1], 0.0)
        return best, float(score)
