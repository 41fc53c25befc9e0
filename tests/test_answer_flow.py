"""The answering flow around the model, with a scripted LLM (real Chroma, fake embedder):
echo cleaning and the one retry. The same path runs with the real model in test_answer_real."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import Settings
from rag.answer.prompts import examples, load
from rag.answer.wording import states_quantity
from rag.text.numbers import numbers_in, terms

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
QUESTION = "كم يوما تستغرق زيارة ستولتنبرج إلى باكو؟"


def source_lines(messages):
    """(header, first text line) of source [1] in the real user prompt (the examples come first)."""
    real = next(m for m in reversed(messages) if m["role"] == "user" and "\n[1] " in m["content"])
    lines = real["content"].splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("[1] "))
    return lines[i], lines[i + 1]


def echo(messages):
    return "المصادر:\n" + source_lines(messages)[0] + "\n\nالإجابة:\n"


def quote(messages):
    return source_lines(messages)[1] + " [1]"


def test_an_echoed_header_is_retried_once_and_the_retry_answers(make_rag):
    rag, llm = make_rag(echo, quote)
    answer = rag.ask(QUESTION)
    assert len(llm.calls) == 2
    retry = llm.calls[1]
    first = [m["role"] for m in llm.calls[0]]
    assert first == ["system", *[m["role"] for m in examples("ar")], "user"]
    assert [m["role"] for m in retry] == ["system", "user", "assistant", "user"]  # examples left out
    assert retry[1] == llm.calls[0][-1]
    assert retry[-1]["content"] == load("nudge", "ar")
    assert answer.answered and answer.citations
    header = source_lines(llm.calls[0])[0][4:]
    assert header.split(" (")[0] not in answer.text  # the echoed title is not the answer


def test_an_echo_then_not_found_is_refused(make_rag):
    rag, llm = make_rag(echo, lambda m: "NOT_FOUND")
    answer = rag.ask(QUESTION)
    assert len(llm.calls) == 2
    assert not answer.answered and not answer.citations
    assert answer.text == load("refusal", "ar")


def test_a_direct_answer_is_not_retried(make_rag):
    rag, llm = make_rag(quote)
    answer = rag.ask(QUESTION)
    assert len(llm.calls) == 1 and answer.answered


def test_a_quote_labelled_with_the_wrong_number_is_cited_to_its_source(make_rag):
    """The model quotes source [1] but labels it [2]: the citation goes to [1], which holds the
    quote, because [2] supports it far less (Answerer.CITE_MARGIN). The support floor is 0 here,
    so only the margin can move the citation."""
    seen = {}

    def mislabelled(messages):
        seen["prompt"] = messages[-1]["content"]
        return source_lines(messages)[1] + " [2]"

    rag, llm = make_rag(mislabelled, min_support=0.0)
    answer = rag.ask(QUESTION)
    assert "\n[2] " in seen["prompt"], "the prompt needs a second source for this test"
    assert answer.answered and {c.number for c in answer.citations} == {1}
    assert answer.citations[0].article_id == answer.sources[0]["article_id"]


def test_a_bare_number_is_retried_for_a_sentence_in_the_question_language(make_rag):
    rag, llm = make_rag(lambda m: "3 [1].", quote)
    answer = rag.ask(QUESTION)
    assert len(llm.calls) == 2
    assert [m["role"] for m in llm.calls[1]] == ["system", "user", "assistant", "user"]
    assert llm.calls[1][-1]["content"] == load("terse", "ar")
    assert answer.answered and answer.text.startswith(source_lines(llm.calls[0])[1][:20])
    assert answer.answer_language == "ar"


def test_a_terse_answer_is_kept_when_the_retry_has_nothing_better(make_rag):
    rag, llm = make_rag(lambda m: "3 [1].", lambda m: "NOT_FOUND")
    answer = rag.ask(QUESTION)
    assert len(llm.calls) == 2
    assert answer.answered and answer.text.startswith("3") and answer.citations


def test_an_answer_in_the_wrong_language_is_retried(make_rag):
    rag, llm = make_rag(lambda m: "The visit lasts three days [1].", quote)
    answer = rag.ask(QUESTION)
    assert llm.calls[1][-1]["content"] == load("terse", "ar")
    assert answer.answered and answer.answer_language == "ar"


def test_invented_arabic_in_an_english_answer_is_removed_and_a_sourced_spelling_kept(make_rag):
    """English answers carry a name's Arabic spelling; one the cited passage does not hold is
    the model's invention and goes (rag.answer.spellings), one the passage does hold stays."""
    seen = {}

    def reply(messages):
        seen["word"] = next(w for w in source_lines(messages)[1].split() if len(w) >= 5 and w.isalpha())
        return f"The minister ({seen['word']}) met the delegation of Azerbaijan (العربية الفصحى) [1]."

    rag, llm = make_rag(reply, min_support=0.0)
    answer = rag.ask("Who met the delegation?")
    assert answer.answered and answer.language == "en"
    assert "العربية الفصحى" not in answer.text
    assert f"({seen['word']})" in answer.text and "met the delegation" in answer.text


def without_numbers(messages):
    """The quoted source sentence with every number and number word taken out."""
    line = source_lines(messages)[1]
    return " ".join(w for w in line.split() if not numbers_in(w) and not states_quantity(w)) + " [1]"


def test_a_count_question_answered_with_no_number_is_refused(make_rag):
    rag, _ = make_rag(without_numbers, without_numbers)
    answer = rag.ask(QUESTION)
    assert not answer.answered and not answer.citations
    assert answer.refusal_reason == "a count question answered with no number" and answer.refused_by == "count"
    # the same kind of reply to a question that asks for no count is an answer
    answer = rag.ask("ما هدف زيارة ستولتنبرج إلى باكو؟")
    assert answer.answered and answer.citations


def test_a_count_question_answered_with_its_number_is_kept(make_rag):
    rag, llm = make_rag(quote)
    answer = rag.ask(QUESTION)
    assert states_quantity(source_lines(llm.calls[0])[1])  # the quote does state a number
    assert answer.answered and answer.citations


ECHO_QUESTION = "إلى أي مدينة يتجه ستولتنبرج بعد زيارة أذربيجان؟"


def question_words(messages):
    """Words of the question that source [1] also holds: a supported reply that adds nothing."""
    source = terms(source_lines(messages)[1])
    question = next(line for line in messages[-1]["content"].splitlines() if line.startswith("السؤال:"))
    picked = [w.strip("؟?") for w in question.split()[1:] if terms(w) and terms(w) <= source]
    assert picked, "the fixture needs a question word that source [1] also holds"
    return " ".join(picked) + ". [1]"


def test_an_answer_that_only_repeats_the_question_is_refused(make_rag):
    rag, llm = make_rag(question_words, question_words)
    answer = rag.ask(ECHO_QUESTION)
    reply = question_words(llm.calls[0])
    assert not terms(reply.replace("[1]", "")) - terms(ECHO_QUESTION)  # the reply is an echo
    assert not answer.answered and not answer.citations
    assert answer.refusal_reason == "the answer only repeats the question" and answer.refused_by == "echo"
    # the same kind of reply to a choice question ("A or B?") picks one of its terms: an answer
    answer = rag.ask("هل يتجه ستولتنبرج بعد زيارة أذربيجان إلى تبليسي أو إلى يريفان؟")
    assert answer.answered and answer.citations, answer.refusal_reason


# --- grounding: the answer's claims must be in what it cites (rag/answer/grounding.py) ----------

def test_an_answer_naming_a_place_in_no_source_is_refused_by_grounding(make_rag):
    marseille = lambda m: "The security dialogue took place in Marseille [1]."  # noqa: E731
    rag, _ = make_rag(marseille, marseille)  # asked again, told the sources lack Marseille: the same
    answer = rag.ask("Where did the EU-Azerbaijan security dialogue take place?")
    assert not answer.answered and not answer.citations
    assert answer.refused_by == "grounding" and "Marseille" in answer.refusal_reason
    assert answer.draft.startswith("The security dialogue took place in Marseille")


def test_the_ungrounded_sentence_is_dropped_and_the_grounded_one_kept(make_rag):
    def reply(messages):
        return f"{source_lines(messages)[1]} [1] The visit cost 987654 dollars [1]."

    rag, llm = make_rag(reply)
    answer = rag.ask(QUESTION)
    assert answer.answered and answer.citations
    assert "987654" not in answer.text and source_lines(llm.calls[0])[1][:30] in answer.text


def test_a_one_word_extractive_answer_is_grounded(make_rag):
    """A short answer has a low cosine to a long source sentence; its words are in the source,
    which is what grounding checks (the sentence-cosine gate refused such answers)."""
    def reply(messages):
        word = next(w for w in source_lines(messages)[1].split() if len(w) >= 5 and w.isalpha())
        return f"{word} [1]."

    rag, _ = make_rag(reply)
    answer = rag.ask("ما هي الجهة التي نشرت البيان؟")
    assert answer.answered and len(answer.text.split()) == 2, answer.refusal_reason


def test_a_switched_off_check_lets_through_what_it_would_refuse(make_rag):
    rag, _ = make_rag(lambda m: "The security dialogue took place in Marseille [1].", disabled_checks="grounding")
    answer = rag.ask("Where did the EU-Azerbaijan security dialogue take place?")
    assert answer.answered and "Marseille" in answer.text
    assert "grounding" not in [c["check"] for c in answer.checks]


def test_an_unknown_check_name_is_a_clear_settings_error():
    from rag.answer.checks import build_checks
    from rag.errors import SettingsError

    with pytest.raises(SettingsError, match="unknown check spelling; known: relevance, declined"):
        build_checks(Settings(disabled_checks="grounding,spelling"), embedder=None)


def test_an_answer_citing_a_source_far_from_the_question_is_refused_by_the_anchor(make_rag):
    """Grounded in its source, but that source is about something else: the cited sentence
    closest to the question is far from it (fake embeddings: the cosine of hashed words)."""
    rag, _ = make_rag(quote, quote, min_anchor=0.5)
    answer = rag.ask("ما هو الكائن الممرض الذي يسبب الغرغرينا الغازية؟")
    assert not answer.answered and answer.refused_by == "anchor", answer.refusal_reason
    rag, _ = make_rag(quote, min_anchor=0.0)
    assert rag.ask("ما هو الكائن الممرض الذي يسبب الغرغرينا الغازية؟").answered  # the floor is what refused


# --- repair before refusing, third scripts, confidence (issue 29) ----------------------------

def test_an_unsupported_weekday_is_cut_and_the_rest_of_the_answer_kept(make_rag):
    """The right fact with one detail no source gives: the detail goes, the answer stays."""
    def reply(messages):
        return f"{source_lines(messages)[1].rstrip('.')}، يوم الخميس [1]."

    rag, _ = make_rag(reply)
    answer = rag.ask(QUESTION)
    assert answer.answered, answer.refusal_reason
    assert "الخميس" not in answer.text and answer.repairs and "weekday 4" in answer.repairs[0]
    assert "الخميس" in answer.draft  # the model did write it


def test_an_invented_quotation_is_dropped(make_rag):
    def reply(messages):
        return (f"{source_lines(messages)[1]} [1] وقال الوزير: \"سنبني جسرا من الذهب فوق البحر قريبا\" [1].")

    rag, _ = make_rag(reply)
    answer = rag.ask(QUESTION)
    assert answer.answered and "جسرا من الذهب" not in answer.text, answer.text


def test_a_reply_in_a_third_script_is_asked_again_in_the_questions_language(make_rag):
    def mixed(messages):
        return f"{source_lines(messages)[1][:-1]} 中国北京 [1]."

    rag, llm = make_rag(mixed, quote)
    answer = rag.ask(QUESTION)
    assert len(llm.calls) == 2 and llm.calls[1][-1]["content"] == load("script", "ar")
    assert answer.answered and "中国" not in answer.text
    rag, llm = make_rag(mixed, mixed)
    answer = rag.ask(QUESTION)
    assert not answer.answered and answer.refused_by == "language"


def test_the_confidence_threshold_withholds_an_answer_and_records_its_score(make_rag):
    rag, _ = make_rag(quote, min_confidence=0.99)  # no answer reaches 0.99 under the fitted model
    answer = rag.ask(QUESTION)
    assert not answer.answered and answer.refused_by == "confidence"
    assert answer.withheld and answer.confidence is not None and answer.confidence < 0.99
    assert {"support", "relevance", "anchor"} <= set(answer.signals)
    rag, _ = make_rag(quote, min_confidence=0.0)
    answer = rag.ask(QUESTION)
    assert answer.answered and answer.confidence is not None and not answer.withheld


def test_an_ungrounded_reply_is_asked_again_naming_what_the_sources_do_not_say(make_rag):
    rag, llm = make_rag(lambda m: "The security dialogue took place in Marseille [1].", quote)
    answer = rag.ask("Where did the EU-Azerbaijan security dialogue take place?")
    assert len(llm.calls) == 2 and "Marseille" in llm.calls[1][-1]["content"]
    assert llm.calls[1][-1]["content"].startswith("The sources do not say: Marseille.")
    assert answer.answered, answer.refusal_reason
