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

from rag.text.arabic import strip_article
from rag.text.normalize import normalize, words
from rag.text.numbers import number_words


def match_form(text: str) -> str:
    """Normalised, whitespace-collapsed form for substring matching."""
    return re.sub(r"\s+", " ", normalize(text)).strip()


def satisfies(text: str, must_include: list[list[str]]) -> bool:
    form = match_form(text)
    return all(any(match_form(alt) in form for alt in group) for group in must_include)


# SQuAD's answer normalisation, extended for Arabic as MLQA's evaluation does: besides case,
# punctuation and the English articles, the Arabic article "ال" (with a leading و/ب/ف/ك/ل) is
# stripped, so "والقاهرة" and "القاهرة" and "قاهرة" are one token; a number word is its digits
# ("ثمان مرات" and "8 مرات" share the token 8). Citation markers and, in an
# English answer, the bracketed Arabic source spellings are not part of the answer.
_EN_ARTICLES = {"a", "an", "the"}
_MARKERS = re.compile(r"\[\d+\]")


def answer_tokens(text: str, drop_arabic: bool = False) -> list[str]:
    """SQuAD-normalised tokens of an answer or a gold span.

    >>> answer_tokens("The Denver Broncos (دنفر برونكوز) [1]", drop_arabic=True)
    ['denver', 'broncos']
    >>> answer_tokens("في مدينة والقاهرة")
    ['في', 'مدينه', 'قاهره']
    """
    text = _MARKERS.sub(" ", text)
    if drop_arabic:
        text = re.sub(r"[\u0600-\u06ff]+", " ", text)
    return [str(value) if value is not None else strip_article(w)
            for w, value in number_words(words(text)) if w not in _EN_ARTICLES]


def span_scores(prediction: str, answers: list[str], lang: str) -> dict[str, float]:
    """Best token F1 and recall over the gold spans, and exact-substring match (a gold span
    occurs, normalised, inside the answer).

    >>> span_scores("Super Bowl 50 was played in Santa Clara (سانتا كلارا) [1].", ["Santa Clara, California"], "en")
    {'f1': 0.364, 'recall': 0.667, 'exact': 0.0}
    """
    pred = answer_tokens(prediction, drop_arabic=lang == "en")
    best_f1 = best_recall = 0.0
    for gold in answers:
        ref = answer_tokens(gold)
        common = sum((Counter(pred) & Counter(ref)).values())
        if not pred or not ref or not common:
            continue
        p, r = common / len(pred), common / len(ref)
        best_f1, best_recall = max(best_f1, 2 * p * r / (p + r)), max(best_recall, r)
    joined = " ".join(pred)
    exact = any(ref and f" {' '.join(ref)} " in f" {joined} " for ref in map(answer_tokens, answers))
    return {"f1": round(best_f1, 3), "recall": round(best_recall, 3), "exact": float(exact)}


def evidence_hit(shown: list[str], spans: list[str]) -> float:
    """Does any gold span occur (normalised) in the source text the model was shown?

    >>> evidence_hit(["ولد في المدينة المنورة عام 1958."], ["المدينة المنورة"]), evidence_hit(["نص آخر"], ["المدينة"])
    (1.0, 0.0)
    """
    text = f" {' '.join(answer_tokens(' '.join(shown)))} "
    return float(any(tokens and f" {' '.join(tokens)} " in text for tokens in map(answer_tokens, spans)))


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
    hits = [q["scores"]["evidence_hit"] for q in answerable if "evidence_hit" in q["scores"]]
    if hits:  # the gold span was among the sources the model was (or would have been) shown
        out["evidence_hit"] = mean(hits)
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
        # answered, but wrong: worse than a refusal, so reported on its own
        out["wrong_answer_rate"] = mean([float(q["answered"] and not q["scores"]["correct"]) for q in answerable])
        spans = [q for q in answerable if "recall" in q["scores"]]
        if spans:  # public sets: token recall/F1 against the gold spans, and what the model was shown
            for key in ("recall", "exact"):
                out[key] = mean([q["scores"][key] for q in spans])

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
