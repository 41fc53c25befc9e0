"""``python -m eval``: score the chatbot on a gold file, optionally gate on a baseline.

Exit codes: 0 ok, 1 a floor is broken or a metric regressed beyond tolerance, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from eval.gold import GoldError, check_gold, corpus_texts, load_gold
from eval.harness import config, run
from eval.report import chart, compare, format_summary, load_json, summarize, table
from rag import RAG, RagError, Settings

HERE = Path(__file__).resolve().parent


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m eval", description=__doc__)
    p.add_argument("--gold", type=Path, default=HERE / "gold.jsonl")
    p.add_argument("--out", type=Path, default=None, help="write the JSON report (and a PNG chart beside it)")
    p.add_argument("--baseline", type=Path, default=None, help="compare with this earlier report")
    p.add_argument("--floors", type=Path, default=HERE / "floors.json")
    p.add_argument("--retrieval-only", action="store_true")
    p.add_argument("--backend", choices=["auto", "ollama", "llamacpp"], default=None)
    p.add_argument("--limit", type=int, default=None, help="first N questions of each language")
    p.add_argument("--k", type=int, default=None, help="passages retrieved per question")
    p.add_argument("--corpus", type=Path, default=Path("seeds"), help="articles the gold file is about")
    return p.parse_args(argv)


def select(rows: list[dict], limit: int | None) -> list[dict]:
    """At most ``limit`` rows per language: a quarter of them unanswerable (when the file has
    such rows), the rest answerable, each in file order.

    >>> rows = [{"id": f"{l}{i}", "lang": l, "answerable": i < 6} for l in ("ar", "en") for i in range(8)]
    >>> [r["id"] for r in select(rows, 4)]
    ['ar0', 'ar1', 'ar2', 'ar6', 'en0', 'en1', 'en2', 'en6']
    """
    if not limit:
        return rows
    keep: set[str] = set()
    for lang in sorted({r["lang"] for r in rows}):
        mine = [r for r in rows if r["lang"] == lang]
        unanswerable = [r for r in mine if not r["answerable"]][: limit // 4]
        answerable = [r for r in mine if r["answerable"]][: limit - len(unanswerable)]
        keep |= {r["id"] for r in answerable + unanswerable}
    return [r for r in rows if r["id"] in keep]


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    logging.basicConfig(level=logging.WARNING)
    try:
        rows = load_gold(args.gold)
        if args.corpus.is_dir():
            problems = check_gold(rows, corpus_texts(args.corpus))
            if problems:
                raise GoldError("gold file does not match the corpus:\n  " + "\n  ".join(problems))
        rows = select(rows, args.limit)
        settings = Settings()
        rag = RAG.from_settings(settings)
        if args.corpus.is_dir():
            rag.ingest([args.corpus], prune=False)
        k = args.k or settings.top_k
        records = run(rag, rows, k, args.retrieval_only, args.backend)
        report = {"config": config(rag, args.gold, k, args.retrieval_only, args.backend),
                  "summary": summarize(records), "questions": records}
    except (GoldError, RagError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    print(table(records))
    print()
    print(format_summary(report["summary"]))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        chart(report["summary"], args.out.with_suffix(".png"))
        print(f"\nreport: {args.out} (chart: {args.out.with_suffix('.png')})")
    floors = load_json(args.floors) if args.floors.is_file() else {}
    floors = floors.get("retrieval_only" if args.retrieval_only else "full", floors)
    failures, notes = compare(report, load_json(args.baseline), floors)
    if notes:
        print("\ncompared with baseline:" if args.baseline else "")
        print("\n".join(f"  {n}" for n in notes))
    if failures:
        print("\nFAILED:\n" + "\n".join(f"  {f}" for f in failures))
        return 1
    print("\nall floors met" + (" and no regression beyond tolerance" if args.baseline else ""))
    return 0
