"""Bad questions get a specific message at once, before any model runs; odd but real questions
(mixed scripts, invisible marks, long words) are cleaned and answered."""

from __future__ import annotations

import time

import pytest

from rag import QuestionError
from rag.text.question import clean_question


@pytest.mark.parametrize("question, expected", [
    ("", "Please type a question."),
    ("   \n\t ", "Please type a question."),
    ("\x00\u200f\u200e\ufeff", "Please type a question."),
    ("?!... 🙂🙂 ***", "The question has no words to search for."),
    ("؟؟ ، ؛", "السؤال لا يحوي كلمات يمكن البحث عنها."),
])
def test_questions_without_words_are_refused_with_a_reason(question, expected):
    with pytest.raises(QuestionError) as info:
        clean_question(question, 1000)
    assert str(info.value) == expected


def test_too_long_says_the_length_and_the_setting_in_the_questions_language():
    with pytest.raises(QuestionError, match=r"1,500 characters long; the limit is 1,000 \(RAG_MAX_QUESTION_CHARS\)"):
        clean_question("why" * 500, 1000)
    with pytest.raises(QuestionError, match="RAG_MAX_QUESTION_CHARS") as info:
        clean_question("لماذا " * 300, 1000)
    assert "اكتب سؤالًا أقصر" in str(info.value)


@pytest.mark.parametrize("question, cleaned", [
    ("\u200fمن التقى\x00الوزير؟\u200e", "من التقى الوزير؟"),  # NUL separates words, marks vanish
    ("What did \u2067جيهون بيراموف\u2069 say?", "What did جيهون بيراموف say?"),
    ("2024؟", "2024؟"),
    ("x" * 300 + " ?", "x" * 300 + " ?"),  # one very long word is still a question
    ("line one\r\nline two", "line one line two"),
])
def test_invisible_characters_are_removed_and_real_questions_kept(question, cleaned):
    assert clean_question(question, 1000) == cleaned


def test_every_way_in_refuses_before_embedding(make_rag):
    fake_rag, llm = make_rag("never asked")
    embedder = fake_rag.embedder
    before = embedder.query_calls
    huge = "ما " * 25_000  # 50,000 characters
    started = time.perf_counter()
    for call in (lambda q: fake_rag.ask(q), lambda q: fake_rag.retrieve(q),
                 lambda q: fake_rag.as_query_engine().query(q), lambda q: list(fake_rag.stream(q))):
        for question in ("", huge, "؟!"):
            with pytest.raises(QuestionError):
                call(question)
    assert time.perf_counter() - started < 5  # at once: no model was asked (today's cost was ~20 s each)
    assert embedder.query_calls == before and not llm.calls


def test_control_characters_do_not_reach_the_search(fake_rag, seeds_copy):
    fake_rag.ingest([seeds_copy])
    plain = [p.chunk_id for p in fake_rag.retrieve("ستولتنبرغ باكو")]
    assert [p.chunk_id for p in fake_rag.retrieve("\u200fستولتنبرغ\x00باكو\u200e")] == plain
