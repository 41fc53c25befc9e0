"""Does the embedding model's memory grow with the questions it encodes? RSS after each round
of query embeddings, in one process, with no server around it.

    python scripts/embed_memory.py [--dtype bfloat16] [--threads 4] [--distinct 0] [--rounds 6]

``--distinct N`` draws the questions from N fixed ones (0: every question new, with a new
length): the two cases tell a cache keyed by input shape (oneDNN keeps a compiled kernel per
shape, up to a bounded number) from a leak, which grows either way. A diagnostic that prints
figures, not a test.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from rag.embedder import SentenceEmbedder  # noqa: E402
from rag.heap_trim import release_freed_memory  # noqa: E402
from rag.settings import Settings  # noqa: E402

WORDS = ("the of news minister visit summit climate Azerbaijan NATO حكومة وزير الدفاع باكو قمة المناخ قال إن "
         "الرئيس").split()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dtype", default="bfloat16", choices=["float32", "bfloat16", "auto"])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--distinct", type=int, default=0, help="questions drawn from this many (0: all new)")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--per-round", type=int, default=100)
    args = ap.parse_args()
    rng = random.Random(0)

    def new_question() -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 60)))

    pool = [new_question() for _ in range(args.distinct)]
    embedder = SentenceEmbedder.from_settings(Settings(embed_dtype=args.dtype))
    embedder.get_query_embedding("warm-up")
    process = psutil.Process()
    base = process.memory_info().rss / 2**20
    print(f"dtype {embedder.dtype}, {args.threads} threads, RSS after warm-up {base:.0f} MB", flush=True)

    def work(n: int) -> None:
        for _ in range(n):
            embedder.get_query_embedding(rng.choice(pool) if pool else new_question())

    for i in range(args.rounds):
        threads = [threading.Thread(target=work, args=(args.per_round // args.threads,)) for _ in range(args.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        release_freed_memory()
        print(f"after {(i + 1) * args.per_round} questions: RSS {process.memory_info().rss / 2**20 - base:+.1f} MB",
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
