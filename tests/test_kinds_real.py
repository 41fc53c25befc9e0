"""Issue 27 with the real models over the real seeds: overview, summary, timeline and comparison
answers; questions scoped to chosen articles; an article added by link (a local news site) and
cited with its URL; the Markdown export; and no worked example of the prompt in any answer."""

from __future__ import annotations

import re

import pytest

from rag import RAG, ScopeError, Settings
from rag.answer.prompts import examples
from rag.store import ChunkStore
from rag.text.normalize import words
from tests.news_site import NewsSite

pytestmark = pytest.mark.slow

SEEDS = ["000_50e16cd6024442b7", "001_d04a42b9380b6f99", "002_d317fe2f636d0e67", "003_d551d2ad5a0e191b",
         "004_3bdcf659b4924e5e"]


def exact_quotes(rag, answer) -> bool:
    return all(rag.article_text(c.article_id)[0][c.start:c.end] == c.quote for c in answer.citations)


@pytest.mark.parametrize("question", ["What are the main topics covered in these articles?",
                                      "ما المواضيع الرئيسية التي تتناولها المقالات؟"])
def test_overview_lists_every_article_once_with_exact_quotes(seeded_rag, question):
    answer = seeded_rag.ask(question)
    assert answer.kind == "overview" and answer.answered and answer.backend == "none"  # no model: nothing to invent
    assert sorted({c.article_id for c in answer.citations}) == SEEDS and len(answer.citations) == 5
    assert exact_quotes(seeded_rag, answer)
    assert "Canadian" not in answer.text and "الكندية" not in answer.text  # the worked-example leak


def test_overview_within_a_scope_lists_only_that_scope(seeded_rag):
    answer = seeded_rag.ask("What are these articles about?", articles=SEEDS[:2])
    assert {c.article_id for c in answer.citations} == set(SEEDS[:2])


def test_arabic_summary_is_key_sentences_of_the_topic(seeded_rag):
    answer = seeded_rag.ask("لخص ما تقوله المقالات عن زيارة ستولتنبرغ إلى المنطقة")
    assert answer.kind == "summary" and answer.answered and exact_quotes(seeded_rag, answer)
    lines = answer.text.splitlines()[1:]
    assert len(lines) >= 3 and all(re.search(r"\[\d\]$", ln) for ln in lines)
    assert "004_3bdcf659b4924e5e" in {c.article_id for c in answer.citations}  # the article on the visit
    assert sum("ستولتنبر" in ln for ln in lines) >= 2


def test_english_summary_over_arabic_articles_is_english_or_the_sentences_as_written(seeded_rag):
    answer = seeded_rag.ask("Summarize what the articles say about relations between NATO and Azerbaijan.")
    assert answer.kind == "summary" and answer.answered and answer.citations
    assert not _ngrams(answer.text) & worked_examples()  # the path where the model writes: no leak
    if answer.backend == "none":  # the checks refused the model's English: the key sentences as written
        assert exact_quotes(seeded_rag, answer)
    else:
        assert answer.answer_language == "en" and all(c.article_id in SEEDS for c in answer.citations)


def test_timeline_is_in_date_order_with_the_partnership_year(seeded_rag):
    answer = seeded_rag.ask("ما التسلسل الزمني لعلاقات أذربيجان مع الناتو؟")
    dates = re.findall(r"^- (\d{3,4}(?:-\d\d){0,2}):", answer.text, flags=re.M)
    assert answer.kind == "timeline" and dates == sorted(dates, key=lambda d: d.zfill(4)) and "1994" in dates
    assert exact_quotes(seeded_rag, answer)


def test_comparison_sets_articles_side_by_side(seeded_rag):
    answer = seeded_rag.ask("Compare what the articles say about peace between Armenia and Azerbaijan.")
    assert answer.kind == "comparison" and len({c.article_id for c in answer.citations}) >= 2
    assert exact_quotes(seeded_rag, answer)


def test_a_fact_question_keeps_the_fact_path(seeded_rag):
    answer = seeded_rag.ask("Which airport did Azerbaijani soldiers help secure?")
    assert answer.kind == "fact" and answer.backend != "none"


def test_a_scoped_fact_question_never_cites_outside_its_scope(seeded_rag):
    """The Kabul airport is only in seeds/001: asked within two other articles, the answer must
    not cite 001 (a refusal is right); asked within 001 it is found."""
    outside = seeded_rag.ask("Which airport did Azerbaijani soldiers help secure?", articles=[SEEDS[0], SEEDS[4]])
    assert not {c.article_id for c in outside.citations} - {SEEDS[0], SEEDS[4]}
    assert "Kabul" not in outside.text
    inside = seeded_rag.ask("Which airport did Azerbaijani soldiers help secure?", articles=[SEEDS[1]])
    assert inside.answered and {c.article_id for c in inside.citations} == {SEEDS[1]} and "Kabul" in inside.text
    with pytest.raises(ScopeError, match="no article is in the scope"):
        seeded_rag.ask("Who met Stoltenberg?", since="2030-01-01")


def test_a_feed_article_is_answered_cited_with_its_url_and_exported(seeded_rag, tmp_path):
    site = NewsSite()
    try:
        settings = Settings(data_dir=tmp_path / "data", backend="llamacpp")
        rag = RAG(settings, ChunkStore(settings), seeded_rag.embedder, seeded_rag.backends)  # models shared
        url = site.url("/news/youm_cbe_rates.html")
        report = rag.ingest([site.url("/feed.xml")])  # the feed's two entries, this page among them
        assert len(report.added) == 2, report.summary()
        cbe = next(a["article_id"] for a in rag.articles() if a["url"] == url)
        answer = rag.ask("By how many basis points did Egypt's central bank raise interest rates?", articles=[cbe])
        assert answer.answered and "600" in answer.text, answer.text
        assert {c.url for c in answer.citations} == {url}
        markdown = rag.export_markdown([answer])
        assert url in markdown and "600" in markdown and markdown.count("> ") >= 1
    finally:
        site.close()


def _ngrams(text: str, n: int = 6) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def worked_examples() -> set[tuple[str, ...]]:
    return {gram for lang in ("ar", "en") for turn in examples(lang) for gram in _ngrams(turn["content"])}


def test_no_answer_repeats_the_prompts_worked_examples(seeded_rag):
    """The issue's overview drafted "the Canadian foreign minister's visit to Morocco" from the
    worked example. Six words in a row from an example's answer or sources in any answer fail
    (the English summary, where the model writes, is checked in its own test above)."""
    shown = worked_examples()
    questions = ["What are the main topics covered in these articles?", "What did the foreign minister discuss?",
                 "Who visited Rabat?", "ما القضايا التي ناقشها وزير الخارجية؟"]
    for question in questions:
        answer = seeded_rag.ask(question)
        leaked = _ngrams(answer.text) & shown
        assert not leaked, (question, answer.text, leaked)
