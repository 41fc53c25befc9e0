"""Summaries, the per-question table, the chart, and the baseline comparison.

The comparison is the regression gate: for each main metric it checks the committed floors
(``eval/floors.json``) and the drop against a baseline report (beyond ``tolerance``), and lists
the questions that flipped. Pure apart from writing the chart.
"""

from __future__ import annotations

import json
from pathlib import Path

from eval.metrics import aggregate

MAIN_METRICS = ["hit@1", "hit@3", "hit@5", "mrr", "accuracy", "f1", "recall", "exact", "evidence_hit",
                "citation_precision", "citation_recall", "refusal_rate_unanswerable", "language_match"]
LOWER_IS_BETTER = {"wrong_refusal_rate", "wrong_answer_rate"}


def summarize(records: list[dict]) -> dict:
    out = {
        "overall": aggregate(records),
        "ar": aggregate([r for r in records if r["lang"] == "ar"]),
        "en": aggregate([r for r in records if r["lang"] == "en"]),
        "refusals": refusals(records),
    }
    if any("correct" in r["scores"] for r in records):
        out["outcomes"] = {lang: outcome(records, lang) for lang in ("ar", "en")
                           if any(r["lang"] == lang for r in records)}
        out["risk_coverage"] = {lang: risk_coverage([r for r in records if r["lang"] == lang])
                                for lang in out["outcomes"]}
    return out


def outcome(records: list[dict], lang: str) -> dict[str, float | None]:
    """Right, wrong and refused shares of the answerable questions, the share right of the answers
    given, and the share of left-out (unanswerable) questions refused: how a system that abstains
    is judged.

    >>> rows = [{"lang": "ar", "answerable": True, "answered": a, "scores": {"correct": c}}
    ...         for a, c in ((True, 1.0), (True, 0.0), (False, 0.0), (True, 1.0))]
    >>> outcome(rows, "ar")
    {'right': 0.5, 'wrong': 0.25, 'refused': 0.25, 'precision': 0.667, 'left_out_refused': None, 'n': 4, 'n_left_out': 0}
    """
    mine = [q for q in records if q["lang"] == lang]
    answerable = [q for q in mine if q["answerable"]]
    left_out = [q for q in mine if not q["answerable"]]
    right = sum(1 for q in answerable if q["answered"] and q["scores"].get("correct"))
    wrong = sum(1 for q in answerable if q["answered"] and not q["scores"].get("correct"))
    n = len(answerable)
    return {"right": round(right / n, 3) if n else None, "wrong": round(wrong / n, 3) if n else None,
            "refused": round((n - right - wrong) / n, 3) if n else None,
            "precision": round(right / (right + wrong), 3) if right + wrong else None,
            "left_out_refused": round(sum(not q["answered"] for q in left_out) / len(left_out), 3) if left_out else None,
            "n": n, "n_left_out": len(left_out)}


def risk_coverage(records: list[dict], points: int = 10) -> list[dict]:
    """The risk-coverage curve of the answers' confidence: for each threshold, the share of all
    questions (left-out ones included) that would be answered, and the share of those answers
    that are right (an answer to a left-out question is wrong). Only answers that passed the
    hard checks have a confidence; the curve is drawn over them, most confident first.

    >>> rows = [{"answerable": True, "answered": True, "confidence": c, "scores": {"correct": k}}
    ...         for c, k in ((0.9, 1.0), (0.8, 1.0), (0.3, 0.0))] + [{"answerable": False, "answered": False,
    ...         "scores": {"correct": 1.0}}]
    >>> [(p["coverage"], p["precision"]) for p in risk_coverage(rows, 3)]
    [(0.25, 1.0), (0.5, 1.0), (0.75, 0.667)]
    """
    scored = [r for r in records if r.get("confidence") is not None and (r["answered"] or r.get("gated"))]
    scored.sort(key=lambda r: -r["confidence"])
    total = len(records)
    if not scored or not total:
        return []
    out = []
    for i in sorted({max(1, round(len(scored) * k / points)) for k in range(1, points + 1)}):
        top = scored[:i]
        right = sum(1 for r in top if r["answerable"] and r["scores"].get("correct_if_answered",
                                                                        r["scores"].get("correct")))
        out.append({"threshold": round(top[-1]["confidence"], 3), "coverage": round(i / total, 3),
                    "precision": round(right / i, 3)})
    return out


def format_outcomes(summary: dict) -> str:
    """One line per language: right / wrong / refused, precision of the answers given, left-out refused."""
    lines = []
    for lang, o in summary.get("outcomes", {}).items():
        pct = lambda v: "-" if v is None else f"{v:.0%}"  # noqa: E731
        lines.append(f"{lang}: right {pct(o['right'])}, wrong {pct(o['wrong'])}, refused {pct(o['refused'])} "
                     f"of {o['n']} answerable; of the answers given {pct(o['precision'])} right; "
                     f"left-out refused {pct(o['left_out_refused'])} of {o['n_left_out']}")
    for lang, curve in summary.get("risk_coverage", {}).items():
        if curve:
            lines.append(f"{lang} risk-coverage (confidence >= t: answered share, right share): " +
                         ", ".join(f"{p['threshold']:.2f}: {p['coverage']:.0%} {p['precision']:.0%}" for p in curve))
    return "\n".join(lines)


def refusals(records: list[dict]) -> dict:
    """How many refusals each check made, per language, split by whether the question was
    answerable (a wrong refusal) or not (a right one)."""
    out: dict = {}
    for r in records:
        if r.get("answered", True) or "refused_by" not in r:
            continue
        kind = "answerable" if r["answerable"] else "unanswerable"
        per = out.setdefault(r["lang"], {}).setdefault(kind, {})
        check = r["refused_by"] or "?"
        per[check] = per.get(check, 0) + 1
    return out


def format_refusals(summary: dict) -> str:
    lines = []
    for lang, kinds in sorted(summary.get("refusals", {}).items()):
        for kind, counts in sorted(kinds.items()):
            parts = ", ".join(f"{check} {n}" for check, n in sorted(counts.items(), key=lambda x: -x[1]))
            lines.append(f"refused ({lang}, {kind}): {parts}")
    return "\n".join(lines)


def verdict(record: dict) -> str:
    scores = record["scores"]
    if "correct" not in scores:
        return "hit" if scores.get("hit@3") else ("-" if not record["answerable"] else "MISS")
    if not record["answerable"]:
        return "refused ok" if scores["correct"] else "ANSWERED"
    if scores["correct"]:
        return "correct"
    return "REFUSED" if not record["answered"] else "WRONG"


def table(records: list[dict]) -> str:
    lines = [f"{'id':6} {'verdict':11} {'cited':14} {'gold':14} question"]
    for r in records:
        cited = ",".join(a[:3] for a in r["cited_articles"]) or "-"
        gold = ",".join(a[:3] for a in r["sources"]) or "-"
        lines.append(f"{r['id']:6} {verdict(r):11} {cited:14} {gold:14} {r['question'][:70]}")
    return "\n".join(lines)


def format_summary(summary: dict) -> str:
    keys = [k for k in summary["overall"] if summary["overall"][k] is not None]
    lines = [f"{'metric':28} {'overall':>9} {'ar':>9} {'en':>9}"]
    for key in keys:
        cells = []
        for part in ("overall", "ar", "en"):
            v = summary[part].get(key)
            cells.append("-" if v is None else (f"{v:.0f}" if key.startswith("n") or "tokens" in key else f"{v:.3f}"))
        lines.append(f"{key:28} {cells[0]:>9} {cells[1]:>9} {cells[2]:>9}")
    return "\n".join(lines)


def chart(summary: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = [m for m in MAIN_METRICS if summary["overall"].get(m) is not None]
    fig, ax = plt.subplots(figsize=(max(6, len(metrics) * 1.1), 4))
    width = 0.38
    for i, lang in enumerate(("ar", "en")):
        values = [summary[lang].get(m) or 0.0 for m in metrics]
        ax.bar([x + (i - 0.5) * width for x in range(len(metrics))], values, width, label=lang)
    ax.set_xticks(range(len(metrics)), metrics, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_title("RAG evaluation per language")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def compare(report: dict, baseline: dict | None, floors: dict) -> tuple[list[str], list[str]]:
    """(failures, notes): failures make the command exit non-zero."""
    failures: list[str] = []
    notes: list[str] = []
    summary = report["summary"]
    for key, floor in floors.get("floors", {}).items():
        part, metric = key.split(".", 1)
        value = summary.get(part, {}).get(metric)
        if value is None:
            continue  # metric not measured in this mode (e.g. retrieval only)
        if (metric in LOWER_IS_BETTER and value > floor) or (metric not in LOWER_IS_BETTER and value < floor):
            failures.append(f"floor broken: {key} = {value:.3f} (floor {floor})")
    if not baseline:
        return failures, notes
    # Compare like with like: the baseline restricted to the questions of this run.
    ids = {q["id"] for q in report["questions"]}
    common = [q for q in baseline.get("questions", []) if q["id"] in ids]
    if common and "lang" in common[0]:
        baseline = {**baseline, "summary": summarize(common)}
        notes.append(f"baseline restricted to the {len(common)} questions of this run")
    tolerance = floors.get("tolerance", 0.05)
    for part in ("overall", "ar", "en"):
        for metric in MAIN_METRICS + sorted(LOWER_IS_BETTER):
            new, old = summary.get(part, {}).get(metric), baseline["summary"].get(part, {}).get(metric)
            if new is None or old is None:
                continue
            delta = new - old
            notes.append(f"{part}.{metric}: {old:.3f} -> {new:.3f} ({delta:+.3f})")
            worse = delta > tolerance if metric in LOWER_IS_BETTER else delta < -tolerance
            if worse:
                failures.append(f"regression: {part}.{metric} {old:.3f} -> {new:.3f} (tolerance {tolerance})")
    old_rows = {q["id"]: q for q in baseline.get("questions", [])}
    for q in report["questions"]:
        old = old_rows.get(q["id"])
        key = "correct" if "correct" in q["scores"] else "hit@3"
        if not old or key not in old["scores"] or key not in q["scores"]:
            continue
        if old["scores"][key] and not q["scores"][key]:
            notes.append(f"flipped right -> wrong: {q['id']} {q['question'][:60]}")
        elif not old["scores"][key] and q["scores"][key]:
            notes.append(f"flipped wrong -> right: {q['id']} {q['question'][:60]}")
    return failures, notes


def load_json(path: Path | None) -> dict | None:
    return json.loads(Path(path).read_text(encoding="utf-8")) if path else None
