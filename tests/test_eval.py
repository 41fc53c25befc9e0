"""Metrics on hand-made cases, the gold-file check, and the baseline comparison."""

import subprocess
import sys
from pathlib import Path

import pytest

from eval.gold import GoldError, check_gold, corpus_texts, load_gold, validate_row
from eval.metrics import aggregate, citation_scores, percentile, retrieval_scores, satisfies, token_f1
from eval.report import compare, summarize

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("text, groups, ok", [
    ("The visit lasted THREE days", [["three", "3"]], True),
    ("استغرقت الزيارة ثلاثة أيام", [["ثلاثه"]], True),                 # ta marbuta normalised
    ("وزير الخارجية جيهون بيرامُوف", [["بيراموف"]], True),            # tashkeel ignored
    ("وصل إلى ١٢٠٬٠٠٠ شخص", [["120,000"]], True),                    # digits + separators
    ("more than 120000 people", [["١٢٠,٠٠٠"]], True),
    ("days 12 and 13", [["12"], ["13"]], True),
    ("only day 12", [["12"], ["13"]], False),                       # every group needed
    ("Kabul", [["كابول", "Kabul"]], True),
    ("انعقد في بروكسل", [["باكو"]], False),
])
def test_must_include(text, groups, ok):
    assert satisfies(text, groups) is ok


def test_token_f1():
    assert token_f1("three days [1]", "three days") == 1.0
    assert token_f1("nothing shared", "three days") == 0.0
    assert 0 < token_f1("ثلاثة أيام في باكو", "ثلاثة أيام") < 1


def test_retrieval_scores():
    assert retrieval_scores(["a", "b"], ["a"]) == {"hit@1": 1.0, "hit@3": 1.0, "hit@5": 1.0, "mrr": 1.0}
    assert retrieval_scores(["x", "y", "z", "w", "a"], ["a"]) == {"hit@1": 0.0, "hit@3": 0.0, "hit@5": 1.0, "mrr": 0.2}
    assert retrieval_scores(["x"], ["a"])["mrr"] == 0.0


def test_citation_scores():
    assert citation_scores(["a"], ["a", "b"]) == {"citation_precision": 1.0, "citation_recall": 0.5}
    assert citation_scores([], ["a"]) == {"citation_precision": None, "citation_recall": None}


def test_percentile_and_aggregate():
    assert percentile([5, 1, 3], 50) == 3
    records = [
        {"lang": "ar", "answerable": True, "answered": True, "cited_articles": ["a"],
         "scores": {"hit@1": 1.0, "hit@3": 1.0, "hit@5": 1.0, "mrr": 1.0, "correct": 1.0, "citation_precision": 1.0,
                    "citation_recall": 1.0, "language_match": 1.0}, "timings": {"retrieval": 0.1, "first_token": 2.0, "total": 4.0}},
        {"lang": "en", "answerable": True, "answered": False, "cited_articles": [],
         "scores": {"hit@1": 0.0, "hit@3": 1.0, "hit@5": 1.0, "mrr": 0.5, "correct": 0.0, "citation_precision": None,
                    "citation_recall": None, "language_match": 1.0}, "timings": {"retrieval": 0.3, "first_token": 0.0, "total": 1.0}},
        {"lang": "en", "answerable": False, "answered": False, "cited_articles": [],
         "scores": {"correct": 1.0, "language_match": 0.0}, "timings": {"retrieval": 0.2, "total": 0.5}},
    ]
    s = summarize(records)
    assert s["overall"]["accuracy"] == 0.5 and s["overall"]["mrr"] == 0.75
    assert s["overall"]["refusal_rate_unanswerable"] == 1.0 and s["overall"]["wrong_refusal_rate"] == 0.5
    assert s["overall"]["citation_precision"] == 1.0  # undefined values are skipped, not zero
    assert abs(s["overall"]["language_match"] - 2 / 3) < 1e-9
    assert s["ar"]["accuracy"] == 1.0 and s["en"]["accuracy"] == 0.0
    assert s["overall"]["retrieval_median_s"] == 0.2 and s["overall"]["first_token_median_s"] == 2.0
    assert aggregate([])["n"] == 0


def make_report(acc_by_id):
    questions = [{"id": i, "lang": "ar", "question": i, "answerable": True, "answered": True, "cited_articles": ["a"],
                  "scores": {"hit@3": 1.0, "correct": v, "language_match": 1.0}, "timings": {}}
                 for i, v in acc_by_id.items()]
    return {"summary": summarize(questions), "questions": questions}


def test_compare_detects_regression_and_flips():
    baseline = make_report({"q1": 1.0, "q2": 1.0, "q3": 0.0, "q4": 1.0})
    worse = make_report({"q1": 0.0, "q2": 0.0, "q3": 1.0, "q4": 1.0})
    failures, notes = compare(worse, baseline, {"tolerance": 0.05, "floors": {}})
    assert any("regression: overall.accuracy" in f for f in failures)
    assert any("right -> wrong: q1" in n for n in notes) and any("wrong -> right: q3" in n for n in notes)
    same_failures, _ = compare(baseline, baseline, {"tolerance": 0.05, "floors": {}})
    assert not same_failures


def test_compare_floors():
    report = make_report({"q1": 1.0, "q2": 0.0})
    failures, _ = compare(report, None, {"floors": {"overall.accuracy": 0.6, "overall.not_measured": 0.9}})
    assert failures == ["floor broken: overall.accuracy = 0.500 (floor 0.6)"]
    assert not compare(report, None, {"floors": {"overall.accuracy": 0.5}})[0]


def test_committed_gold_file_is_well_formed_and_matches_the_corpus():
    rows = load_gold(ROOT / "eval" / "gold.jsonl")
    assert check_gold(rows, corpus_texts(ROOT / "seeds")) == []
    langs = [r["lang"] for r in rows]
    assert len(rows) >= 60 and langs.count("ar") >= 25 and langs.count("en") >= 25
    assert sum(not r["answerable"] for r in rows) >= 8
    assert any(len(r["sources"]) > 1 for r in rows)


@pytest.mark.parametrize("row, problem", [
    ({"id": "x", "lang": "fr", "question": "q", "must_include": [], "sources": [], "answerable": False}, "lang"),
    ({"id": "x", "lang": "ar", "question": "q", "must_include": [["a"]], "sources": [], "answerable": True}, "needs sources"),
    ({"id": "x", "lang": "ar", "question": "q", "must_include": ["a"], "sources": ["s"], "answerable": True}, "list of non-empty lists"),
    ({"id": "x", "lang": "ar", "question": "q", "sources": [], "answerable": False}, "missing fields"),
    ({"id": "x", "lang": "ar", "question": "q", "must_include": [], "sources": [], "answerable": False, "extra": 1}, "unknown fields"),
])
def test_malformed_rows(row, problem):
    assert any(problem in p for p in validate_row(row))


def test_broken_gold_rows_fail_loudly(tmp_path):
    corpus = {"doc1": "انعقد الحوار في بروكسل"}
    rows = [{"id": "a", "lang": "ar", "question": "q", "must_include": [["باكو"]], "sources": ["doc1"], "answerable": True},
            {"id": "b", "lang": "ar", "question": "q", "must_include": [["بروكسل"]], "sources": ["nope"], "answerable": True}]
    problems = check_gold(rows, corpus)
    assert "a: no alternative of ['باكو'] occurs in its sources" in problems
    assert "b: unknown source article 'nope'" in problems
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a"}\n', encoding="utf-8")
    with pytest.raises(GoldError, match="missing fields"):
        load_gold(bad)


def test_eval_cli_rejects_a_broken_gold_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "lang": "ar", "question": "q", "must_include": [["غير موجود"]], '
                   '"sources": ["000_50e16cd6024442b7"], "answerable": true}\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "eval", "--gold", str(bad), "--retrieval-only"], cwd=ROOT,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "does not match the corpus" in proc.stderr and "Traceback" not in proc.stderr


def test_compare_restricts_the_baseline_to_the_questions_of_the_run():
    rows = {"q1": 1.0, "q2": 1.0, "q3": 0.0, "q4": 0.0}
    baseline = make_report(rows)
    subset = make_report({"q1": 1.0, "q2": 1.0})
    failures, notes = compare(subset, baseline, {"tolerance": 0.05, "floors": {}})
    assert not failures  # 2/2 correct is not compared with the full baseline's 2/4
    assert any("restricted to the 2 questions" in n for n in notes)


@pytest.mark.slow
def test_regression_gate_end_to_end_with_k1(tmp_path):
    """A made-up regression (k=1) against the committed baseline exits non-zero."""
    proc = subprocess.run([sys.executable, "-m", "eval", "--retrieval-only", "--k", "1", "--baseline",
                           str(ROOT / "eval" / "baseline.json")], cwd=ROOT, capture_output=True, text=True,
                          env={**__import__("os").environ, "RAG_DATA_DIR": str(tmp_path)})
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "regression:" in proc.stdout and "hit@3" in proc.stdout
