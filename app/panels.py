"""HTML for the panels around the chat: the sources of one answer, the article library and
the status and diagnostics lines. Pure: no gradio (the chat messages are in render.py).

The sources panel shows each cited article with the cited sentences highlighted inside their
paragraph and the whole cleaned article one click away. Offsets come from the answer and are
checked against the article text before use: an article replaced since the answer was given
shows the quoted sentences instead of a wrong highlight. Every string from an article is
escaped once, in :func:`highlight` or :func:`app.render.esc`.
"""

from __future__ import annotations

from app.labels import articles_indexed, both, pair, say
from app.render import _get, cited_numbers, esc, withdrawn

EMPTY_PANEL = ('<div class="sources empty" data-turn="-1"><p dir="ltr">Sources of the selected answer appear '
               'here.</p><p dir="rtl">تظهر هنا مصادر الإجابة المختارة.</p></div>')


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


def source_html(number: int, title: str, date: str, citations: list, body: str | None, url: str = "") -> str:
    """One cited article: title (a link to the page when it was added by link or feed), date,
    each cited passage highlighted in its paragraph, and the whole cleaned article (collapsed,
    with the same highlights)."""
    spans = [(int(_get(c, "start")), int(_get(c, "end"))) for c in citations
             if body is not None and _valid(body, int(_get(c, "start")), int(_get(c, "end")), _get(c, "quote", ""))]
    passages = []
    if spans and body is not None:
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
            f'{date_html}{link_html(url)}</header>{"".join(passages)}{full}</section>')


def link_html(url: str) -> str:
    """The article's page, opened in a new tab; only http(s) addresses become links.

    >>> link_html("javascript:alert(1)"), link_html("")
    ('', '')
    """
    if not url.startswith(("http://", "https://")):
        return ""
    return (f' <a class="page-link" href="{esc(url)}" target="_blank" rel="noopener noreferrer" '
            f'dir="ltr">{esc(url)}</a>')


def _lines(body: str) -> list[tuple[int, str]]:
    out, pos = [], 0
    for line in body.split("\n"):
        if line.strip():
            out.append((pos, line))
        pos += len(line) + 1
    return out


def closest_html(answer, turn: int) -> str:
    """The passages the model was given for an answer the checks withdrew (or it declined)."""
    lang = _get(answer, "language", "en")
    items = "".join(
        f'<section class="source closest" id="src-{int(s["number"])}"><header><span class="num">[{int(s["number"])}]'
        f'</span> <span class="title" dir="auto">{esc(s.get("title") or s.get("article_id"))}</span></header>'
        + "".join(f'<p class="passage" dir="auto">{esc(t)}</p>' for t in s.get("texts") or [])
        + "</section>" for s in _get(answer, "sources", None) or [])
    return (f'<div class="sources withdrawn" data-turn="{int(turn)}" lang="{esc(lang)}">'
            f'<p class="no-sources" dir="auto">{esc(say("closest", lang))}</p>{items}</div>')


def reading_html(sources: list[dict], lang: str | None, turn: int) -> str:
    """While the model writes: the passages it is reading, labelled as such (not yet the
    answer's cited sources; the panel switches to those once the checks pass)."""
    items = "".join(
        f'<section class="source reading" id="src-{int(s["number"])}"><header><span class="num">[{int(s["number"])}]'
        f'</span> <span class="title" dir="auto">{esc(s.get("title") or s.get("article_id"))}</span>'
        + (f'<span class="date">{esc(s["date"])}</span>' if s.get("date") else "") + "</header>"
        + "".join(f'<p class="passage" dir="auto">{esc(t)}</p>' for t in s.get("texts") or [])
        + "</section>" for s in sources)
    return (f'<div class="sources reading" data-turn="{int(turn)}" lang="{esc(lang or "en")}">'
            f'<p class="reading-label" dir="auto">{esc(say("reading", lang))}</p>{items}</div>')


def sources_html(answer, articles: dict[str, tuple[str, dict] | None], turn: int) -> str:
    """The panel for one answer. ``articles`` maps article_id -> ``rag.article_text(id)``."""
    if answer is None:
        return EMPTY_PANEL
    if not _get(answer, "answered", False):
        if withdrawn(answer) and _get(answer, "sources", None):
            return closest_html(answer, turn)
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
        url = _get(cites[0], "url", "") or manifest.get("url") or ""
        sections.append(source_html(n, title, date, cites, body, url))
    return f'<div class="sources" data-turn="{int(turn)}">{"".join(sections)}</div>'


# --- the article library and the status line -------------------------------------------
def matches(article: dict, query: str) -> bool:
    """Search by title, date or id, ignoring case.

    >>> matches({"title": "NATO chief in Baku", "article_id": "001"}, "baku"), matches({"title": "x"}, "y")
    (True, False)
    """
    query = " ".join((query or "").split()).casefold()
    haystack = " ".join(str(article.get(k) or "") for k in ("title", "date", "article_id")).casefold()
    return not query or query in haystack


def articles_html(articles: list[dict], query: str = "") -> str:
    """The library: title and date of every article (filtered by ``query``), newest first."""
    if not articles:
        return '<p class="articles empty">No articles indexed yet · لا مقالات مفهرسة بعد</p>'
    shown = sorted((a for a in articles if matches(a, query)), key=lambda a: str(a.get("date") or ""), reverse=True)
    if not shown:
        return f'<p class="articles empty" dir="auto">No title matches · لا عنوان يطابق: {esc(query)}</p>'
    rows = "".join(
        f'<tr data-id="{esc(a.get("article_id"))}"><td dir="auto">{esc(a.get("title") or a.get("article_id"))}'
        f'{"" if a.get("complete", True) else " ⚠ incomplete · غير مكتمل"}</td>'
        f'<td class="date">{esc(a.get("date") or "")}</td></tr>' for a in shown)
    return (f'<table class="articles"><thead><tr><th>{both("article_title")}</th><th>{both("article_date")}</th>'
            f'</tr></thead><tbody>{rows}</tbody></table>')


def library_label(stats: dict | None) -> str:
    """The one line a reader sees first: how many articles can be asked about."""
    if not stats:
        return "⚠ " + pair("The article index cannot be read", "تعذرت قراءة فهرس المقالات")
    n = int(stats["articles"])
    return pair(articles_indexed(n, "en"), articles_indexed(n, "ar"))


def status_html(problem: str = "", note: str = "") -> str:
    """The line above the chat: empty when all is well, else what stops answers, in plain words."""
    if problem:
        return (f'<div class="status-line"><span class="problem" role="alert" dir="auto">⚠ {esc(problem)}</span> '
                f'<span class="hint">({both("settings")})</span></div>')
    return f'<div class="status-line ok">{esc(note)}</div>' if note else '<div class="status-line ok"></div>'


def diagnostics_html(lines: list[tuple[str, str]]) -> str:
    """The Settings panel's plain-words report: (what, how it is) pairs."""
    rows = "".join(f'<li><b>{esc(what)}</b>: <span dir="auto">{esc(how)}</span></li>' for what, how in lines)
    return f'<ul class="diagnostics">{rows}</ul>'



def collection_html(articles: list[dict], latest: int = 3) -> str:
    """The first screen's line on what can be asked about: how many articles, their date range,
    the latest titles; one element per language, each with its own direction.

    >>> html = collection_html([{"title": "A", "date": "2024-03-18"}, {"title": "B", "date": ""}])
    >>> "2 articles; 1 with a date: <bdi" in html and '<li dir="auto">B</li>' in html and 'dir="rtl"' in html
    True
    """
    if not articles:
        return ('<div class="collection"><p dir="ltr">No articles yet: add files or a link below.</p>'
                '<p dir="rtl">لا مقالات بعد: أضف ملفات أو رابطا أدناه.</p></div>')
    dated = sorted((a for a in articles if a.get("date")), key=lambda a: a["date"], reverse=True)
    undated = [a for a in articles if not a.get("date")]
    newest = [a.get("title") or a.get("article_id", "") for a in (dated + undated)[:latest]]
    titles = "".join(f'<li dir="auto">{esc(t)}</li>' for t in newest)
    n, m = len(articles), len(dated)
    span = dated[0]["date"] if m and dated[-1]["date"] == dated[0]["date"] else \
        f"{dated[-1]['date']} – {dated[0]['date']}" if m else ""
    when = f'<bdi dir="ltr">{esc(span)}</bdi>'  # the dates keep their order inside the Arabic line
    en = esc(f"{n} article{'s' if n != 1 else ''}")
    ar = esc(f"عدد المقالات: {n}")
    if m:
        en += f", dated {when}" if m == n else f"; {m} with a date: {when}"
        ar += f"، بتاريخ {when}" if m == n else f"؛ منها {m} بتاريخ: {when}"
    return (f'<div class="collection"><p dir="ltr" lang="en">{en}. Latest:</p>'
            f'<p dir="rtl" lang="ar">{ar}. الأحدث:</p>'
            f'<ul>{titles}</ul></div>')
