"""A conversation as Markdown: each question, its checked answer, and its sources (title, date,
link or file, and the quoted sentence each citation points at).

Pure: it takes the ``Answer`` objects and the article list (``RAG.articles()``) and returns a
string, so the CLI (``ask --export``), the UI's download button and the API share it. The
trade-off: sources are listed per answer, not once per conversation, so a reader can check any
answer on its own at the cost of repeating a title that several answers cite.

>>> from rag.answer.types import Answer, Citation
>>> a = Answer("Who met Stoltenberg?", "Bayramov met Stoltenberg [1].", True, "en", "en",
...            [Citation(1, "000", "NATO in Baku", "التقى بيراموف ستولتنبرغ", 0, 22, 0.9)])
>>> print(conversation_markdown([a], [{"article_id": "000", "date": "2024-03-18", "path": "seeds/000.txt", "url": ""}]))
# Conversation
<BLANKLINE>
## Who met Stoltenberg?
<BLANKLINE>
Bayramov met Stoltenberg [1].
<BLANKLINE>
Sources:
<BLANKLINE>
1. **NATO in Baku** (2024-03-18), seeds/000.txt
   > التقى بيراموف ستولتنبرغ
<BLANKLINE>
"""

from __future__ import annotations

from collections.abc import Iterable

from rag.answer.types import Answer


def _escape(text: str) -> str:
    """Keep a line from turning into a Markdown heading, list item or quote by accident."""
    text = " ".join(text.split())
    starts_block = text[:1] in ("#", ">", "-", "*", "+") or (text[:1].isdigit() and text[1:2] == ".")
    return "\\" + text if text and starts_block else text


def answer_markdown(answer: Answer, articles: dict[str, dict]) -> str:
    lines = [f"## {' '.join(answer.question.split())}", "", answer.text.strip() or "(no answer)", ""]
    if not answer.answered:
        lines[-1:] = ["", "_Not answered from the articles._", ""]
    if answer.citations:
        lines += ["Sources:", ""]
    for c in answer.citations:
        info = articles.get(c.article_id, {})
        where = c.url or info.get("url") or info.get("path") or c.article_id
        date = f" ({info['date']})" if info.get("date") else ""
        lines += [f"{c.number}. **{_escape(c.title or c.article_id)}**{date}, {where}", f"   > {_escape(c.quote)}"]
    return "\n".join(lines).rstrip() + "\n"


def conversation_markdown(answers: Iterable[Answer], articles: Iterable[dict], title: str = "Conversation") -> str:
    """The whole conversation; ``articles`` as ``RAG.articles()`` returns them."""
    by_id = {a["article_id"]: a for a in articles}
    return f"# {title}\n\n" + "\n".join(answer_markdown(a, by_id) for a in answers)
