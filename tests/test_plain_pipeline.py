"""The plain llama-index pipeline (eval/plain.py) and the ours-vs-plain table (eval/side_by_side.py):
fast unit tests of the refusal phrases and of the table, and one slow test with the real models."""

from __future__ import annotations

import pytest

from eval.plain import NOT_IN_CONTEXT, ChatML, says_not_in_context
from eval.report import summarize
from eval.side_by_side import METRICS, format_side_by_side, ratio, side_by_side
from tests.conftest import SEEDS


@pytest.mark.parametrize("text", [
    "", "   \n",
    "The context does not provide information about the duration of the visit.",
    "The provided context doesn’t mention who met Stoltenberg.",  # curly apostrophe
    "There is no information about this in the context. Stoltenberg visited Baku.",
    "لا تحتوي المعلومات المقدمة على إجابة لهذا السؤال.",
    "لم يتمّ ذِكر عدد الأيام في السياق.",  # tashkeel
    "لا تتوفر معلومات عن ذلك في النص",
])
def test_replies_saying_the_context_lacks_the_answer_are_refusals(text):
    assert says_not_in_context(text)


@pytest.mark.parametrize("text", [
    "The dialogue was held in Brussels.",
    "Stoltenberg met Hikmet Hajiyev in Baku. The context does not mention the date.",  # a later caveat
    "انعقد الحوار الأمني في بروكسل.",
    "Not in Baku but in Brussels",  # no phrase of the list
])
def test_answers_are_not_refusals(text):
    assert not says_not_in_context(text)


def test_phrase_list_has_both_languages():
    assert any(p.isascii() for p in NOT_IN_CONTEXT) and any(not p.isascii() for p in NOT_IN_CONTEXT)


def test_chatml_matches_qwen_template():
    chatml = ChatML()
    prompt = chatml.completion("Q?")
    assert prompt == ("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant."
                      "<|im_end|>\n<|im_start|>user\nQ?<|im_end|>\n<|im_start|>assistant\n")
    assert chatml.prompts == [prompt]


def summary(overall: dict, ar: dict | None = None, en: dict | None = None) -> dict:
    return {"overall": overall, "ar": ar or {}, "en": en or {}}


def test_ratio_direction():
    assert ratio(0.9, 0.3, True) == 3.0          # higher is better: ours/plain
    assert ratio(0.3, 0.9, True) == pytest.approx(0.333)
    assert ratio(2.0, 6.0, False) == 3.0         # lower is better: plain/ours
    assert ratio(6.0, 2.0, False) == pytest.approx(0.333)
    assert ratio(0.0, 0.0, False) == 1.0
    assert ratio(0.0, 0.25, False) is None and ratio(None, 0.5, True) is None


def test_side_by_side_rows_and_text():
    ours = summary({"accuracy": 0.8, "wrong_answer_rate": 0.0, "first_token_median_s": 1.5,
                    "prompt_tokens_median": 700, "hit@3": 1.0},
                   ar={"accuracy": 1.0, "total_median_s": 4.0}, en={"accuracy": 0.6})
    plain = summary({"accuracy": 0.4, "wrong_answer_rate": 0.5, "first_token_median_s": 6.0,
                     "prompt_tokens_median": 1400, "hit@3": 0.5},
                    ar={"accuracy": 0.5, "total_median_s": 2.0}, en={"accuracy": 0.6})
    table = side_by_side(ours, plain)
    rows = {r["key"]: r for r in table["rows"]}
    assert [r["key"] for r in table["rows"]] == [key for _, key, _ in METRICS]
    assert rows["accuracy"]["overall"] == {"ours": 0.8, "plain": 0.4, "ratio": 2.0}
    assert rows["accuracy"]["en"]["ratio"] == 1.0
    assert rows["first_token_median_s"]["overall"]["ratio"] == 4.0       # ours faster: > 1
    assert rows["prompt_tokens_median"]["overall"]["ratio"] == 2.0       # ours shorter: > 1
    assert rows["total_median_s"]["ar"]["ratio"] == 0.5                  # ours slower: < 1
    assert rows["wrong_answer_rate"]["overall"]["ratio"] is None         # 0.5 / 0
    assert rows["citation_precision"]["overall"] == {"ours": None, "plain": None, "ratio": None}
    text = format_side_by_side(table)
    line = next(x for x in text.splitlines() if x.startswith("wrong answers"))
    assert line.split("|")[1].split() == ["0.000", "0.500", "inf"]
    line = next(x for x in text.splitlines() if x.startswith("first token median s"))
    assert line.split("|")[1].split() == ["1.50", "6.00", "4.00"]
    assert "ours ahead" in text.splitlines()[0]


def test_side_by_side_of_real_summaries():
    """Fed by eval.report.summarize(): the metric names the table reads exist there."""
    def record(lang, correct, answered, first, tokens):
        return {"id": lang, "lang": lang, "question": "q", "answerable": True, "answered": answered,
                "cited_articles": ["a"], "retrieved_articles": ["a"], "prompt_tokens": tokens,
                "scores": {"hit@1": 1.0, "hit@3": 1.0, "hit@5": 1.0, "mrr": 1.0, "correct": correct,
                           "citation_precision": 1.0, "language_match": 1.0},
                "timings": {"retrieval": 0.1, "first_token": first, "total": first + 1}}
    ours = summarize([record("ar", 1.0, True, 1.0, 600), record("en", 1.0, True, 1.0, 600)])
    plain = summarize([record("ar", 0.0, True, 2.0, 1200), record("en", 1.0, True, 2.0, 1200)])
    table = side_by_side(ours, plain)
    for row in table["rows"]:
        if row["key"] != "refusal_rate_unanswerable":  # no unanswerable rows here
            assert row["overall"]["ours"] is not None, row["key"]
    rows = {r["key"]: r for r in table["rows"]}
    assert rows["accuracy"]["overall"]["ratio"] == 2.0 and rows["wrong_answer_rate"]["overall"]["ratio"] is None
    assert rows["total_median_s"]["overall"]["ratio"] == 1.5


@pytest.mark.slow
def test_plain_pipeline_with_real_models(gold_rows, tmp_path):
    from llama_index.core import Settings as Globals

    from eval.plain import open_index, run_plain
    from rag import Settings
    from rag.embedder import SentenceEmbedder

    settings = Settings()
    embedder = SentenceEmbedder.from_settings(settings)
    rows = [next(r for r in gold_rows if r["lang"] == lang and r["answerable"]) for lang in ("ar", "en")]
    records, config = run_plain(rows, SEEDS, settings, SEEDS.parent / "eval" / "gold.jsonl", embed_model=embedder,
                                root=tmp_path)
    stems = {p.stem for p in SEEDS.glob("*.txt")}
    fields = {"id", "lang", "question", "answerable", "sources", "text", "answered", "language", "cited_articles",
              "retrieved_articles", "timings", "scores", "prompt_tokens", "question_tokens", "relevance", "backend",
              "draft", "shown", "quotes"}
    assert [r["id"] for r in records] == [r["id"] for r in rows]
    for record in records:
        assert fields <= record.keys(), fields - record.keys()
        t = record["timings"]
        assert 0 < t["retrieval"] <= t["first_token"] <= t["total"], t
        # Two default-size chunks: the splitter's 1024-token budget is counted in tiktoken tokens, and
        # the seed chunks are 580-1000 of those (800-1400 characters of Arabic), which Qwen's
        # tokenizer encodes in far fewer: measured 927 for the Arabic question's prompt.
        assert len(record["shown"]) == 2 and min(map(len, record["shown"])) > 700, list(map(len, record["shown"]))
        assert record["prompt_tokens"] > 700, record["prompt_tokens"]
        assert record["retrieved_articles"] and set(record["retrieved_articles"]) <= stems
        assert record["cited_articles"] == record["retrieved_articles"]
        assert {"correct", "hit@3", "language_match"} <= record["scores"].keys()
        assert record["text"] and record["backend"].startswith("llama-index LlamaCPP:")
    assert config["k"] == 2 and config["chunk_size"] == 1024 and config["chunk_overlap"] == 200
    assert Globals._llm is None and Globals._embed_model is None  # llama-index's global Settings never set
    assert config["built"]
    _, info = open_index(SEEDS, embedder, tmp_path)
    assert not info["built"] and info["index"] == config["index"]  # the persisted index is reused
