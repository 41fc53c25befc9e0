"""Ours and the plain llama-index pipeline side by side (``python -m eval --pipeline both``).

One row per metric, for overall, ar and en, columns ours | plain | ratio. The ratio is oriented
so that > 1 always means ours is ahead: ours/plain where higher is better, plain/ours where lower
is better (wrong answers, wrong refusals, times, prompt tokens). Equal values give 1.0; a zero
denominator against a non-zero numerator has no finite ratio (None in the dict, "inf" in the
text); a metric missing on either side is None / "-". Pure: summaries in, a dict and text out.

>>> t = side_by_side({"overall": {"accuracy": 0.8}}, {"overall": {"accuracy": 0.4}})
>>> t["rows"][0]["overall"]
{'ours': 0.8, 'plain': 0.4, 'ratio': 2.0}
"""

from __future__ import annotations

PARTS = ("overall", "ar", "en")
# (label, key in eval.report.summarize()'s per-language summary, higher is better)
METRICS: tuple[tuple[str, str, bool], ...] = (
    ("accuracy (answerable)", "accuracy", True),
    ("wrong answers", "wrong_answer_rate", False),
    ("wrong refusals", "wrong_refusal_rate", False),
    ("unanswerable refused", "refusal_rate_unanswerable", True),
    ("citation precision", "citation_precision", True),
    ("hit@3", "hit@3", True),
    ("first token median s", "first_token_median_s", False),
    ("total median s", "total_median_s", False),
    ("prompt tokens median", "prompt_tokens_median", False),
)
HEADER = "ratio > 1 = ours ahead (ours/plain where higher is better, plain/ours where lower is better)"


def ratio(ours: float | None, plain: float | None, higher_is_better: bool) -> float | None:
    """>1 when ours is ahead; None when a value is missing or the denominator alone is zero.

    >>> ratio(0.9, 0.3, True), ratio(2.0, 6.0, False), ratio(0.0, 0.0, False), ratio(0.0, 0.2, False)
    (3.0, 3.0, 1.0, None)
    """
    if ours is None or plain is None:
        return None
    num, den = (ours, plain) if higher_is_better else (plain, ours)
    if den == 0:
        return 1.0 if num == 0 else None
    return round(num / den, 3)


def side_by_side(ours: dict, plain: dict) -> dict:
    """The comparison of two ``summarize()`` results as a JSON-ready dict."""
    rows = []
    for label, key, higher in METRICS:
        row: dict = {"metric": label, "key": key, "higher_is_better": higher}
        for part in PARTS:
            a, b = ours.get(part, {}).get(key), plain.get(part, {}).get(key)
            row[part] = {"ours": a, "plain": b, "ratio": ratio(a, b, higher)}
        rows.append(row)
    return {"header": HEADER, "parts": list(PARTS), "rows": rows}


def _value(key: str, value: float | None) -> str:
    if value is None:
        return "-"
    if "tokens" in key:
        return f"{value:.0f}"
    return f"{value:.2f}" if key.endswith("_s") else f"{value:.3f}"


def _ratio(cell: dict) -> str:
    if cell["ratio"] is not None:
        return f"{cell['ratio']:.2f}"
    return "-" if cell["ours"] is None or cell["plain"] is None else "inf"  # only the denominator is zero


def format_side_by_side(table: dict) -> str:
    """The dict of :func:`side_by_side` as a text table (one column group per language)."""
    width = 22
    head = f"{'':{width}}" + "".join(f" | {part:^22}" for part in table["parts"])
    sub = f"{'metric':{width}}" + f" | {'ours':>6} {'plain':>7} {'ratio':>6} " * len(table["parts"])
    lines = [table["header"], head.rstrip(), sub.rstrip()]
    for row in table["rows"]:
        cells = "".join(f" | {_value(row['key'], row[p]['ours']):>6} {_value(row['key'], row[p]['plain']):>7} "
                        f"{_ratio(row[p]):>6} " for p in table["parts"])
        lines.append(f"{row['metric']:{width}}{cells}".rstrip())
    return "\n".join(lines)
