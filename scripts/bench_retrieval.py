"""Benchmark retrieval: ingest time, re-ingest time, per-query latency, and top-3 article hit
rate per language for dense-only, BM25-only and hybrid (RRF), plus the relevance scores
(best question-sentence cosine) of answerable vs unanswerable gold questions, which is what
``RAG_MIN_RELEVANCE`` is calibrated on.

    python scripts/bench_retrieval.py [--gold eval/gold.jsonl] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from rag import RAG, Settings
from rag.retrieval.evidence import score_segments


def hit_at(ranked: list[str], gold: list[str], k: int = 3) -> bool:
    seen: list[str] = []
    for aid in ranked:
        if aid not in seen:
            seen.append(aid)
    return bool(set(seen[:k]) & set(gold))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", default="eval/gold.jsonl")
    ap.add_argument("--data-dir", default=None)
    args = ap.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="rag-bench-")
    settings = Settings(data_dir=Path(data_dir))
    rag = RAG.from_settings(settings)

    t = time.perf_counter()
    _ = rag.embedder.model  # load once, report separately
    print(f"embedding model load: {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    report = rag.ingest(["seeds"])
    print(f"ingest seeds: {time.perf_counter() - t:.1f} s ({report.summary()}; {rag.stats()['chunks']} chunks)")
    t = time.perf_counter()
    report = rag.ingest(["seeds"])
    print(f"re-ingest unchanged: {time.perf_counter() - t:.3f} s ({report.summary()})")

    rows = [json.loads(line) for line in Path(args.gold).read_text().splitlines() if line.strip()]
    hits = {(m, lang): [] for m in ("dense", "bm25", "hybrid") for lang in ("ar", "en")}
    latencies, relevance = [], {True: [], False: []}
    for row in rows:
        q = row["question"]
        t = time.perf_counter()
        passages, vector = rag.retrieve_with_vector(q, settings.top_k)
        latencies.append(time.perf_counter() - t)
        segs = rag.selector.candidates(passages)
        best = score_segments(q, vector, segs, lexical_weight=settings.evidence_lexical_weight,
                              top_chunk_bonus=settings.evidence_top_chunk_bonus)
        relevance[row["answerable"]].append((best, row["id"]))
        if not row["answerable"]:
            continue
        dense = [m["article_id"] for _, _, _, m in rag.store.query(vector, 10)]
        bm25 = [cid.rsplit(":", 2)[0] for cid, _ in rag.retriever.bm25.search(q, 10)]
        hybrid = [p.article_id for p in rag.retrieve(q, 10)]
        for name, ranked in (("dense", dense), ("bm25", bm25), ("hybrid", hybrid)):
            hits[(name, row["lang"])].append(hit_at(ranked, row["sources"]))
    # latency over at least 50 queries
    queries = [r["question"] for r in rows]
    while len(latencies) < 50:
        t = time.perf_counter()
        rag.retrieve(queries[len(latencies) % len(queries)])
        latencies.append(time.perf_counter() - t)

    print(f"\nretrieval latency over {len(latencies)} queries: median {statistics.median(latencies) * 1000:.0f} ms, "
          f"max {max(latencies) * 1000:.0f} ms")
    print("\ntop-3 article hit rate (answerable gold questions):")
    for name in ("dense", "bm25", "hybrid"):
        parts = [f"{lang}: {sum(hits[(name, lang)])}/{len(hits[(name, lang)])} = "
                 f"{sum(hits[(name, lang)]) / max(1, len(hits[(name, lang)])):.0%}" for lang in ("ar", "en")]
        print(f"  {name:7s} " + "   ".join(parts))
    print("\nrelevance (best question-sentence cosine):")
    for answerable in (True, False):
        vals = sorted(relevance[answerable])
        print(f"  {'answerable' if answerable else 'unanswerable'}: min {vals[0][0]:.3f} ({vals[0][1]}), "
              f"median {statistics.median(v for v, _ in vals):.3f}, max {vals[-1][0]:.3f} ({vals[-1][1]})")
    print("  lowest answerable:", ", ".join(f"{i}={v:.3f}" for v, i in sorted(relevance[True])[:6]))
    print("  highest unanswerable:", ", ".join(f"{i}={v:.3f}" for v, i in sorted(relevance[False])[-6:]))


if __name__ == "__main__":
    main()
