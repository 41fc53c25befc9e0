"""One calibrated confidence per answer, from the signals the answer path already has. Pure.

An answer that passed the hard checks (its claims are in its sources, in the question's
language) can still be wrong: the right sentence read wrongly, a name from the right article
in the wrong role. No single signal tells, but together they do better:

- how sure the model was: the mean and the low tail of its tokens' log-probabilities (the
  embedded llama.cpp records them; a server backend gives none, and the fitted mean stands in);
- how well the answer is supported: the weakest sentence's support (1.0 when its claims were
  found letter by letter, else its cross-lingual cosine), and whether a detail had to be cut;
- how close the sources are to the question: the best question-sentence cosine (relevance) and
  the cited sentence closest to the question (anchor);
- whether question and sources are in different scripts (every cosine is lower there), and
  whether it is an Arabic question over English sources (the direction the 1.5B model reads
  worst: 8% right on BELEBELE);
- whether the answer states what kind of thing was asked (a date for "when", a quantity for
  "how many", a name for "who": wording.py).

``score`` is a logistic regression over these, fitted on the dev sets' answers labelled right
or wrong (``python -m eval.calibrate``, which writes ``confidence.json`` next to this file and
the risk-coverage table); the threshold is chosen there for a target share of right answers
and lives in settings (``RAG_MIN_CONFIDENCE``). The trade-off: a linear model of nine numbers
cannot learn much, and that is why it cannot overfit much either; the fit is checked on sets it
was not fitted on before its threshold is used.

>>> weights = {"features": ["relevance"], "weights": [4.0], "bias": -2.0, "means": {"relevance": 0.5}}
>>> round(score({"relevance": 0.5}, weights), 2), round(score({}, weights), 2)
(0.5, 0.5)
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

FEATURES = ("logprob_mean", "logprob_low", "support", "repaired", "relevance", "anchor", "cross_script",
            "arabic_over_english", "in_kind")
WEIGHTS_FILE = Path(__file__).with_name("confidence.json")


def signals(logprobs: list[float], support: list[float], repaired: bool, relevance: float, anchor: float | None,
            cross_script: bool, in_kind: bool = True, arabic_over_english: bool = False) -> dict[str, float]:
    """The features of one answer. What was not measured is left out, and ``score`` gives it its
    fitted mean: the log-probabilities of a server backend, the support when the grounding
    check is switched off (an empty list), the anchor when its check is (None).

    >>> signals([-0.1, -0.3, -2.0], [1.0, 0.6], False, 0.5, 0.6, True)["support"]
    0.6
    >>> sorted(set(signals([], [], False, 0.5, None, False)) & {"support", "anchor", "logprob_mean"})
    []
    """
    out = {"repaired": float(repaired), "relevance": relevance, "cross_script": float(cross_script),
           "in_kind": float(in_kind), "arabic_over_english": float(arabic_over_english)}
    if support:
        out["support"] = min(support)
    if anchor is not None:
        out["anchor"] = anchor
    if logprobs:
        ordered = sorted(logprobs)
        out["logprob_mean"] = sum(logprobs) / len(logprobs)
        out["logprob_low"] = sum(ordered[: max(1, len(ordered) // 10)]) / max(1, len(ordered) // 10)
    return {k: round(v, 4) for k, v in out.items()}


@lru_cache(maxsize=4)
def load_weights(path: Path = WEIGHTS_FILE) -> dict:
    """The fitted model (features, weights, bias, the fit's feature means)."""
    return json.loads(path.read_text(encoding="utf-8"))


def score(features: dict[str, float], weights: dict) -> float:
    """P(right) under the fitted logistic model; a missing feature takes its fitted mean."""
    z = weights["bias"]
    for name, w in zip(weights["features"], weights["weights"]):
        z += w * features.get(name, weights["means"].get(name, 0.0))
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
