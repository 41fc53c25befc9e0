"""Retrieval at 1k, 10k and 100k chunks: build a synthetic index from a real one, then measure it
in a fresh process (open time and memory are per process).

What is real and what is not:
- real: the ARCD articles, their chunks, segments and vectors (the index the ingest benchmark
  built), the questions (ARCD, Arabic; XQuAD, English), the query embeddings, Chroma, the
  persisted bm25s index, the fusion, the answer (embedded llama.cpp model);
- synthetic: the extra articles. Their text is real ARCD sentences recombined at random, split
  and chunked by the real pipeline (``Ingestor.prepare``); their vectors are the source
  sentences' real vectors plus Gaussian noise (cosine ~0.9 to the original), pooled into chunk
  vectors as ingest does. Above 10k chunks the synthetic articles store no segment vectors
  (they only matter once an article is cited; the questions are about the real ones).

    python scripts/bench_scale.py build --real DIR --chunks 100000 --out DIR
    python scripts/bench_scale.py measure --data-dir DIR --questions FILE   # prints one JSON line
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.ingest.pipeline import Ingestor  # noqa: E402
from rag.ingest.vectors import pool_chunks  # noqa: E402
from rag.retrieval.lexical_sync import SyncedLexicalIndex, lexical_dir  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.store import ChunkStore  # noqa: E402

BATCH = 4000


def _upsert(collection, ids, docs, vecs, metas) -> None:
    for i in range(0, len(ids), BATCH):
        collection.upsert(ids=ids[i : i + BATCH], documents=docs[i : i + BATCH],
                          embeddings=vecs[i : i + BATCH], metadatas=metas[i : i + BATCH])


def build(real_dir: Path, chunks: int, out: Path, seed: int = 7) -> None:
    """Copy the real index into ``out`` and add synthetic articles until ``chunks`` chunks."""
    from tqdm import tqdm

    from rag.embedder import SentenceEmbedder

    real = ChunkStore(Settings(data_dir=real_dir))
    settings = Settings(data_dir=out)
    store = ChunkStore(settings)
    store.reset()
    for src, dst in ((real.chunks, store.chunks), (real.segments, store.segments), (real.manifest, store.manifest)):
        got = src.get(include=["documents", "metadatas", "embeddings"])
        _upsert(dst, got["ids"], got["documents"], [list(map(float, v)) for v in got["embeddings"]], got["metadatas"])
    seg = real.segments.get(include=["documents", "embeddings"])
    sentences, vectors = seg["documents"], np.asarray(seg["embeddings"], dtype=np.float32)
    rng, nrng = random.Random(seed), np.random.default_rng(seed)
    ingestor = Ingestor(settings, store, SentenceEmbedder.from_settings(settings))  # its tokenizer sizes chunks
    corpus = out / "articles"
    corpus.mkdir(parents=True, exist_ok=True)
    keep_segments = chunks <= 10_000
    n, j = store.chunks.count(), 0
    with tqdm(total=chunks, initial=n, desc=f"synthetic {chunks} chunks", unit="chunk") as bar:
        while n < chunks:
            group: dict[str, list] = {k: [] for k in ("cid", "cdoc", "cvec", "cmeta", "sid", "sdoc", "svec", "smeta",
                                                        "aid", "adoc", "ameta")}
            for _ in range(200):
                picks = [rng.randrange(len(sentences)) for _ in range(rng.randint(25, 45))]
                body = " ".join(sentences[p] for p in picks)
                text = f"عنوان اصطناعي {j}\n\n{body}\n"
                path = corpus / f"syn{j:06d}.txt"
                path.write_text(text, encoding="utf-8")
                raw = path.read_bytes()
                art = ingestor.prepare(path.stem, path, raw, ingestor.content_hash(raw))
                noise = nrng.normal(0, 0.012, (len(art.segments), vectors.shape[1])).astype(np.float32)
                seg_vecs = vectors[[picks[i % len(picks)] for i in range(len(art.segments))]] + noise
                seg_vecs /= np.linalg.norm(seg_vecs, axis=1, keepdims=True)
                chunk_vecs = pool_chunks(seg_vecs, art.chunk_segments, [e - s for s, e in art.segments])
                base = {"article_id": art.article_id, "article_hash": art.content_hash}
                p = str(path.resolve())
                for i, ((s, e), v) in enumerate(zip(art.chunks, chunk_vecs)):
                    group["cid"].append(f"{art.article_id}:{art.content_hash}:c{i}")
                    group["cdoc"].append(art.body[s:e])
                    group["cvec"].append(v.tolist())
                    group["cmeta"].append({**base, "title": art.title, "date": art.date, "path": p,
                                           "chunk_index": i, "start": s, "end": e})
                if keep_segments:
                    for i, ((s, e), v) in enumerate(zip(art.segments, seg_vecs)):
                        group["sid"].append(f"{art.article_id}:{art.content_hash}:s{i}")
                        group["sdoc"].append(art.body[s:e])
                        group["svec"].append(v.tolist())
                        group["smeta"].append({**base, "seg_index": i, "start": s, "end": e})
                group["aid"].append(art.article_id)
                group["adoc"].append(art.body)
                group["ameta"].append({**base, "content_hash": art.content_hash, "title": art.title, "date": art.date,
                                       "path": p, "n_chunks": len(art.chunks),
                                       "n_segments": len(art.segments) if keep_segments else 0})
                j += 1
                n += len(art.chunks)
                bar.update(len(art.chunks))
                if n >= chunks:
                    break
            _upsert(store.chunks, group["cid"], group["cdoc"], group["cvec"], group["cmeta"])
            if keep_segments:
                _upsert(store.segments, group["sid"], group["sdoc"], group["svec"], group["smeta"])
            _upsert(store.manifest, group["aid"], group["adoc"], [[1.0]] * len(group["aid"]), group["ameta"])
    store._bump()
    SyncedLexicalIndex(store, lexical_dir(settings))  # built and persisted here, as ingest does
    (out / "real-articles.txt").write_text(str(real_dir), encoding="utf-8")
    (out / "complete").write_text(json.dumps({"chunks": store.chunks.count()}), encoding="utf-8")


def measure(data_dir: Path, questions: list[str], answer: bool) -> dict:
    """Open, search, embed (and answer the first question) in this fresh process."""
    import psutil

    from rag import RAG

    settings = Settings(data_dir=data_dir)
    t0 = time.perf_counter()
    rag = RAG.from_settings(settings)
    probe = np.zeros(768, dtype=np.float32)
    probe[0] = 1.0
    rag.retriever.nodes(questions[0], probe.tolist(), settings.top_k)
    out: dict = {"chunks": rag.store.chunks.count(), "open_s": time.perf_counter() - t0}
    if answer:
        reply = rag.ask(questions[0], backend="llamacpp")
        out["open_and_first_answer_s"] = time.perf_counter() - t0
        out["first_answer_answered"] = reply.answered
    embed_ms, vectors = [], []
    for q in questions:
        t = time.perf_counter()
        vectors.append(rag.embed_query(q))
        embed_ms.append((time.perf_counter() - t) * 1000)
    search_ms = []
    for _ in range(3):
        for q, v in zip(questions, vectors):
            t = time.perf_counter()
            rag.retriever.nodes(q, v, settings.top_k)
            search_ms.append((time.perf_counter() - t) * 1000)
    out.update(embed_query_p50_ms=statistics.median(embed_ms[1:]), search_p50_ms=statistics.median(search_ms),
               search_p95_ms=float(np.percentile(search_ms, 95)),
               rss_mb=psutil.Process().memory_info().rss / 2**20, searches=len(search_ms))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("--real", type=Path, required=True)
    b.add_argument("--chunks", type=int, required=True)
    b.add_argument("--out", type=Path, required=True)
    m = sub.add_parser("measure")
    m.add_argument("--data-dir", type=Path, required=True)
    m.add_argument("--questions", type=Path, required=True, help="JSON list of question strings")
    m.add_argument("--answer", action="store_true", help="also load the LLM and answer the first question")
    args = ap.parse_args()
    if args.cmd == "build":
        build(args.real, args.chunks, args.out)
    else:
        print(json.dumps(measure(args.data_dir, json.loads(args.questions.read_text(encoding="utf-8")), args.answer)))


if __name__ == "__main__":
    main()
