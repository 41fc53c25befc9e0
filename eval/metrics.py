"""Evaluation metrics, per question and aggregated. Pure: no model, no store.

Answer correctness is judged without an LLM: the gold row's ``must_include`` is a list of
groups of alternatives, and an answer is correct when it contains one alternative of every
group after normalisation (case, Arabic letter variants, tashkeel, Arabic-Indic digits,
thousands separators, whitespace). That is strict about facts and blind to style, which is
what a regression gate needs.

>>> satisfies("Over 120,000 people [1]", [["120000", "١٢٠٬٠٠٠"]])
True
>>> satisfies("زيارة تستغرق ثلاثة أيام", [["ثلاثه"], ["باكو"]])
False
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter

from rag.normalize import normalize, words


def match_form(text: str) -> str:
    """Normalised, whitespace-collapsed form for substring matching."""
    return re.sub(r"\s+", " ", normalize(text)).strip()


def satisfies(text: str, must_include: list[list[str]]) -> bool:
    form = match_form(text)
    return all(any(match_form(alt) in form for alt in group) for group in must_include)


def token_f1(prediction: str, reference: str) -> float:
    """SQuAD-style token F1 over normalised words (citation markers ignored).

    >>> round(token_f1("Stoltenberg visited Baku [1]", "Stoltenberg visited Baku for three days"), 2)
    0.67
    """
    pred = Counter(w for w in words(re.sub(r"\[\d+\]", " ", prediction)))
    ref = Counter(words(reference))
    common = sum((pred & ref).values())
    if not pred or not ref or not common:
        return 0.0
    precision, recall = common / sum(pred.values()), common / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def first_rank(ranked: list[str], gold: list[str]) -> int | None:
    """1-based rank of the first gold id in ``ranked``, or None."""
    for i, item in enumerate(ranked, 1):
        if item in gold:
            return i
    return None


def retrieval_scores(ranked_articles: list[str], gold: list[str]) -> dict[str, float]:
    """hit@1/3/5 and reciprocal rank at article level.

    >>> retrieval_scores(["b", "a", "c"], ["a"])
    {'hit@1': 0.0, 'hit@3': 1.0, 'hit@5': 1.0, 'mrr': 0.5}
    """
    rank = first_rank(ranked_articles, gold)
    return {"hit@1": float(rank == 1), "hit@3": float(bool(rank and rank <= 3)),
            "hit@5": float(bool(rank and rank <= 5)), "mrr": 1.0 / rank if rank else 0.0}


def citation_scores(cited: list[str], gold: list[str]) -> dict[str, float | None]:
    """Precision: share of cited articles that are gold sources; recall: share of gold
    sources cited. None when undefined (nothing cited / no gold).

    >>> citation_scores(["a", "c"], ["a", "b"])
    {'citation_precision': 0.5, 'citation_recall': 0.5}
    """
    cited_set, gold_set = set(cited), set(gold)
    return {
        "citation_precision": len(cited_set & gold_set) / len(cited_set) if cited_set else None,
        "citation_recall": len(cited_set & gold_set) / len(gold_set) if gold_set and cited_set else None,
    }


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile.

    >>> percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95)
    10
    """
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def mean(values: list) -> float | None:
    vals = [v for v in values if v is not None]
    return sum(vals) / len(vals) if vals else None


def aggregate(questions: list[dict]) -> dict[str, float | None]:
    """Summary of per-question records (each with lang, answerable, scores, timings)."""
    answerable = [q for q in questions if q["answerable"]]
    unanswerable = [q for q in questions if not q["answerable"]]
    out: dict[str, float | None] = {"n": len(questions), "n_answerable": len(answerable)}
    for key in ("hit@1", "hit@3", "hit@5", "mrr"):
        out[key] = mean([q["scores"].get(key) for q in answerable])
    generated = [q for q in questions if q["scores"].get("language_match") is not None]
    if generated:
        out["accuracy"] = mean([q["scores"]["correct"] for q in answerable])
        out["f1"] = mean([q["scores"].get("f1") for q in answerable])
        out["citation_precision"] = mean([q["scores"].get("citation_precision") for q in answerable])
        out["citation_recall"] = mean([q["scores"].get("citation_recall") for q in answerable])
        out["answered_with_citation"] = mean([float(bool(q["cited_articles"])) for q in answerable if q["answered"]])
        out["refusal_rate_unanswerable"] = mean([float(not q["answered"]) for q in unanswerable])
        out["wrong_refusal_rate"] = mean([float(not q["answered"]) for q in answerable])
        out["language_match"] = mean([q["scores"]["language_match"] for q in generated])
    for key in ("prompt_tokens", "question_tokens"):  # whole prompt; its per-question (uncached) part
        vals = [q[key] for q in questions if q.get(key)]
        if vals:
            out[f"{key}_median"] = statistics.median(vals)
    for key in ("retrieval", "first_token", "total"):
        vals = [q["timings"][key] for q in questions if q["timings"].get(key)]
        if vals:
            out[f"{key}_median_s"] = statistics.median(vals)
            out[f"{key}_p95_s"] = percentile(vals, 95)
    return out
