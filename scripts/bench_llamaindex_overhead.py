"""What the llama-index layer costs per question: the same retrieval and evidence selection
done directly (``HybridRetriever.nodes`` + ``EvidenceSelector.select``) and through
llama-index's interfaces (``BaseRetriever.retrieve(QueryBundle)`` with its callback and
instrumentation events, ``postprocess_nodes``, node <-> Passage conversion, ``Response``
building). The question embedding is computed once beforehand and reused by both, and no LLM
runs, so the difference is the layer alone.

    python scripts/bench_llamaindex_overhead.py [--gold eval/gold.jsonl] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from llama_index.core.schema import QueryBundle

from rag import RAG, Settings
from rag.answer.query_engine import to_response
from rag.answer.types import Answer
from rag.retrieval.nodes import node_to_passage, passage_to_node


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", default="eval/gold.jsonl")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    rag = RAG.from_settings(Settings(data_dir=Path(tempfile.mkdtemp(prefix="rag-bench-"))))
    rag.ingest(["seeds"])
    questions = [json.loads(line)["question"] for line in Path(args.gold).read_text().splitlines() if line.strip()]
    vectors = {q: rag.embed_query(q) for q in questions}
    retriever, selector, k = rag.as_retriever(), rag.selector, rag.settings.top_k

    def median_ms(fn) -> float:
        times = []
        for _ in range(args.repeats):
            for q in questions:
                t = time.perf_counter()
                fn(q)
                times.append(time.perf_counter() - t)
        return statistics.median(times) * 1000

    cached = {q: retriever.nodes(q, vectors[q], k) for q in questions}
    core = median_ms(lambda q: retriever.nodes(q, vectors[q], k))
    wrapped = median_ms(lambda q: retriever.retrieve(QueryBundle(q, embedding=vectors[q])))
    nodes_made = median_ms(lambda q: [passage_to_node(node_to_passage(n)) for n in cached[q]])
    to_passages = median_ms(lambda q: [node_to_passage(n) for n in cached[q]])
    passages = {q: [node_to_passage(n) for n in cached[q]] for q in questions}
    select = median_ms(lambda q: selector.select(q, passages[q], vectors[q]))
    ev = {q: selector.select(q, passages[q], vectors[q]) for q in questions}
    response = median_ms(lambda q: to_response(Answer(q, "", False, "ar", "ar"), ev[q].sources))
    layer = (wrapped - core) + (nodes_made - to_passages) + to_passages + response
    print(f"{len(questions)} questions x {args.repeats}, k={k}; median ms per question")
    print(f"  hybrid search (dense + BM25 + RRF, nodes built)   {core:8.2f}")
    print(f"  evidence selection                                {select:8.2f}")
    print(f"  retrieve(QueryBundle) wrapper (events, callbacks) {wrapped - core:8.2f}")
    print(f"  building {k} TextNodes                             {nodes_made - to_passages:8.2f}")
    print(f"  nodes -> Passages                                 {to_passages:8.2f}")
    print(f"  Response with source nodes and metadata           {response:8.2f}")
    print(f"  llama-index layer in total                        {layer:8.2f}  "
          f"({100 * layer / (core + select + layer):.1f}% of retrieval + selection)")


if __name__ == "__main__":
    main()
