"""``python -m eval.ablation``: what each answer check earns on the public dev sets.

Runs the public sets once with every check on, then once per check with that check switched off
(``RAG_DISABLED_CHECKS``), and prints a markdown table: per language, answers right (recall
>= 0.5), answers wrong, answerable questions refused, and left-out-article questions refused.
A check earns its place when removing it costs more right answers or lets through more wrong
ones than it refuses right ones. The model's replies are replayed (eval/replay.py): at
temperature 0 a run without a check calls the model anew only where that check would have asked
for a retry or refused before the model, so a variant costs retrieval and checks, not
generation, and the dev samples can be used whole. Reports land in ``artifacts/ablation/``.

    python -m eval.ablation                      # 100 answerable + 20 left-out per set and language
    python -m eval.ablation --limit 40           # 30 + 10: a quick look
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from eval.cli import main as eval_main
from rag.answer.checks import CHECK_NAMES

SETS = {
    "arcd": ["--squad", "eval/benchmarks/arcd-train.json"],
    "xquad": ["--squad", "eval/benchmarks/xquad-dev.ar.json", "--squad-parallel", "eval/benchmarks/xquad-dev.en.json"],
}


def outcome(report: dict, lang: str) -> dict[str, float]:
    questions = [q for q in report["questions"] if q["lang"] == lang]
    answerable = [q for q in questions if q["answerable"]]
    left_out = [q for q in questions if not q["answerable"]]
    share = lambda xs, n: len(xs) / n if n else 0.0  # noqa: E731
    return {"right": share([q for q in answerable if q["scores"]["correct"]], len(answerable)),
            "wrong": share([q for q in answerable if q["answered"] and not q["scores"]["correct"]], len(answerable)),
            "refused": share([q for q in answerable if not q["answered"]], len(answerable)),
            "left_out_refused": share([q for q in left_out if not q["answered"]], len(left_out)),
            "n": len(answerable), "n_left_out": len(left_out)}


def table(results: dict[str, dict[str, dict]]) -> str:
    """results[variant][set-lang] -> outcome; one row per variant, cells right/wrong/refused/left-out."""
    columns = sorted({c for r in results.values() for c in r})
    head = "| checks | " + " | ".join(f"{c}: right / wrong / refused / left-out refused" for c in columns) + " |"
    lines = [head, "|" + " --- |" * (len(columns) + 1)]
    for variant, cells in results.items():
        row = [f"{cells[c]['right']:.0%} / {cells[c]['wrong']:.0%} / {cells[c]['refused']:.0%} / "
               f"{cells[c]['left_out_refused']:.0%}" if c in cells else "-" for c in columns]
        lines.append(f"| {variant} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.ablation", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--limit", type=int, default=None, help="questions per set and language (a quarter left out)")
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
        for name, squad in SETS.items():
            path = args.out / f"{name}-{variant.replace(' ', '-')}.json"
            if not path.is_file():  # resumable: a finished run is not redone
                limit = ["--limit", str(args.limit)] if args.limit else []
                eval_main([*squad, "--sample", "100", "--left-out", "20", *limit, "--backend", "llamacpp",
                           "--replay", str(args.replay or args.out / "replies.sqlite"), "--out", str(path)])
            report = json.loads(path.read_text(encoding="utf-8"))
            for lang in ("ar", "en"):
                if any(q["lang"] == lang for q in report["questions"]):
                    results.setdefault(variant, {})[f"{name}-{lang}"] = outcome(report, lang)
        print(table(results), flush=True)
    os.environ.pop("RAG_DISABLED_CHECKS", None)
    (args.out / "ablation.md").write_text(table(results) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
