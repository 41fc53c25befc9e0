"""Benchmark the embedded model alone: prompt tokens/s and generated tokens/s of llama.cpp for
the project's GGUF, with the backend's own settings (n_batch 64, ``RAG_LLM_THREADS``). This is
the figure every other latency follows from: each source sentence the model reads costs
(its tokens / prompt speed) seconds before the first answer token.

    python scripts/bench_llm.py [--tokens 400] [--runs 3] [--n-batch 64]

To compare llama.cpp builds, put another build first on ``PYTHONPATH``; the module path of
the build in use is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import llama_cpp

from rag.backends.llamacpp import N_BATCH
from rag.backends.llamacpp_runtime import load_backends
from rag.settings import Settings


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=400, help="prompt length (Arabic seed text)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--generate", type=int, default=48, help="tokens generated per run")
    ap.add_argument("--n-batch", type=int, default=N_BATCH, help="llama.cpp batch size (the backend uses 64)")
    ap.add_argument("--json", action="store_true", help="end with one JSON line (scripts/bench.py reads it)")
    args = ap.parse_args()
    settings = Settings()
    threads = settings.llm_threads or os.cpu_count() or 2
    variant = load_backends(settings).variant
    llm = llama_cpp.Llama(model_path=str(settings.llm_model_path), n_ctx=2048, n_threads=threads,
                          n_batch=args.n_batch, verbose=False)
    text = sorted(Path("seeds").glob("*.txt"))[0].read_text(encoding="utf-8")
    tokens = llm.tokenize(text.encode(), add_bos=False)[: args.tokens]
    read, made = [], []
    for _ in range(args.runs):
        llm.reset()
        t = time.perf_counter()
        llm.eval(tokens)
        read.append(len(tokens) / (time.perf_counter() - t))
        t, n = time.perf_counter(), 0
        for _token in llm.generate(tokens[-1:], temp=0.0, reset=False):
            n += 1
            if n >= args.generate:
                break
        made.append(n / (time.perf_counter() - t))
    print(f"llama_cpp {llama_cpp.__version__} from {Path(llama_cpp.__file__).parent}, CPU kernels: {variant}")
    print(f"prompt   {statistics.median(read):6.1f} tokens/s  ({len(tokens)}-token Arabic prompt, "
          f"n_batch {args.n_batch}, {threads} threads, median of {args.runs})")
    print(f"generate {statistics.median(made):6.1f} tokens/s  ({args.generate} tokens, greedy)")
    if args.json:
        print(json.dumps({"prefill_tokens_per_s": statistics.median(read),
                          "generate_tokens_per_s": statistics.median(made)}))


if __name__ == "__main__":
    main()
