"""The confidence fit (eval/calibrate.py) and the risk-coverage report: on synthetic answers
where one signal tells right from wrong, the fit must find it and the threshold must meet its
target; on noise it must not pretend to."""

from __future__ import annotations

import random

import numpy as np

from eval.calibrate import fit, probabilities, threshold_for
from eval.report import risk_coverage
from rag.answer.confidence import FEATURES, score


def answers(n: int, informative: bool, seed: int = 0) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        right = i % 3 != 0
        base = {f: rng.random() for f in FEATURES}
        if informative:
            base["support"] = (0.7 if right else 0.4) + rng.random() * 0.2
        rows.append({"set": "s", "signals": base, "right": float(right)})
    return rows


def test_the_fit_finds_the_signal_that_tells_right_from_wrong_and_the_threshold_meets_its_target():
    rows = answers(300, informative=True)
    model = fit(rows, FEATURES)
    assert max(FEATURES, key=lambda f: model["weights"][FEATURES.index(f)]) == "support"
    p, y = probabilities(rows, model), np.asarray([r["right"] for r in rows])
    t = threshold_for(p, y, 0.95)
    assert y[p >= t].mean() >= 0.95 and (p >= t).mean() > 0.5
    assert abs(score(rows[0]["signals"], model) - p[0]) < 1e-6  # the product scores as the fit did


def test_on_noise_no_threshold_reaches_a_target_the_data_cannot_give():
    rows = answers(300, informative=False)
    model = fit(rows, FEATURES)
    p, y = probabilities(rows, model), np.asarray([r["right"] for r in rows])
    assert threshold_for(p, y, 0.99) >= float(np.max(p)) - 1e-9 or y[p >= threshold_for(p, y, 0.99)].mean() >= 0.99


def test_risk_coverage_counts_withheld_answers_by_what_they_would_have_been():
    rows = [{"answerable": True, "answered": False, "gated": True, "confidence": 0.2,
             "scores": {"correct": 0.0, "correct_if_answered": 1.0}},
            {"answerable": True, "answered": True, "confidence": 0.9, "scores": {"correct": 1.0}},
            {"answerable": False, "answered": True, "confidence": 0.5, "scores": {"correct": 0.0}}]
    curve = risk_coverage(rows, points=3)
    assert [(p["coverage"], p["precision"]) for p in curve] == [(0.333, 1.0), (0.667, 0.5), (1.0, 0.667)]


def test_the_shipped_fit_prefers_a_sure_well_supported_answer_and_its_threshold_separates_them():
    """rag/answer/confidence.json as written by ``python -m eval.calibrate --write``: a fitted
    model with a threshold, under which a sure answer whose claims were found letter by letter
    next to the question passes, and an unsure one resting on a weak cross-lingual match does not."""
    from rag.answer.confidence import load_weights

    model = load_weights()
    assert 0.0 < model["threshold"] < 1.0 and any(model["weights"])
    sure = {"logprob_mean": -0.05, "logprob_low": -0.4, "support": 1.0, "anchor": 0.7, "repaired": 0.0}
    unsure = {"logprob_mean": -0.6, "logprob_low": -2.5, "support": 0.45, "anchor": 0.35, "repaired": 0.0}
    assert score(sure, model) > model["threshold"] > score(unsure, model)
