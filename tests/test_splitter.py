from pathlib import Path

import pytest

from rag.ingest.clean import clean_article
from rag.text.splitter import chunk_segments, split_long, split_segments, split_sentences

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def texts(text, spans):
    return [text[s:e] for s, e in spans]


def test_arabic_punctuation_splits():
    t = "هل زار باكو؟ نعم زارها؛ ثم غادر! وانتهى. سطر\nجديد"
    assert texts(t, split_sentences(t)) == ["هل زار باكو؟", "نعم زارها؛", "ثم غادر!", "وانتهى.", "سطر", "جديد"]


@pytest.mark.parametrize("t", ["أكثر من 120,000 ألف شخص وصلوا.", "The rate rose to 3.5 percent today.",
                               "Dr. Smith met Mr. Jones in the U.S. yesterday.", "J. K. Rowling wrote it."])
def test_numbers_and_abbreviations_not_split(t):
    assert texts(t, split_sentences(t)) == [t]


def test_double_dot_is_a_pause_not_a_stop():
    t = "أشاد الأمين العام بالتعاون.. معربا عن تطلعه. جملة ثانية."
    assert len(split_sentences(t)) == 2


def test_long_sentence_cut_at_clauses():
    t = "، ".join(["كلمة"] * 10 + ["نص"] * 10) + "."
    t = ("word " * 25).strip() + ", " + ("more " * 25).strip() + "."
    pieces = split_long(t, (0, len(t)), 30)
    assert len(pieces) == 2 and all(len(t[s:e].split()) <= 30 for s, e in pieces)


def test_offsets_are_exact_on_seeds():
    for path in SEEDS.glob("*.txt"):
        body = clean_article(path.read_text(encoding="utf-8")).body
        segs = split_segments(body, 30)
        for s, e in segs:
            assert body[s:e] == body[s:e].strip() and body[s:e]
        # segments cover every word of the body, in order, without overlap
        assert " ".join(body[s:e] for s, e in segs).split() == body.split()
        assert all(a[1] <= b[0] for a, b in zip(segs, segs[1:]))


def test_chunks_respect_budget_and_overlap():
    body = clean_article((SEEDS / "002_d317fe2f636d0e67.txt").read_text(encoding="utf-8")).body
    segs = split_segments(body, 30)
    count = lambda s: len(s.split())  # noqa: E731
    chunks = chunk_segments(body, segs, count, max_tokens=80, overlap_tokens=20)
    assert len(chunks) > 3
    for c in chunks:
        assert c.start == segs[c.first_segment][0] and c.end == segs[c.last_segment][1]
        if c.last_segment > c.first_segment:
            assert sum(count(body[s:e]) for s, e in segs[c.first_segment:c.last_segment + 1]) <= 80
    for a, b in zip(chunks, chunks[1:]):
        assert b.first_segment > a.first_segment  # progress
        assert b.first_segment <= a.last_segment + 1  # contiguous or overlapping
        overlap = segs[b.first_segment:a.last_segment + 1]
        assert sum(count(body[s:e]) for s, e in overlap) <= 20
    assert chunks[0].first_segment == 0 and chunks[-1].last_segment == len(segs) - 1


def test_single_oversized_segment_becomes_its_own_chunk():
    t = "one two three four five six. seven eight."
    segs = split_segments(t, 100)
    chunks = chunk_segments(t, segs, lambda s: len(s.split()), 4, 0)
    assert [t[c.start:c.end] for c in chunks] == ["one two three four five six.", "seven eight."]
