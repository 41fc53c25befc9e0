"""Dated events drawn from the articles, in date order. Pure.

An event is a sentence that names a date (``rag.text.dates.mentioned_dates``: a day, a month or
a year, at the precision written), or an article's publication, dated by the article. Dates
are kept at their written precision and sorted as ISO strings, so "1994" comes before
"1994-03" and before "2024-03-18". A sentence that names several dates is one event at its
first date. The trade-off: relative dates ("yesterday", "/الثلاثاء/") are not resolved against
the publication date; such a sentence only appears through its article's publication event.

Which events: the ``limit`` most relevant to the question (its cosine), then put in date order,
so "a timeline of NATO and Azerbaijan" keeps the NATO dates rather than every date in scope.

>>> from rag.retrieval.evidence import Segment
>>> a = Segment("a", "Baku visit", "2024-03-18", "Azerbaijan joined the partnership in 1994.", 0, 40)
>>> b = Segment("a", "Baku visit", "2024-03-18", "Stoltenberg arrived in Baku.", 41, 70)
>>> a.cosine, b.cosine = 0.8, 0.7
>>> [(e.date, e.published) for e in timeline_events([a, b], limit=5)]
[('1994', False), ('2024-03-18', True)]
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.retrieval.evidence import Segment
from rag.text.dates import mentioned_dates


@dataclass
class Event:
    date: str  # ISO at its precision: "1994", "2024-03", "2024-03-18"
    segment: Segment
    published: bool  # the article's publication (dated by the article, not by the sentence)


def timeline_events(segments: list[Segment], limit: int) -> list[Event]:
    """Dated events among ``segments`` (cosines set), the ``limit`` most relevant, oldest first."""
    events: list[Event] = []
    by_article: dict[str, list[Segment]] = {}
    for seg in sorted(segments, key=lambda s: s.start):
        by_article.setdefault(seg.article_id, []).append(seg)
        dates = mentioned_dates(seg.text)
        if dates:
            events.append(Event(dates[0], seg, False))
    dated = {id(e.segment) for e in events}
    for segs in by_article.values():  # the publication, told by the article's first undated sentence
        lead = next((s for s in segs if id(s) not in dated), None)
        if segs[0].date and lead is not None:
            events.append(Event(segs[0].date[:10], lead, True))
    events = sorted(events, key=lambda e: e.segment.cosine, reverse=True)[:limit]
    return sorted(events, key=lambda e: (e.date, e.segment.article_id, e.segment.start))
