"""Property-based tests (hypothesis) over the pure text modules: the code every scraped page and
every generated answer goes through, whatever bytes they hold.

Inputs mix plain ``st.text()`` (any code point: NUL, control characters, surrogate-free
Unicode) with sentence-like Arabic/English text: Arabic letters with tashkeel and tatweel,
Latin words, Western and Arabic-Indic digits, Arabic punctuation ؟ ، ؛, abbreviations, citation
brackets, page debris and dates, RTL/LTR marks, emoji, HTML-ish tags and very long words.

Properties, and why they matter:

- ``clean_article`` (rag/ingest/clean.py) never raises; its body is a str of non-empty,
  stripped, non-debris lines, each taken from the page; a title the file states is kept; a
  date, when found, is a real calendar date in ISO form (it is shown to the model as the
  article's date).
- ``normalize`` / ``words`` / ``tokenize`` (rag/text/normalize.py) never raise; ``normalize``
  is idempotent (it is a matching key: ``match_terms`` and ``find_date`` normalise text that
  may already be normalised, and a key must not change when keyed again), so ``words`` and
  ``tokenize`` give the same terms for a text and its normalised form; index terms are
  non-empty, hold no whitespace and are normalised; ``join_spaced_thousands`` only removes
  spaces.
- ``split_segments`` / ``chunk_segments`` (rag/text/splitter.py) never raise; every span is
  ``0 <= start < end <= len(body)`` with no surrounding whitespace (a citation highlights
  ``body[start:end]`` exactly); segments are in order, do not overlap and cover every
  non-whitespace character; no segment exceeds the ``2 * max_words`` hard ceiling; chunks start
  and end on their first/last segment, advance, leave no segment out, and respect the token
  budget and the overlap.
- ``parse_answer`` / ``strip_markers`` (rag/answer/citations.py) never raise; every cited
  number is written in the text inside a marker, lies in ``1..n_sources`` and is cited once per
  sentence; text without brackets has no citations and is not altered by stripping.

``max_examples=200`` with no derandomisation, so each run may find a new case; cases found
once stay as ``@example``.
"""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from rag.answer.citations import MARKER, parse_answer, strip_markers
from rag.ingest.clean import clean_article, find_date, is_debris
from rag.text.arabic import DIGITS
from rag.text.normalize import join_spaced_thousands, normalize, tokenize, words
from rag.text.splitter import chunk_segments, split_segments

PROPERTY = settings(max_examples=200, deadline=None)

# --- strategies ------------------------------------------------------------------------------------
ARABIC_LETTERS = "".join(map(chr, range(0x0621, 0x064B)))  # ء..ي
DIACRITICS = "".join(map(chr, range(0x064B, 0x0653))) + "\u0640"  # tashkeel and tatweel
ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
ODD_CHARS = ["\x00", "\x07", "\x1c", "\x85", "\t", "\r", "\r\n", "\x0b", "\x0c", "\xa0", "\u2028", "\u3000",
             "\u200f", "\u200e", "\u202b", "\u202c", "\ufeff", "\u200b", "😀", "🇪🇬", "👍🏽", "\ufdf2", "\ufe70"]
PUNCT = [".", "؟", "،", "؛", "!", "?", ",", ":", "..", "...", "…", " - ", "—", "«", "»", '"', "(", ")", "'", "|"]
MARKERS = ["[1]", "[12]", "[1, 2]", "[1][2]", "【2】", "【1، 9】", "[١]", "[٢، ١]", "[المصدر 2]", "[Source 3]",
           "[0]", "[]", "[a]", "[", "]", "【", "】"]
PAGE_BITS = ["Close ad", "SHARE:", "إعلان", "وصــل حديــثا", "اقرأ أيضًا:", "أ ش أ", "18-3-2024 | 16:11",
             "نشر في 5 مارس 2023", "March 5, 2024", "31-2-2024", "Dr.", "U.S.", "J.", "د.", "e.g.", "3.5", "120,000",
             "120, 000", "١٢٠٬٠٠٠", "٣٫٥", "<p>", "</p>", "<br/>", "&nbsp;", "<a href='x'>", "Advertisement"]

arabic_word = st.lists(
    st.tuples(st.sampled_from(ARABIC_LETTERS), st.text(DIACRITICS, max_size=2)), min_size=1, max_size=9,
).map(lambda pairs: "".join(letter + marks for letter, marks in pairs))
latin_word = st.from_regex(r"[A-Za-z]{1,12}", fullmatch=True)
number = st.from_regex(r"[0-9]{1,6}([.,][0-9]{1,3})?", fullmatch=True) | st.text(ARABIC_DIGITS, min_size=1, max_size=6)
long_word = st.text(ARABIC_LETTERS + "abcxyz0", min_size=60, max_size=400)
token = st.one_of(
    arabic_word, arabic_word, latin_word, number, st.sampled_from(PUNCT), st.sampled_from(MARKERS),
    st.sampled_from(PAGE_BITS), st.sampled_from(ODD_CHARS), long_word,
)
separator = st.sampled_from([" ", " ", " ", " ", "\n", "\n\n", "", "  ", " \n "])
sentence_text = st.lists(st.tuples(token, separator), max_size=80).map(
    lambda parts: "".join(tok + sep for tok, sep in parts))
# Any code point, and the characters the sentence strategy uses, shuffled freely.
char_soup = st.lists(st.sampled_from(list(ARABIC_LETTERS + DIACRITICS + ARABIC_DIGITS + "".join(PUNCT) + "[]【】 \n")
                                     + ODD_CHARS + ["a", "Z", "1", "0"])).map("".join)
TEXT = st.one_of(sentence_text, st.text(), char_soup)
count_words = lambda t: len(t.split())  # noqa: E731  (a pure stand-in for the embedding tokenizer)


# --- rag/ingest/clean.py ----------------------------------------------------------------------------
@PROPERTY
@given(raw=TEXT, fallback=st.text(max_size=20))
def test_clean_article_body_is_clean_lines_of_the_page(raw, fallback):
    article = clean_article(raw, fallback_title=fallback)
    assert isinstance(article.body, str) and isinstance(article.title, str)
    for line in article.body.split("\n") if article.body else []:
        assert line and line == line.strip(), repr(line)
        assert line in raw.replace("\r\n", "\n")
        assert not is_debris(line)
    if article.date is not None:
        assert dt.date.fromisoformat(article.date).isoformat() == article.date


@PROPERTY
@given(raw=TEXT, title=TEXT)
def test_clean_article_keeps_a_stated_title(raw, title):
    article = clean_article(raw, title=title)
    if title.strip():
        assert article.title == title.strip()


@PROPERTY
@given(day=st.integers(1, 31), month=st.integers(1, 12), year=st.integers(1900, 2100),
       sep=st.sampled_from("-/."), text=TEXT)
@example(day=31, month=2, year=2024, sep="-", text="")  # found: "31-2-2024" gave "2024-02-31"
def test_find_date_returns_a_calendar_date(day, month, year, sep, text):
    found = find_date(f"{text} {day}{sep}{month}{sep}{year} {text}")
    if found is not None:
        dt.date.fromisoformat(found)  # raises on "2024-02-31"
    try:
        real = dt.date(year, month, day).isoformat()
    except ValueError:
        return
    assert find_date(f"{day}{sep}{month}{sep}{year}") == real


# --- rag/text/normalize.py --------------------------------------------------------------------------
@PROPERTY
@given(text=TEXT)
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@PROPERTY
@given(text=TEXT)
def test_terms_do_not_change_under_normalisation(text):
    terms = tokenize(text)
    assert words(normalize(text)) == words(text)
    assert tokenize(normalize(text)) == terms
    for term in terms:
        assert term and not any(ch.isspace() for ch in term) and normalize(term) == term


@PROPERTY
@given(text=TEXT)
@example(text="120, 000 people in 2002, 300 more")
def test_join_spaced_thousands_only_removes_separators(text):
    joined = join_spaced_thousands(text)
    assert joined.replace(" ", "") == text.replace(" ", "")
    bare = join_spaced_thousands(text, "")
    assert bare.replace(" ", "").replace(",", "") == text.replace(" ", "").replace(",", "")
    assert len(bare) <= len(joined) <= len(text)


# --- rag/text/splitter.py ---------------------------------------------------------------------------
def _assert_segments(body: str, segments: list[tuple[int, int]], max_words: int) -> None:
    covered = [False] * len(body)
    previous_end = 0
    for start, end in segments:
        assert 0 <= start < end <= len(body), (start, end)
        piece = body[start:end]
        assert piece == piece.strip() and piece, repr(piece)  # what a citation highlights, exactly
        assert start >= previous_end, "segments out of order or overlapping"
        assert len(piece.split()) <= 2 * max_words, (len(piece.split()), max_words)
        previous_end = end
        covered[start:end] = [True] * (end - start)
    missed = [i for i, ch in enumerate(body) if not ch.isspace() and not covered[i]]
    assert not missed, f"characters in no segment: {[body[i] for i in missed[:10]]}"


@PROPERTY
@given(body=TEXT, max_words=st.integers(1, 60))
def test_segments_are_ordered_exact_and_cover_the_body(body, max_words):
    _assert_segments(body, split_segments(body, max_words), max_words)


@PROPERTY
@given(body=TEXT, max_words=st.integers(1, 60), chunk_tokens=st.integers(0, 120), overlap_tokens=st.integers(0, 60))
def test_chunks_are_ordered_and_cover_every_segment(body, max_words, chunk_tokens, overlap_tokens):
    segments = split_segments(body, max_words)
    chunks = chunk_segments(body, segments, count_words, chunk_tokens, overlap_tokens)
    assert bool(chunks) == bool(segments)
    covered: set[int] = set()
    for chunk in chunks:
        assert 0 <= chunk.first_segment <= chunk.last_segment < len(segments)
        assert (chunk.start, chunk.end) == (segments[chunk.first_segment][0], segments[chunk.last_segment][1])
        assert 0 <= chunk.start < chunk.end <= len(body)
        inside = segments[chunk.first_segment : chunk.last_segment + 1]
        if len(inside) > 1:  # only a single over-long segment may exceed the budget
            assert sum(count_words(body[s:e]) for s, e in inside) <= chunk_tokens
        covered.update(range(chunk.first_segment, chunk.last_segment + 1))
    assert covered == set(range(len(segments)))
    for a, b in zip(chunks, chunks[1:]):
        assert a.start <= b.start and a.end <= b.end
        assert a.first_segment < b.first_segment <= a.last_segment + 1  # progress, no gap
        carried = segments[b.first_segment : a.last_segment + 1]
        assert sum(count_words(body[s:e]) for s, e in carried) <= overlap_tokens


# --- rag/answer/citations.py ------------------------------------------------------------------------
def _written_numbers(text: str) -> set[int]:
    """Every number written inside a marker of the text (Arabic-Indic digits converted)."""
    return {int(n) for m in MARKER.finditer(text) for n in re.findall(r"[0-9]+", m.group(1).translate(DIGITS))}


@PROPERTY
@given(text=TEXT, n_sources=st.integers(0, 15))
def test_cited_numbers_come_from_the_text_and_the_sources(text, n_sources):
    sentences = parse_answer(text, n_sources)
    written = _written_numbers(text)
    for sentence in sentences:
        assert sentence.text and isinstance(sentence.text, str)
        assert len(sentence.numbers) == len(set(sentence.numbers))
        for n in sentence.numbers:
            assert 1 <= n <= n_sources and n in written, (n, n_sources, written)


@PROPERTY
@given(text=TEXT.map(lambda t: re.sub(r"[\[\]【】]", "", t)), n_sources=st.integers(0, 15))
def test_text_without_brackets_has_no_citations(text, n_sources):
    assert strip_markers(text) == (text, [])
    assert all(not s.numbers for s in parse_answer(text, n_sources))
