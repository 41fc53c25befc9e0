"""Tidy a small model's raw reply into answer sentences. Pure (no model, no store).

A 1.5B model often wraps its answer in pieces of the prompt: a leading "Answer:", a copied
source header "[1] <title> (<date>)", a closing "Source: [1]" line, or a filler sentence
("This information can be found in source [1]."). None of these is a claim, so they are
removed here before citations are checked; the filler sentences that survive are later
dropped by the support check because no source supports them.

The trade-off: we only remove what is recognisably prompt furniture (labels, source titles),
never content words, so a real answer that happens to start like a title loses only the
title part.

>>> sources = [("Stoltenberg visits Baku", "2024-03-18")]
>>> s = answer_sentences("Sources:\\n[1] Stoltenberg visits Baku (2024-03-18)\\n\\nAnswer: Three days. [1]\\nSource: [1]", sources, 1)
>>> [(x.text, x.numbers) for x in s]
[('Three days.', [1])]
>>> [x.text for x in answer_sentences("More than 120, 000 people. [1]", sources, 1)]
['More than 120,000 people.']
>>> [x.text for x in answer_sentences("How long was the visit? [1] Three days. [1]", sources, 1)]
['Three days.']
"""

from __future__ import annotations

import re

from rag.answer.citations import AnswerSentence, parse_answer
from rag.text.normalize import join_spaced_thousands, normalize

_LABELS = ("sources", "source", "answer", "المصادر", "المصدر", "مصدر", "الإجابة", "الاجابة", "الجواب",
           "الإجابه", "الاجابه", "التقييم")
_LABEL = re.compile(rf"^\s*(?:{'|'.join(_LABELS)})\s*[:：]\s*", re.IGNORECASE)


def match_form(text: str) -> str:
    """Normalised words only, for comparing a sentence with a title.

    >>> match_form("«الخارجية» تؤكد!")
    'الخارجيه تؤكد'
    """
    return re.sub(r"[^\w]+", " ", normalize(text)).strip()


def strip_label(text: str) -> str:
    """Remove a leading prompt label ("Answer:", "المصدر:").

    >>> strip_label("Answer: Baku")
    'Baku'
    """
    return _LABEL.sub("", text)


def strip_header(text: str, headers: list[str]) -> str:
    """Remove a copied source header (title, then optionally its date) from the start.

    >>> strip_header("«Visit» to Baku (2024-03-18) It lasts 3 days.", ["visit to baku 2024 03 18"])
    'It lasts 3 days.'
    """
    tokens = text.split()
    for header in headers:
        for i in range(len(tokens)):
            prefix = match_form(" ".join(tokens[: i + 1]))
            if prefix == header:
                return " ".join(tokens[i + 1:])
            if not header.startswith(prefix):
                break
    return text


def answer_sentences(raw: str, sources: list[tuple[str, str]], n_sources: int) -> list[AnswerSentence]:
    """Answer sentences of ``raw`` with prompt furniture removed.

    ``sources`` are the (title, date) pairs the model saw, numbered from 1."""
    headers = sorted({match_form(f"{title} {date}") for title, date in sources} |
                     {match_form(title) for title, _ in sources}, key=len, reverse=True)
    lines = [strip_label(line) for line in raw.splitlines()]
    sentences = parse_answer("\n".join(lines), n_sources)
    kept = []
    for sentence in sentences:
        text = strip_header(strip_label(sentence.text), headers).strip()
        if not re.search(r"\w", text) or re.fullmatch(r"[\w\s]{0,20}[:：]", text):
            continue  # only punctuation left, or a bare label such as "Citation:"
        if text.rstrip(" .").endswith(("?", "؟")):
            continue  # the question repeated back: an answer sentence never asks
        sentence.text = join_spaced_thousands(text)
        kept.append(sentence)
    return kept
