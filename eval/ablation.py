"""``python -m eval.ablation``: what each answer check earns on the dev sets.

Runs the dev sets of ``python -m eval.dev`` once with every check on, then once per check with
that check switched off (``RAG_DISABLED_CHECKS``), and prints a markdown table: per set and
direction, answers right (recall >= 0.5), answers wrong, answerable questions refused, and
left-out-article questions refused. A check earns its place when removing it costs more right
answers or lets through more wrong ones than it refuses right ones. The model's replies are
replayed (eval/replay.py): at temperature 0 a run without a check calls the model anew only where
that check would have asked for a retry or refused before the model, so a variant costs
retrieval and checks, not generation. Reports land in ``artifacts/ablation/``.

    python -m eval.ablation --replay artifacts/dev/after/replies.sqlite     # 40 + 8 per set and language
    python -m eval.ablation --sets xquad,belebele-en --sample 20            # a quick look
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from eval.dev import DIRECTIONS, SETS, run_set
from eval.report import outcome
from rag.answer.checks import CHECK_NAMES


def table(results: dict[str, dict[str, dict]]) -> str:
    """results[variant][set-lang] -> outcome; one row per variant, cells right/wrong/refused/left-out."""
    columns = sorted({c for r in results.values() for c in r})
    head = "| checks | " + " | ".join(f"{c}: right / wrong / refused / left-out refused" for c in columns) + " |"
    lines = [head, "|" + " --- |" * (len(columns) + 1)]
    for variant, cells in results.items():
        pct = lambda v: "-" if v is None else f"{v:.0%}"  # noqa: E731
        row = [f"{pct(cells[c]['right'])} / {pct(cells[c]['wrong'])} / {pct(cells[c]['refused'])} / "
               f"{pct(cells[c]['left_out_refused'])}" if c in cells else "-" for c in columns]
        lines.append(f"| {variant} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.ablation", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sets", default=",".join(n for n in SETS if n != "seeds"))
    p.add_argument("--sample", type=int, default=40)
    p.add_argument("--left-out", type=int, default=8)
    p.add_argument("--checks", default=",".join(CHECK_NAMES), help="checks to remove, one run each")
    p.add_argument("--out", type=Path, default=Path("artifacts/ablation"))
    p.add_argument("--replay", type=Path, default=None,
                   help="stored replies (default OUT/replies.sqlite; share it with a dev run to reuse its replies)")
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    variants = ["all checks"] + [f"without {c}" for c in args.checks.split(",") if c]
    results: dict[str, dict[str, dict]] = {}
    for variant in variants:
        os.environ["RAG_DISABLED_CHECKS"] = variant.removeprefix("without ") if variant != "all checks" else ""
        folder = args.out / variant.replace(" ", "-")
        folder.mkdir(parents=True, exist_ok=True)
        for name in args.sets.split(","):
            report = run_set(name, folder, args.sample, args.left_out, args.replay or args.out / "replies.sqlite", [])
            for (set_name, lang), label in DIRECTIONS.items():
                if set_name == name and any(q["lang"] == lang for q in report["questions"]):
                    results.setdefault(variant, {})[label] = outcome(report["questions"], lang)
        print(table(results), flush=True)
    os.environ.pop("RAG_DISABLED_CHECKS", None)
    (args.out / "ablation.md").write_text(table(results) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
