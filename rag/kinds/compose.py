"""Overview, timeline, comparison and key-sentence answers, composed from real sentences with
their offsets: every line cites the article it quotes, so grounding holds by construction and
no model is called. Pure (builds ``Answer`` objects).

The frame (the heading and the labels) is in the question's language; the quoted sentences
stay in their article's language, since translating them is exactly what could not be checked.
Each article in the answer is one numbered source, numbered in order of first appearance.

>>> from rag.retrieval.evidence import Segment
>>> lead = Segment("a1", "NATO chief in Baku", "2024-03-18", "Stoltenberg praised Azerbaijan.", 0, 31)
>>> print(compose("overview", "What are these articles about?", "en", [lead])[0].text)
1 article in scope:
- NATO chief in Baku (2024-03-18): Stoltenberg praised Azerbaijan. [1]
"""

from __future__ import annotations

from rag.answer.types import Answer, Citation
from rag.kinds.timeline import Event
from rag.retrieval.evidence import Segment, Source, group_sources

FRAMES = {
    "en": {"overview": "{n} article{s} in scope:", "timeline": "Dated events in the articles, oldest first:",
           "comparison": "What each article says on this:", "summary": "Key sentences from the articles, as written:",
           "published": "published", "no_date": "no date"},
    "ar": {"overview": "المقالات في النطاق ({n}):", "timeline": "أحداث مؤرخة في المقالات، من الأقدم إلى الأحدث:",
           "comparison": "ما يقوله كل مقال في هذا:", "summary": "أهم الجمل في المقالات كما وردت:",
           "published": "نُشر", "no_date": "بلا تاريخ"},
}


def _line(kind: str, lang: str, item: Segment | Event | list[Segment], number: int) -> str:
    f = FRAMES[lang]
    if isinstance(item, Event):
        label = f"{f['published']}: {item.segment.title} — " if item.published else ""
        return f"- {item.date.lstrip('0')}: {label}{item.segment.text.strip()} [{number}]"  # 0980 sorts, 980 reads
    if isinstance(item, list):  # comparison: one article's sentences on the point
        quoted = " ".join(s.text.strip() for s in item)
        return f"- {item[0].title} ({item[0].date or f['no_date']}): {quoted} [{number}]"
    if kind == "overview":
        return f"- {item.title} ({item.date or f['no_date']}): {item.text.strip()} [{number}]"
    return f"- {item.text.strip()} [{number}]"


def compose(kind: str, question: str, lang: str, items: list) -> tuple[Answer, list[Source]]:
    """The answer and its numbered sources. ``items``: lead segments (overview), key segments
    (summary), ``Event``s (timeline) or per-article segment lists (comparison), in the order
    they are to be shown."""
    segments_of = [it.segment if isinstance(it, Event) else it for it in items]
    flat = [s for it in segments_of for s in (it if isinstance(it, list) else [it])]
    sources = group_sources(flat)
    number = {src.article_id: src.number for src in sources}
    head = FRAMES[lang][kind].format(n=len(items), s="" if len(items) == 1 else "s")
    lines = [head] + [_line(kind, lang, it, number[seg[0].article_id if isinstance(seg, list) else seg.article_id])
                      for it, seg in zip(items, segments_of)]
    citations = [Citation(number[s.article_id], s.article_id, s.title, s.text, s.start, s.end, round(s.cosine, 3))
                 for s in flat]
    answer = Answer(question=question, text="\n".join(lines), answered=bool(items), language=lang,
                    answer_language=lang, citations=citations, kind=kind)
    answer.sources = [{"number": x.number, "article_id": x.article_id, "title": x.title, "date": x.date,
                       "texts": x.texts} for x in sources]
    return answer, sources
