"""Benchmark answering with a warm pipeline: time to first token, total time, prompt size and
peak memory, over the gold questions (or the first N per language).

    python scripts/bench_answer.py [--limit N] [--backend llamacpp] [--alternate] [--cache-mb MB]

``--alternate`` interleaves Arabic and English questions (a bilingual chat), the case the
prompt-state cache is for; compare ``--cache-mb 0`` with the default.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from eval.cli import select
from eval.gold import load_gold
from eval.harness import run
from rag import RAG, Settings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--backend", default="llamacpp")
    ap.add_argument("--alternate", action="store_true", help="interleave Arabic and English questions")
    ap.add_argument("--cache-mb", type=int, default=None, help="override RAG_LLM_CACHE_MB")
    args = ap.parse_args()
    overrides = {} if args.cache_mb is None else {"llm_cache_mb": args.cache_mb}
    rag = RAG.from_settings(Settings(data_dir=Path(tempfile.mkdtemp(prefix="rag-bench-")), **overrides))
    rag.ingest(["seeds"])
    t = time.perf_counter()
    rag.ask("Who is the foreign minister of Azerbaijan?", backend=args.backend)  # warm-up: loads the LLM
    print(f"warm-up (LLM load + first answer): {time.perf_counter() - t:.1f} s")
    rows = select(load_gold(Path("eval/gold.jsonl")), args.limit)
    if args.alternate:
        ar, en = [r for r in rows if r["lang"] == "ar"], [r for r in rows if r["lang"] == "en"]
        rows = [r for pair in zip(ar, en) for r in pair] + ar[len(en):] + en[len(ar):]
    print(f"{len(rows)} questions, llm_cache_mb={rag.settings.llm_cache_mb}, alternate={args.alternate}")
    records = run(rag, rows, rag.settings.top_k, backend=args.backend)
    answered = [r for r in records if r["answered"]]
    for key in ("retrieval", "first_token", "total"):
        vals = [r["timings"][key] for r in (answered if key == "first_token" else records)]
        print(f"{key:12s} median {statistics.median(vals):6.2f} s   max {max(vals):6.2f} s   (n={len(vals)})")
    tokens = [r["prompt_tokens"] for r in answered]
    print(f"prompt tokens median {statistics.median(tokens):.0f}, max {max(tokens)}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
