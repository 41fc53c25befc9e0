"""``python -m eval.ci``: CI's evaluation gates, one after the other in one process.

Each gate is an ordinary ``python -m eval`` run (its arguments are listed below, the one home of
CI's samples); running them here loads the embedding model and the LLM once instead of once per
gate, and the LLM's saved prompt states (system rules and worked examples) carry over. Exit 1
when any gate fails (a floor broken or a regression beyond tolerance), after running them all.
"""

from __future__ import annotations

import sys
import time

from eval import cli
from rag import RagError, Settings
from rag.backends import BackendFactory
from rag.embedder import SentenceEmbedder

LLAMA = ["--backend", "llamacpp"]
FLOORS = ["--floors", "eval/public/floors.json"]
GATES: list[tuple[str, list[str]]] = [
    ("retrieval only, all seed gold questions",
     ["--retrieval-only", "--out", "artifacts/eval-retrieval.json", "--baseline", "eval/baseline.json"]),
    ("answers about other articles (eval/general), the seeds as distractors, 12 per language",
     [*LLAMA, "--gold", "eval/general/gold.jsonl", "--corpus", "eval/general/articles", "--limit", "12",
      "--out", "artifacts/eval-general.json", "--baseline", "eval/general/baseline.json"]),
    ("ARCD (Arabic), 20 + 4 left out",
     [*LLAMA, "--squad", "eval/benchmarks/arcd-train.json", "--sample", "20", "--left-out", "4", "--articles", "6",
      "--distractors", "3", *FLOORS, "--out", "artifacts/eval-arcd-ci.json", "--baseline", "eval/public/arcd-ci.json"]),
    ("XQuAD, Arabic and English questions over the Arabic articles, 10 + 4 per language",
     [*LLAMA, "--squad", "eval/benchmarks/xquad-dev.ar.json", "--squad-parallel", "eval/benchmarks/xquad-dev.en.json",
      "--sample", "10", "--left-out", "4", "--articles", "4", "--distractors", "2", *FLOORS,
      "--out", "artifacts/eval-xquad-ci.json", "--baseline", "eval/public/xquad-ci.json"]),
    ("overview, summary, timeline and comparison questions (eval/kinds), 2 per kind and language",
     ["--kinds", "eval/kinds/gold.jsonl", "--limit", "2", "--floors", "eval/kinds/floors.json",
      "--out", "artifacts/eval-kinds-ci.json"]),
    ("BELEBELE, Arabic questions over the English passages, 12 + 4",
     [*LLAMA, "--squad", "eval/benchmarks/belebele-dev.en.json", "--squad-parallel", "eval/benchmarks/belebele-dev.ar.json",
      "--parallel-only", "--sample", "12", "--left-out", "4", "--articles", "6", "--distractors", "4", *FLOORS,
      "--out", "artifacts/eval-belebele-ci.json", "--baseline", "eval/public/belebele-ci.json"]),
]


def main() -> int:
    try:
        settings = Settings()
        models = (SentenceEmbedder.from_settings(settings), BackendFactory(settings))
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failed = []
    for title, args in GATES:
        print(f"\n==> evaluation: {title}", flush=True)
        started = time.perf_counter()
        code = cli.main(args, models=models)
        print(f"({title}: exit {code}, {time.perf_counter() - started:.0f} s)", flush=True)
        if code:
            failed.append(title)
    if failed:
        print("\nFAILED gates:\n  " + "\n  ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
