"""Parse citation markers out of a generated answer and rebuild it in canonical form. Pure.

Small models write citations in many shapes: ``[1]``, ``[1, 2]``, ``[1][2]``, ``【1】``,
``[١]`` (Arabic-Indic digits), ``[المصدر 2]``, ``[Source 1]``. We strip every marker, split
the remaining text into sentences, and attach each marker to the sentence it follows (a marker
right after a full stop belongs to the sentence before it). Numbers that point at no source
are dropped. :func:`render` writes the sentences back with canonical ``[n]`` markers, so the
UI and the metrics see one format.

>>> sents = parse_answer("Baku hosted him [١]. He met Aliyev.【2، 9】", n_sources=2)
>>> [(s.text, s.numbers) for s in sents]
[('Baku hosted him.', [1]), ('He met Aliyev.', [2])]
>>> render(sents)
'Baku hosted him. [1] He met Aliyev. [2]'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.text.arabic import DIGITS
from rag.text.splitter import split_sentences

_NUM = r"[0-9٠-٩۰-۹]+"
MARKER = re.compile(
    rf"\s*[\[【]\s*(?:(?:source|sources|src|المصدر|مصدر|المصادر)\s*)?"
    rf"({_NUM}(?:\s*(?:[,،;]|and|و)\s*{_NUM})*)\s*[\]】]",
    re.IGNORECASE,
)


@dataclass
class AnswerSentence:
    text: str  # without markers
    numbers: list[int] = field(default_factory=list)  # cited source numbers, in order, unique
    separator: str = " "  # what preceded this sentence in the answer ("\n" keeps paragraphs)


def marker_numbers(marker: str) -> list[int]:
    """Numbers inside one marker, Arabic-Indic digits converted.

    >>> marker_numbers("[1, ٣]")
    [1, 3]
    """
    return [int(n) for n in re.findall(r"[0-9]+", marker.translate(DIGITS))]


def strip_markers(text: str) -> tuple[str, list[tuple[int, list[int]]]]:
    """Text without markers, and (position in stripped text, numbers) for each marker."""
    out, found, last = [], [], 0
    for match in MARKER.finditer(text):
        out.append(text[last : match.start()])
        position = sum(len(part) for part in out)
        found.append((position, marker_numbers(match.group(1))))
        last = match.end()
    out.append(text[last:])
    return "".join(out), found


def _tidy(text: str) -> str:
    return re.sub(r"\s+([.!?؟،,؛:])", r"\1", text).strip()


def parse_answer(text: str, n_sources: int) -> list[AnswerSentence]:
    stripped, markers = strip_markers(text)
    spans = split_sentences(stripped)
    if not spans:
        return []
    sentences = []
    for i, (start, end) in enumerate(spans):
        gap = stripped[spans[i - 1][1] : start] if i else ""
        sentences.append(AnswerSentence(_tidy(stripped[start:end]), [], "\n" if "\n" in gap else " "))
    for position, numbers in markers:
        # the last sentence that starts before the marker; a leading marker goes to the first
        index = max([i for i, (start, _) in enumerate(spans) if start < position] or [0])
        for n in numbers:
            if 1 <= n <= n_sources and n not in sentences[index].numbers:
                sentences[index].numbers.append(n)
    return [s for s in sentences if s.text]


def render(sentences: list[AnswerSentence]) -> str:
    parts = []
    for i, s in enumerate(sentences):
        marks = "".join(f"[{n}]" for n in s.numbers)
        parts.append((s.separator if i else "") + s.text + (f" {marks}" if marks else ""))
    return "".join(parts)


def cited_numbers(sentences: list[AnswerSentence]) -> list[int]:
    """All cited numbers in order of first appearance."""
    seen: list[int] = []
    for s in sentences:
        seen.extend(n for n in s.numbers if n not in seen)
    return seen
