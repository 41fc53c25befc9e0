"""HTML for the chat messages, and the plain text a reader copies. Pure: no gradio.

Every string that comes from an article or from the model is escaped here, once, before any
markup is added around it; the markup we add is a small fixed vocabulary (``p``, ``a.cite``,
``mark``, ``section.source``, ``details``). Direction is decided per element by the first
strong letter: each message gets ``dir`` from :func:`text_dir` and each paragraph inside it
``dir="auto"``, so an Arabic answer is right-to-left, an English one left-to-right, and an
English paragraph inside an Arabic article is still readable.

Answers are passed as plain dicts (``Answer.to_dict()`` or any dict with the same keys), so
these functions can be tested without models. A message shows one of four states: the
question, the answer being made (a progress line in the question's language, then the draft,
marked as not yet checked), the verified answer (or a refusal, or a draft the checks withdrew,
shown as such with the closest passages), and stopped or failed. The panels around the chat
(sources, articles, status) are in panels.py.

>>> html = answer_html({"text": "Kabul <b>airport</b>. [1]", "answered": True, "language": "en",
...                     "citations": [{"number": 1, "title": "NATO", "quote": "Kabul airport."}]}, turn=0)
>>> html.split("<details")[0]  # the answer; then its sources (for phones) and its plain text (for Copy)
'<div class="answer turn-0" dir="ltr" lang="en" data-turn="0"><p dir="auto">Kabul &lt;b&gt;airport&lt;/b&gt;. <a class="cite cite-1 turn-0" data-n="1" data-turn="0" href="#src-1" title="[1] NATO: Kabul airport.">[1]</a></p>'
"""

from __future__ import annotations

import re
from html import escape

from app.labels import both, say
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
        previews[n] = shorten(text, limit)
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


def user_html(question: str, turn: int, scope: str = "") -> str:
    """The reader's question; ``scope`` (what it was asked within) as a note under it."""
    body = "".join(f'<p dir="auto">{esc(p)}</p>' for p in _paragraphs(question))
    note = f'<p class="scope-note" dir="ltr">{esc(scope)}</p>' if scope else ""
    return (f'<div class="question turn-{int(turn)}" dir="{text_dir(question)}" lang="{detect_language(question)}" '
            f'data-turn="{int(turn)}">{body}{note}</div>')


def withdrawn(answer) -> bool:
    """A refusal after the model had written a draft (a check withdrew it), as opposed to "no
    relevant passage" (the model never ran) or the model itself saying the sources lack it."""
    return (not _get(answer, "answered", False) and bool((_get(answer, "draft", "") or "").strip())
            and (_get(answer, "refused_by", "") or "") not in ("", "relevance", "declined"))


def answer_html(answer, turn: int) -> str:
    """A finished answer with its sources listed under it (shown on narrow screens) and its
    plain text (what Copy puts on the clipboard); refusals get the ``refusal`` class."""
    lang = esc(_get(answer, "language", "") or "")
    text = _get(answer, "text", "") or ""
    copy = f'<div class="plain-text">{esc(plain_text(answer))}</div>'
    if not _get(answer, "answered", False):
        if withdrawn(answer):
            notice = say("withdrawn", _get(answer, "language"))
            return (f'<div class="answer refusal withdrawn turn-{int(turn)}" dir="{text_dir(notice)}" lang="{lang}" '
                    f'data-turn="{int(turn)}"><span class="refusal-badge" aria-hidden="true">⚠</span>'
                    f'<p dir="auto">{esc(notice)}</p>{closest_list(answer)}{copy}</div>')
        body = "".join(f'<p dir="auto">{esc(p)}</p>' for p in _paragraphs(text))
        return (f'<div class="answer refusal turn-{int(turn)}" dir="{text_dir(text)}" lang="{lang}" '
                f'data-turn="{int(turn)}">'
                f'<span class="refusal-badge" aria-hidden="true">∅</span>{body}{copy}</div>')
    numbers = cited_numbers(answer)
    previews = citation_previews(answer)
    body = "".join(f'<p dir="auto">{link_markers(esc(p), numbers, turn, previews)}</p>' for p in _paragraphs(text))
    return (f'<div class="answer turn-{int(turn)}" dir="{text_dir(text)}" lang="{lang}" data-turn="{int(turn)}">'
            f'{body}{inline_sources(answer, turn)}{copy}</div>')


def cited_sources(answer) -> list[tuple[int, str, str, str]]:
    """(number, title, date, first cited sentence) of each cited source, in citation order."""
    dates = {int(_get(s, "number")): _get(s, "date", "") or "" for s in _get(answer, "sources", None) or []}
    out = []
    for n in cited_numbers(answer):
        first = next(c for c in _get(answer, "citations") if int(_get(c, "number")) == n)
        quote = " ".join(str(_get(first, "quote", "") or "").split())
        out.append((n, _get(first, "title", "") or _get(first, "article_id", ""), dates.get(n, ""), quote))
    return out


def inline_sources(answer, turn: int) -> str:
    """The cited sources under the answer (collapsed; CSS shows it on narrow screens only)."""
    items = "".join(
        f'<li class="src-{n} turn-{int(turn)}"><b dir="auto">[{n}] {esc(title)}</b>'
        + (f' <span class="date">{esc(date)}</span>' if date else "")
        + f'<br><span dir="auto">{esc(quote)}</span></li>'
        for n, title, date, quote in cited_sources(answer))
    return f'<details class="inline-sources"><summary>{both("sources")}</summary><ol>{items}</ol></details>' if items else ""


def closest_list(answer) -> str:
    """The passages the model was given, for an answer whose draft was withdrawn."""
    items = "".join(
        f'<li><b dir="auto">{esc(_get(s, "title") or _get(s, "article_id"))}</b><br>'
        f'<span dir="auto">{esc(" ".join(_get(s, "texts") or []))}</span></li>'
        for s in _get(answer, "sources", None) or [])
    label = say("closest", _get(answer, "language"))
    return f'<details class="closest" open><summary>{esc(label)}</summary><ol>{items}</ol></details>' if items else ""


def plain_text(answer) -> str:
    """What Copy gives: the answer, then its numbered sources with titles (no markup).

    >>> print(plain_text({"text": "Kabul airport. [1]", "answered": True, "language": "en", "citations": [
    ...     {"number": 1, "title": "NATO chief", "quote": "They secured <Kabul> airport."}]}))
    Kabul airport. [1]
    <BLANKLINE>
    Sources:
    [1] NATO chief: They secured <Kabul> airport.
    """
    lang = _get(answer, "language")
    if not _get(answer, "answered", False):
        if not withdrawn(answer):
            return (_get(answer, "text", "") or "").strip()
        lines = [say("withdrawn", lang), "", say("closest", lang) + ":"]
        lines += [f"- {_get(s, 'title') or _get(s, 'article_id')}: {' '.join(_get(s, 'texts') or [])}"
                  for s in _get(answer, "sources", None) or []]
        return "\n".join(lines)
    lines = [(_get(answer, "text", "") or "").strip(), "", say("sources", lang) + ":"]
    for n, title, date, quote in cited_sources(answer):
        lines.append(f"[{n}] {title}{f' ({date})' if date else ''}: {quote}")
    return "\n".join(lines)


def reading_list(sources: list[dict], lang: str | None, limit: int = 140) -> str:
    """The passages the model is reading, under the progress state: shown on a phone, where the
    side panel that lists them (app/panels.py ``reading_html``) is hidden."""
    items = "".join(
        f'<li dir="auto"><span class="num">[{int(s["number"])}]</span> <b>{esc(s.get("title") or s.get("article_id"))}</b>'
        + (f': {esc(shorten((s.get("texts") or [""])[0], limit))}' if s.get("texts") else "") + "</li>"
        for s in sources)
    return f'<details class="inline-reading" open><summary>{esc(say("reading", lang))}</summary><ol>{items}</ol></details>'


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, "…" marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0].rstrip() + "…"


def streaming_html(partial: str, stage: str = "writing", lang: str | None = None,
                   reading: list[dict] | None = None) -> str:
    """The answer being made: the progress state in the question's language, the passages being
    read (phones), then the draft so far, labelled as not checked (its markers are not links
    until the checks pass)."""
    lang = lang or detect_language(partial)
    draft = ""
    if partial.strip():
        body = "".join(f'<p dir="auto">{esc(p)}</p>' for p in _paragraphs(partial))
        draft = (f'<div class="draft" dir="{text_dir(partial)}"><p class="draft-label">{esc(say("draft", lang))}</p>'
                 f'{body}<span class="cursor">▍</span></div>')
    stage_text = say(stage, lang)
    return (f'<div class="answer streaming stage-{esc(stage)}" dir="{text_dir(stage_text)}" lang="{esc(lang)}">'
            f'<p class="stage" role="status">⏳ {esc(stage_text)}</p>{reading_list(reading, lang) if reading else ""}'
            f'{draft}</div>')


def stopped_html(partial: str, lang: str | None = None) -> str:
    """An answer the reader stopped: what had been written, marked as unfinished."""
    lang = lang or detect_language(partial)
    body = "".join(f'<p dir="auto">{esc(p)}</p>' for p in _paragraphs(partial))
    notice = say("stopped", lang)
    return (f'<div class="answer stopped" dir="{text_dir(notice)}" lang="{esc(lang)}"><p class="stage">⏹ {esc(notice)}</p>'
            f'<div class="draft" dir="{text_dir(partial)}">{body}</div></div>')


def error_html(message: str) -> str:
    return (f'<div class="answer error" dir="{text_dir(message)}" lang="{detect_language(message)}" role="alert">'
            f'<p dir="auto">⚠ {esc(message)}</p></div>')
