"""Answer an overview, summary, timeline or comparison question within its scope.

``KindAnswerer.route(question, articles, llm, language)`` returns the answer's events, or None
when the question is a fact question, or when its kind's form finds nothing to show (no dated
sentence for a timeline, fewer than two articles on the point for a comparison): the fact path
then answers, or refuses honestly. So a question the rules misjudge loses nothing.

What each kind reads: the stored sentence segments (with their embeddings) of the articles in
scope, scored against the question once (``score_segments``). Overview, timeline and comparison
are composed from those sentences (compose.py), without the model: the first line is on screen
as soon as the segments are scored. A summary is its key sentences (picking.py); when the
question is in another script than the articles, the model rewrites them in the question's
language through the ordinary ``Answerer`` and its checks, and if the checks refuse that draft
the key sentences are shown as written instead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from rag.answer.answerer import Answerer
from rag.answer.selector import Evidence
from rag.answer.types import Answer, StreamEvent
from rag.backends.base import ChatBackend
from rag.embedder import SentenceEmbedder
from rag.kinds.compose import compose
from rag.kinds.picking import best_per_article, key_sentences, whole_sentences
from rag.kinds.router import classify, has_topic
from rag.kinds.timeline import Event, timeline_events
from rag.retrieval.evidence import Segment, Source, group_sources, score_segments
from rag.settings import Settings
from rag.store import ChunkStore
from rag.text.arabic import other_script
from rag.text.language import detect_language

log = logging.getLogger(__name__)

Events = Iterator[tuple[StreamEvent, list[Source]]]


class KindAnswerer:
    def __init__(self, settings: Settings, store: ChunkStore, embedder: SentenceEmbedder, answerer: Answerer):
        self.settings, self.store, self.embedder, self.answerer = settings, store, embedder, answerer

    def route(self, question: str, articles: frozenset[str] | None, llm: ChatBackend,
              language: str | None = None, started: float | None = None) -> Events | None:
        """Events of the kind's answer, or None: take the fact path (module docstring)."""
        kind = classify(question) if self.settings.kind_routing else "fact"
        if kind == "fact":
            return None
        started = started or time.perf_counter()
        forced = language if language in ("ar", "en") else self.settings.language
        lang = forced if forced in ("ar", "en") else detect_language(question)
        segments, cross = self._segments(question, articles)
        floor = self.settings.min_relevance_cross_script if cross else self.settings.min_relevance
        items = self._items(kind, segments, floor, topic=has_topic(question))
        if not items:
            log.info("%s question found nothing in its form; the fact path answers: %r", kind, question)
            return None
        items = self._widen(kind, items)
        retrieval_s = time.perf_counter() - started
        if kind == "summary" and cross:
            return self._rewritten(question, lang, items, llm, started, retrieval_s)
        return self._composed(kind, question, lang, items, started, retrieval_s)

    def _segments(self, question: str, articles: frozenset[str] | None) -> tuple[list[Segment], bool]:
        catalog = self.store.catalog()
        ids = [aid for aid in catalog if articles is None or aid in articles]
        segments = [Segment(m["article_id"], catalog[m["article_id"]].title, catalog[m["article_id"]].date, text,
                            int(m["start"]), int(m["end"]), list(vec))
                    for text, vec, m in self.store.segments_of(ids) if m["article_id"] in catalog]
        if not segments:
            return [], False
        vector = self.embedder.get_query_embedding(question)
        score_segments(question, vector, segments, lexical_weight=self.settings.evidence_lexical_weight,
                       top_chunk_bonus=0.0)
        return segments, other_script(question, " ".join(s.text for s in segments[:20]))

    def _items(self, kind: str, segments: list[Segment], floor: float, topic: bool) -> list:
        s = self.settings
        if kind == "overview":
            leads: dict[str, Segment] = {}
            for seg in sorted(segments, key=lambda x: x.start):
                leads.setdefault(seg.article_id, seg)
            newest = sorted(leads.values(), key=lambda x: (x.date or "", x.article_id), reverse=True)
            return newest[: s.overview_max_articles]
        on_topic = [seg for seg in segments if seg.cosine >= floor]
        if kind == "timeline":
            return timeline_events(on_topic if topic else segments, s.kind_items)
        if kind == "comparison":
            groups = best_per_article(segments, 2, floor)
            return list(groups.values())[: s.compare_articles] if len(groups) >= 2 else []
        if not topic:  # "summarise the articles": the scope's most central sentences
            return key_sentences(segments, s.kind_items, relevance_weight=0.0, duplicate=s.kind_duplicate)
        if not on_topic:  # a summary of something the articles do not discuss
            return []
        return key_sentences(on_topic, s.kind_items, relevance_weight=s.kind_relevance_weight,
                             duplicate=s.kind_duplicate)

    def _widen(self, kind: str, items: list) -> list:
        """Whole sentences instead of comma-cut segments (picking.whole_sentences); a summary
        shown article by article, each in document order."""
        segs = [s for it in items for s in (it if isinstance(it, list) else [getattr(it, "segment", it)])]
        bodies = {aid: got[0] for aid in {s.article_id for s in segs} if (got := self.store.article(aid))}
        if kind == "comparison":
            return [whole_sentences(group, bodies) for group in items]
        if kind == "timeline":
            kept: list[Event] = []
            for event in items:
                (event.segment,) = whole_sentences([event.segment], bodies)
                if not any(k.segment.article_id == event.segment.article_id and k.segment.start == event.segment.start
                           for k in kept):
                    kept.append(event)
            return kept
        whole = whole_sentences(items, bodies)
        if kind == "summary":
            order = list(dict.fromkeys(s.article_id for s in whole))
            whole.sort(key=lambda s: (order.index(s.article_id), s.start))
        return whole

    def _composed(self, kind: str, question: str, lang: str, items: list, started: float,
                  retrieval_s: float) -> Events:
        answer, sources = compose(kind, question, lang, items)
        total = time.perf_counter() - started
        answer.timings = {"retrieval": retrieval_s, "first_token": total, "total": total}
        answer.backend, answer.model = "none", "composed from the articles' sentences"
        yield StreamEvent(answer=answer), sources

    def _rewritten(self, question: str, lang: str, items: list[Segment], llm: ChatBackend, started: float,
                   retrieval_s: float) -> Events:
        """The key sentences, rewritten by the model in the question's language under the checks."""
        sources = group_sources(items)
        evidence = Evidence(sources, max(seg.cosine for seg in items))
        final: Answer | None = None
        for event in self.answerer.run(question, question, [], evidence, llm, started=started,
                                       retrieval_s=retrieval_s, language=lang):
            if event.answer is None:
                yield event, sources
            else:
                final = event.answer
        if final is not None and final.answered:
            final.kind = "summary"
            yield StreamEvent(answer=final), sources
            return
        log.info("the rewritten summary was refused (%s); showing the key sentences as written",
                 final.refusal_reason if final else "no answer")
        yield from self._composed("summary", question, lang, items, started, retrieval_s)
