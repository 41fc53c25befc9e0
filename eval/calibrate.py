"""``python -m eval.calibrate --runs artifacts/dev/after``: fit the answer confidence and choose
its threshold on the dev sets.

Every answer that passed the hard checks carries its signals (rag/answer/confidence.py) and,
in an eval report, whether it was right (an answer to a left-out question is wrong). A logistic
regression on the standardised signals (L2, plain gradient descent: nine numbers need no
library) gives P(right); the threshold is the lowest that keeps the share right among the
answers given at or above ``--target`` on the pooled dev answers. Before it is trusted it is
checked set by set, each set scored by a model fitted without it (leave one set out): the
table shows answers kept, right among them, and right answers lost, per set.

Writes ``rag/answer/confidence.json`` (with ``--write``): the model and its threshold, which
the ``confidence`` check uses unless ``RAG_MIN_CONFIDENCE`` overrides it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from rag.answer.confidence import FEATURES, WEIGHTS_FILE


def examples(report: dict, set_name: str) -> list[dict]:
    """(set, language, signals, right) of every answer that reached the confidence check."""
    out = []
    for q in report["questions"]:
        if not q.get("signals") or not (q["answered"] or q.get("gated")):
            continue
        right = q["scores"].get("correct_if_answered", q["scores"].get("correct", 0.0)) if q["answerable"] else 0.0
        out.append({"set": f"{set_name}-{q['lang']}", "signals": q["signals"], "right": float(right)})
    return out


# The signals that describe the answer itself. The other ones in FEATURES (cross_script,
# arabic_over_english, in_kind, relevance) mostly say which set an answer comes from: with them
# the fit learnt the sets, and leave-one-set-out lost 50 right answers to remove 44 wrong ones.
GENERAL = ("logprob_mean", "logprob_low", "support", "anchor", "repaired")


def matrix(rows: list[dict], means: dict[str, float], features: tuple[str, ...] | list[str]) -> np.ndarray:
    return np.asarray([[r["signals"].get(f, means[f]) for f in features] for r in rows], dtype=np.float64)


def fit(rows: list[dict], features: tuple[str, ...] = GENERAL, l2: float = 0.1, steps: int = 4000,
        rate: float = 0.1) -> dict:
    """Logistic regression P(right | signals); the weights are returned on the raw scale."""
    means = {f: float(np.mean([r["signals"][f] for r in rows if f in r["signals"]] or [0.0])) for f in features}
    x = matrix(rows, means, features)
    y = np.asarray([r["right"] for r in rows])
    mu, sd = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mu) / sd
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ w + b)))
        w -= rate * (z.T @ (p - y) / len(y) + l2 * w)
        b -= rate * float(np.mean(p - y))
    raw = w / sd
    return {"features": list(features), "weights": [round(float(v), 5) for v in raw],
            "bias": round(float(b - (mu / sd) @ w), 5), "means": {k: round(v, 5) for k, v in means.items()}}


def probabilities(rows: list[dict], model: dict) -> np.ndarray:
    x = matrix(rows, model["means"], model["features"])
    return 1 / (1 + np.exp(-(x @ np.asarray(model["weights"]) + model["bias"])))


def threshold_for(p: np.ndarray, right: np.ndarray, target: float) -> float:
    """The lowest threshold whose answers at or above it are at least ``target`` right."""
    best = 1.0
    for t in sorted(set(np.round(p, 3))):
        kept = p >= t
        if kept.any() and right[kept].mean() >= target:
            best = min(best, float(t))
    return best


def threshold_by_cost(p: np.ndarray, right: np.ndarray, cost: float) -> float:
    """The threshold that maximises right answers minus ``cost`` x wrong answers among those kept:
    with cost 2, withholding answers pays when it removes more than one wrong answer for every
    two right ones lost (a wrong answer with a citation is worse than a refusal; a refusal of
    an answerable question is a failure too).

    >>> threshold_by_cost(np.array([0.9, 0.8, 0.3, 0.2]), np.array([1.0, 1.0, 0.0, 1.0]), 2.0)
    0.8
    """
    candidates = sorted(set(np.round(p, 3)) | {0.0})
    gain = [(float(right[p >= t].sum() - cost * (1 - right[p >= t]).sum()), -float(t)) for t in candidates]
    return -max(gain)[1]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.calibrate", description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=Path, nargs="+", required=True, help="folders of eval reports (python -m eval.dev)")
    ap.add_argument("--features", nargs="+", default=list(GENERAL), choices=FEATURES,
                    help="signals the model may use (default: those that describe the answer, not its set)")
    ap.add_argument("--cost", type=float, default=1.25, help="how many right answers one wrong answer is worth "
                    "losing: the threshold maximises right - cost x wrong (the default rule)")
    ap.add_argument("--target", type=float, default=None, help="instead: the lowest threshold keeping this share "
                    "right among the answers given")
    ap.add_argument("--write", action="store_true", help=f"write the fitted model to {WEIGHTS_FILE}")
    args = ap.parse_args(argv)
    rows = [e for folder in args.runs for path in sorted(folder.glob("*.json"))
            if "questions" in (report := json.loads(path.read_text(encoding="utf-8"))) for e in examples(report, path.stem)]
    if len(rows) < 30:
        print(f"error: only {len(rows)} answers with signals; run python -m eval.dev first")
        return 2
    model = fit(rows, tuple(args.features))
    right = np.asarray([r["right"] for r in rows])

    def choose(p: np.ndarray, y: np.ndarray) -> float:
        return threshold_for(p, y, args.target) if args.target else threshold_by_cost(p, y, args.cost)

    rule = f">= {args.target:.0%} right" if args.target else f"max right - {args.cost:g} x wrong"
    t = choose(probabilities(rows, model), right)
    kept = probabilities(rows, model) >= t
    print(f"{len(rows)} answers, {right.mean():.0%} right before the threshold; threshold {t:.3f} ({rule}): "
          f"keeps {int(right[kept].sum())} right and {int((1 - right[kept]).sum())} wrong of "
          f"{int(right.sum())} right and {int((1 - right).sum())} wrong")
    print("| held-out set | answers | right before | kept at threshold | right among kept | right answers lost | "
          "wrong answers removed |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for held in sorted({r["set"] for r in rows}):
        train = [r for r in rows if r["set"] != held]
        test = [r for r in rows if r["set"] == held]
        m = fit(train, tuple(args.features))
        pt = choose(probabilities(train, m), np.asarray([r["right"] for r in train]))
        p, y = probabilities(test, m), np.asarray([r["right"] for r in test])
        kept = p >= pt
        print(f"| {held} | {len(test)} | {y.mean():.0%} | {kept.mean():.0%} | "
              f"{(y[kept].mean() if kept.any() else 0):.0%} | {int(((~kept) & (y == 1)).sum())} of {int(y.sum())} | "
              f"{int(((~kept) & (y == 0)).sum())} of {int((y == 0).sum())} |")
    model["fitted_on"] = (f"{len(rows)} answers of {', '.join(str(f) for f in args.runs)}; threshold {t:.3f} "
                          f"({rule})")
    model["threshold"] = round(t, 3)
    print(json.dumps(model, indent=1))
    if args.write:
        WEIGHTS_FILE.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {WEIGHTS_FILE} (threshold {t:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
