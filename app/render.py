"""HTML for the chat, the sources panel, the article list and the status line. Pure: no gradio.

Every string that comes from an article or from the model is escaped here, once, before any
markup is added around it; the markup we add is a small fixed vocabulary (``p``, ``a.cite``,
``mark``, ``section.source``, ``details``). Direction is decided per element by the first
strong letter: each message gets ``dir`` from :func:`text_dir` and each paragraph inside it
``dir="auto"``, so an Arabic answer is right-to-left, an English one left-to-right, and an
English paragraph inside an Arabic article is still readable.

Answers are passed as plain dicts (``Answer.to_dict()`` or any dict with the same keys), so
these functions can be tested without models.

>>> answer_html({"text": "Kabul <b>airport</b>. [1]", "answered": True, "language": "en",
...              "citations": [{"number": 1}]}, turn=0)
'<div class="answer turn-0" dir="ltr" lang="en" data-turn="0"><p dir="auto">Kabul &lt;b&gt;airport&lt;/b&gt;. <a class="cite cite-1 turn-0" data-n="1" data-turn="0" href="#src-1" title="source 1">[1]</a></p></div>'
"""

from __future__ import annotations

import re
from html import escape

from rag.text.language import detect_language

_MARKER = re.compile(r"\[(\d+)\]")


def esc(text: object) -> str:
    return escape("" if text is None else str(text), quote=True)


def text_dir(text: str) -> str:
    """Direction of a whole message from its first strong letter, as ``dir="auto"`` would
    decide it (the message element needs it explicitly: ``dir="auto"`` on a parent ignores
    children that carry their own ``dir``).

    >>> text_dir("2024: ما المطار؟"), text_dir("Kabul (كابول)"), text_dir("[1] 42")
    ('rtl', 'ltr', 'auto')
    """
    for ch in text or "":
        if "\u0590" <= ch <= "\u08ff" or "\ufb1d" <= ch <= "\ufefc":
            if ch.isalpha():
                return "rtl"
        elif ch.isalpha():
            return "ltr"
    return "auto"


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n+", text or "") if p.strip()]


def _get(obj, name: str, default=None):
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def cited_numbers(answer) -> list[int]:
    """Source numbers the answer cites, in order of first citation."""
    seen: list[int] = []
    for c in _get(answer, "citations", None) or []:
        n = int(_get(c, "number"))
        if n not in seen:
            seen.append(n)
    return seen


def citation_previews(answer, limit: int = 160) -> dict[int, str]:
    """Source number -> "title: the first cited sentence" (cut at ``limit`` characters), for tooltips.

    >>> citation_previews({"citations": [{"number": 1, "title": "NATO", "quote": "He met the minister."}]})
    {1: 'NATO: He met the minister.'}
    """
    previews: dict[int, str] = {}
    for c in _get(answer, "citations", None) or []:
        n, quote = int(_get(c, "number")), " ".join(str(_get(c, "quote", "") or "").split())
        if n in previews or not quote:
            continue
        text = f"{_get(c, 'title', '') or ''}: {quote}".lstrip(": ")
        previews[n] = text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
    return previews


def link_markers(escaped: str, numbers: list[int], turn: int, previews: dict[int, str] | None = None) -> str:
    """Turn ``[n]`` in already-escaped text into clickable markers (only for cited numbers);
    the tooltip previews the cited sentence when ``previews`` has it.

    >>> link_markers("a [2] b [9]", [2], 4)
    'a <a class="cite cite-2 turn-4" data-n="2" data-turn="4" href="#src-2" title="source 2">[2]</a> b [9]'
    >>> link_markers("a [1]", [1], 0, {1: 'NATO "chief" <visit>'})[-56:]
    'title="[1] NATO &quot;chief&quot; &lt;visit&gt;">[1]</a>'
    """
    def repl(match: re.Match) -> str:
        n = int(match.group(1))
        if n not in numbers:
            return match.group(0)
        preview = (previews or {}).get(n)
        title = esc(f"[{n}] {preview}") if preview else f"source {n}"
        return (f'<a class="cite cite-{n} turn-{int(turn)}" data-n="{n}" data-turn="{int(turn)}" href="#src-{n}" '
                f'title="{title}">[{n}]</a>')

    return _MARKER.sub(repl, escaped)


def user_html(question: str, turn: int) -> str:
    body = "".join(f'<p dir="auto">{esc(p)}</p>' for p in _paragraphs(question))
    return (f'<div class="question turn-{int(turn)}" dir="{text_dir(question)}" lang="{detect_language(question)}" '
            f'data-turn="{int(turn)}">{body}</div>')


def answer_html(answer, turn: int) -> str:
    """A finished answer; refusals ("not in the articles") get the ``refusal`` class."""
    lang = esc(_get(answer, "language", "") or "")
    text = _get(answer, "text", "") or ""
    if not _get(answer, "answered", False):
        body = "".join(f'<p dir="auto">{esc(p)}</p>' for p in _paragraphs(text))
        return (f'<div class="answer refusal turn-{int(turn)}" dir="{text_dir(text)}" lang="{lang}" '
                f'data-turn="{int(turn)}">'
                f'<span class="refusal-badge" aria-hidden="true">∅</span>{body}</div>')
    numbers = cited_numbers(answer)
    previews = citation_previews(answer)
    body = "".join(f'<p dir="auto">{link_markers(esc(p), numbers, turn, previews)}</p>' for p in _paragraphs(text))
    return (f'<div class="answer turn-{int(turn)}" dir="{text_dir(text)}" lang="{lang}" data-turn="{int(turn)}">'
            f'{body}</div>')


def streaming_html(partial: str) -> str:
    """The answer while it is being generated (markers not yet verified, so not links)."""
    body = "".join(f'<p dir="auto">{esc(p)}</p>' for p in _paragraphs(partial))
    return (f'<div class="answer streaming" dir="{text_dir(partial)}" lang="{detect_language(partial)}">{body}'
            '<span class="cursor">▍</span></div>')


def error_html(message: str) -> str:
    return (f'<div class="answer error" dir="{text_dir(message)}" lang="{detect_language(message)}" role="alert">'
            f'<p dir="auto">⚠ {esc(message)}</p></div>')


# --- sources panel ----------------------------------------------------------------------
def paragraph_bounds(body: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph (line) of ``body`` that contains ``body[start:end]``.

    >>> paragraph_bounds("one.\\ntwo three.\\nfour.", 9, 14)
    (5, 15)
    """
    left = body.rfind("\n", 0, start) + 1
    right = body.find("\n", end)
    return left, len(body) if right < 0 else right


def highlight(text: str, spans: list[tuple[int, int]], offset: int = 0) -> str:
    """Escaped ``text`` with each (start, end) span (absolute: minus ``offset``) in ``<mark>``.

    >>> highlight("a <b> c", [(2, 5)])
    'a <mark>&lt;b&gt;</mark> c'
    """
    out, pos = [], 0
    clipped = sorted((max(s - offset, 0), min(e - offset, len(text))) for s, e in spans)
    for s, e in clipped:
        if e <= s or e <= pos:
            continue
        s = max(s, pos)
        out.append(esc(text[pos:s]) + "<mark>" + esc(text[s:e]) + "</mark>")
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out)


def _valid(body: str, start: int, end: int, quote: str) -> bool:
    return 0 <= start < end <= len(body) and (not quote or body[start:end].strip() == quote.strip())


def source_html(number: int, title: str, date: str, citations: list, body: str | None) -> str:
    """One cited article: title, date, each cited passage highlighted in its paragraph, and
    the whole cleaned article (collapsed, with the same highlights)."""
    spans = [(int(_get(c, "start")), int(_get(c, "end"))) for c in citations
             if body is not None and _valid(body, int(_get(c, "start")), int(_get(c, "end")), _get(c, "quote", ""))]
    passages = []
    if spans:
        for bounds in sorted({paragraph_bounds(body, s, e) for s, e in spans}):
            inside = [(s, e) for s, e in spans if bounds[0] <= s and e <= bounds[1]]
            passages.append(f'<p class="passage" dir="auto">{highlight(body[bounds[0]:bounds[1]], inside, bounds[0])}</p>')
    else:  # no article text (deleted since?) or stale offsets: show the quotes themselves
        passages = [f'<p class="passage" dir="auto"><mark>{esc(_get(c, "quote", ""))}</mark></p>' for c in citations]
    full = ""
    if body is not None:
        paras = []
        for line_start, line in _lines(body):
            inside = [(s, e) for s, e in spans if s < line_start + len(line) and e > line_start]
            paras.append(f'<p dir="auto">{highlight(line, inside, line_start)}</p>')
        full = (f'<details class="article"><summary>Open the whole article · فتح المقال كاملا</summary>'
                f'<div class="article-body">{"".join(paras)}</div></details>')
    date_html = f'<span class="date">{esc(date)}</span>' if date else ""
    return (f'<section class="source" id="src-{int(number)}" data-n="{int(number)}">'
            f'<header><span class="num">[{int(number)}]</span> <span class="title" dir="auto">{esc(title)}</span>'
            f'{date_html}</header>{"".join(passages)}{full}</section>')


def _lines(body: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in body.split("\n"):
        if line.strip():
            out.append((pos, line))
        pos += len(line) + 1
    return out


def sources_html(answer, articles: dict[str, tuple[str, dict] | None], turn: int) -> str:
    """The panel for one answer. ``articles`` maps article_id -> ``rag.article_text(id)``."""
    if answer is None:
        return ('<div class="sources empty" data-turn="-1"><p dir="ltr">Sources of the selected answer appear '
                'here.</p><p dir="rtl">تظهر هنا مصادر الإجابة المختارة.</p></div>')
    if not _get(answer, "answered", False):
        return (f'<div class="sources none" data-turn="{int(turn)}"><p class="no-sources" dir="ltr">No sources: '
                f'the answer is not in the indexed articles.</p>'
                f'<p class="no-sources" dir="rtl">لا مصادر: الإجابة ليست في المقالات.</p></div>')
    meta = {int(s["number"]): s for s in (_get(answer, "sources", None) or [])}
    sections = []
    for n in cited_numbers(answer):
        cites = [c for c in _get(answer, "citations") if int(_get(c, "number")) == n]
        article_id = _get(cites[0], "article_id")
        found = articles.get(article_id)
        body, manifest = found if found else (None, {})
        title = _get(cites[0], "title") or manifest.get("title") or article_id
        date = (meta.get(n) or {}).get("date") or manifest.get("date") or ""
        sections.append(source_html(n, title, date, cites, body))
    return f'<div class="sources" data-turn="{int(turn)}">{"".join(sections)}</div>'


# --- index and status -------------------------------------------------------------------
def articles_html(articles: list[dict]) -> str:
    if not articles:
        return '<p class="articles empty">No articles indexed yet.</p>'
    rows = "".join(
        f'<tr><td dir="auto">{esc(a.get("title") or a.get("article_id"))}</td><td>{esc(a.get("date") or "")}</td>'
        f'<td><code>{esc(a.get("article_id"))}</code></td><td>{int(a.get("chunks") or 0)}'
        f'{"" if a.get("complete", True) else " ⚠ incomplete"}</td></tr>'
        for a in articles)
    return (f'<table class="articles"><thead><tr><th>Title</th><th>Date</th><th>Id</th><th>Chunks</th></tr>'
            f'</thead><tbody>{rows}</tbody></table>')


def status_html(backend: str, stats: dict | None, problem: str = "") -> str:
    index = (f'{int(stats["articles"])} articles, {int(stats["chunks"])} chunks indexed' if stats
             else "index unavailable")
    warn = f' <span class="problem" role="alert">⚠ {esc(problem)}</span>' if problem else ""
    return f'<div class="status-line"><b>Answering with:</b> {esc(backend)} · {esc(index)}{warn}</div>'
