"""Arabic-aware sentence splitting and token-budgeted chunking, with character offsets.

Pure functions, no I/O; the token counter is passed in (the embedding model's own tokenizer
in production, ``str.split`` length in unit tests). Every span is ``(start, end)`` into the
cleaned article, so ``text[start:end]`` is exactly what a citation highlights.

Three levels:
- *sentences*: end at ``. ! ? ؟ ؛ …`` followed by space, or at a line break. A period between
  digits (``3.5``), a thousands comma (``120,000``) and short abbreviations (``Dr.``,
  ``U.S.``, single initials) do not end a sentence.
- *segments*: a sentence longer than ``max_words`` is cut at clause marks (``، , : ..``), so
  the 60-word sentences common in Arabic news become citable units.
- *chunks*: whole segments packed up to ``max_tokens``; the next chunk repeats trailing
  segments worth at most ``overlap_tokens``. Trade-off: chunks never cut a segment, so a
  chunk may run short of the budget rather than split a clause.

>>> text = "Hello there. كيف حالك؟ العدد 120,000 شخص.\\nNew line"
>>> [text[s:e] for s, e in split_sentences(text)]
['Hello there.', 'كيف حالك؟', 'العدد 120,000 شخص.', 'New line']
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

Span = tuple[int, int]

_ABBREV = {"dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr", "vs", "etc", "inc", "ltd", "co", "gen", "sen", "rep", "no", "u.s", "u.k", "e.g", "i.e", "a.m", "p.m", "د", "م", "ص", "ق"}
_END = re.compile(r"(?:[.!?؟؛…]+)[\"'»”’)\]]*(?=\s)|\n")
_CLAUSE = re.compile(r"(?:،|;|:|(?<!\d),|,(?!\d)|\.\.+|\s[-–—]\s)\s*")


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period at ``dot`` ends an abbreviation or an initial, not a sentence."""
    if text[dot] != "." or text[dot : dot + 2] == "..":
        return False
    word = re.search(r"(\S+)$", text[:dot])
    if not word:
        return False
    token = word.group(1).lower().strip("(\"'«")
    return token in _ABBREV or (len(token) == 1 and token.isalpha())


def split_sentences(text: str) -> list[Span]:
    spans: list[Span] = []
    start = 0
    for match in _END.finditer(text):
        if match.group() != "\n" and _is_abbreviation(text, match.start()):
            continue
        if match.group().startswith("..") and match.group().rstrip("\"'»”’)]") in ("..", "..."):
            continue  # ".." is a pause in Arabic news prose, not a full stop
        span = _trim(text, start, match.end())
        if span:
            spans.append(span)
        start = match.end()
    tail = _trim(text, start, len(text))
    if tail:
        spans.append(tail)
    return spans


def split_long(text: str, span: Span, max_words: int) -> list[Span]:
    """Cut one sentence at clause marks into pieces of at most ~max_words words.

    >>> s = "a b c, d e f, g h i"
    >>> [s[x:y] for x, y in split_long(s, (0, len(s)), 4)]
    ['a b c,', 'd e f,', 'g h i']
    """
    start, end = span
    if len(text[start:end].split()) <= max_words:
        return [span]
    cuts = [m.end() + start for m in _CLAUSE.finditer(text[start:end]) if m.end() + start < end]
    pieces: list[Span] = []
    piece_start = start
    for cut in cuts:
        n_words = len(text[piece_start:cut].split())
        if n_words >= max(3, max_words // 4) and n_words + len(text[cut:end].split()) > max_words:
            trimmed = _trim(text, piece_start, cut)
            if trimmed:
                pieces.append(trimmed)
            piece_start = cut
    tail = _trim(text, piece_start, end)
    if tail:
        pieces.append(tail)
    # Pieces still too long (no clause marks): cut at word boundaries.
    out: list[Span] = []
    for p_start, p_end in pieces:
        words = list(re.finditer(r"\S+", text[p_start:p_end]))
        if len(words) <= max_words * 2:
            out.append((p_start, p_end))
            continue
        for i in range(0, len(words), max_words):
            group = words[i : i + max_words]
            out.append((p_start + group[0].start(), p_start + group[-1].end()))
    return out


def split_segments(text: str, max_words: int = 40) -> list[Span]:
    """Sentences, with over-long ones cut into clause-sized segments."""
    return [piece for span in split_sentences(text) for piece in split_long(text, span, max_words)]


@dataclass(frozen=True)
class Chunk:
    start: int
    end: int
    first_segment: int  # index into the segment list
    last_segment: int  # inclusive


def chunk_segments(
    text: str,
    segments: list[Span],
    count_tokens: Callable[[str], int],
    max_tokens: int,
    overlap_tokens: int,
) -> list[Chunk]:
    """Pack whole segments into chunks of at most ``max_tokens`` (a single longer segment
    becomes its own chunk), each chunk starting with up to ``overlap_tokens`` of the
    previous chunk's trailing segments.

    >>> t = "one two. three four. five six. seven eight."
    >>> segs = split_segments(t)
    >>> [t[c.start:c.end] for c in chunk_segments(t, segs, lambda s: len(s.split()), 4, 2)]
    ['one two. three four.', 'three four. five six.', 'five six. seven eight.']
    """
    if not segments:
        return []
    sizes = [count_tokens(text[s:e]) for s, e in segments]
    chunks: list[Chunk] = []
    first = 0
    while first < len(segments):
        last, total = first, sizes[first]
        while last + 1 < len(segments) and total + sizes[last + 1] <= max_tokens:
            last += 1
            total += sizes[last]
        chunks.append(Chunk(segments[first][0], segments[last][1], first, last))
        if last + 1 >= len(segments):
            break
        # Walk back from the end for the overlap, but always make progress.
        nxt, carried = last + 1, 0
        while nxt - 1 > first and carried + sizes[nxt - 1] <= overlap_tokens:
            nxt -= 1
            carried += sizes[nxt]
        first = nxt
    return chunks
