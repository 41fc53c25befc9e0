"""The dev-set runner's table (eval/dev.py) and the matcher's pair set (eval/matcher_pairs.py),
without a model: reports and pairs built from the committed benchmark files."""

from __future__ import annotations

from eval.dev import rows, table
from eval.matcher_pairs import build_pairs, scores
from rag.text.arabic import mostly_arabic


def report(answers: list[tuple[bool, bool, float]], lang: str = "en") -> dict:
    questions = [{"lang": lang, "answerable": a, "answered": d, "scores": {"correct": c}} for a, d, c in answers]
    return {"questions": questions, "summary": {lang: {"first_token_median_s": 2.0}}}


def test_the_table_gives_right_wrong_refused_and_before_after():
    now = {"xquad": report([(True, True, 1.0), (True, True, 0.0), (True, False, 0.0), (False, False, 1.0)])}
    before = {"xquad": report([(True, False, 0.0), (True, True, 0.0), (True, False, 0.0), (False, True, 0.0)])}
    line = table(rows(now), rows(before)).splitlines()[-1]
    assert line.startswith("| XQuAD, English over Arabic (n 3 + 1) | 0% -> 33% | 33% -> 33% | 67% -> 33% |")
    assert "0% -> 100%" in line  # left-out questions refused


def test_matcher_pairs_hold_a_true_pair_and_false_ones_for_each_claim():
    pairs = build_pairs(limit=4)
    assert {p["direction"] for p in pairs} == {"en claim, ar source", "ar claim, en source"}
    true = [p for p in pairs if p["label"]]
    assert len(true) == 4 * 2 * 2  # 4 questions, two sets, two directions
    first = next(p for p in true if p["direction"] == "en claim, ar source")
    assert not mostly_arabic(first["claim"]) and mostly_arabic(first["source"])  # the scripts differ
    perfect = scores(pairs, lambda p: p["label"] == 1)
    assert all(v["precision"] == 1.0 and v["recall"] == 1.0 for row in perfect.values() for v in row.values())
