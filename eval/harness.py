"""Run gold questions through the real pipeline and score each one.

One record per gold row, with exactly the fields the report promises: id, lang, question,
text, answered, language, cited_articles, retrieved_articles, timings, scores (plus
``answerable`` for aggregation). Retrieval-only runs skip the LLM; their records carry only
retrieval scores and timings.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any, Protocol

from tqdm import tqdm

from eval.metrics import citation_scores, evidence_hit, retrieval_scores, satisfies, span_scores, token_f1
from rag import RAG
from rag.text.language import answer_language


def unique(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


class Scored(Protocol):
    """What scoring reads of a reply: ``rag.Answer`` has it, and so does the plain llama-index
    pipeline's reply (eval/plain.py), so both pipelines are scored by the same code."""
    text: str
    answered: bool
    citations: list  # items with .article_id
    sources: list[dict]  # the sources shown to the model, each with "texts"


def score_question(row: dict, answer: Scored | None, retrieved: list[str], retrieval_only: bool) -> dict:
    scores: dict = retrieval_scores(retrieved, row["sources"]) if row["answerable"] else {}
    if retrieval_only:
        return scores
    assert answer is not None, "a generated run scores a reply"
    cited = unique([c.article_id for c in answer.citations])
    if row["answerable"] and row.get("answers"):  # a public set: scored against the gold spans
        spans = span_scores(answer.text, row["answers"], row["lang"]) if answer.answered else \
            {"f1": 0.0, "recall": 0.0, "exact": 0.0}
        scores.update(spans)
        scores["correct"] = float(answer.answered and spans["recall"] >= 0.5)
        shown = [text for source in answer.sources for text in source["texts"]]
        scores["evidence_hit"] = evidence_hit(shown, row.get("evidence") or row["answers"])
        scores.update(citation_scores(cited, row["sources"]))
    elif row["answerable"]:
        scores["correct"] = float(answer.answered and satisfies(answer.text, row["must_include"]))
        if row.get("answer"):
            scores["f1"] = token_f1(answer.text, row["answer"]) if answer.answered else 0.0
        scores.update(citation_scores(cited, row["sources"]))
    else:
        scores["correct"] = float(not answer.answered)
    scores["refused"] = float(not answer.answered)
    scores["language_match"] = float(answer_language(answer.text) == row["lang"])
    return scores


def withheld_correct(row: dict, text: str) -> float:
    """Would ``text`` (an answer the confidence gate withheld) have been right?"""
    if not row["answerable"]:
        return 0.0
    if row.get("answers"):
        return float(span_scores(text, row["answers"], row["lang"])["recall"] >= 0.5)
    return float(satisfies(text, row["must_include"]))


def retrieval_record(rag: RAG, row: dict, k: int) -> dict:
    """What retrieval and evidence selection alone give for one gold row (no LLM loaded; the
    evidence token counts are approximated)."""
    t0 = time.perf_counter()
    passages, vector = rag.retrieve_with_vector(row["question"], k)
    retrieval_s = time.perf_counter() - t0
    retrieved = unique([p.article_id for p in passages])
    record = {"text": "", "answered": False, "language": row["lang"], "cited_articles": [],
              "retrieved_articles": retrieved, "timings": {"retrieval": retrieval_s},
              "scores": score_question(row, None, retrieved, True)}
    evidence = rag.selector.select(row["question"], passages, vector)
    record["relevance"] = round(evidence.relevance, 4)
    if row["answerable"] and (row.get("evidence") or row.get("answers")):
        shown = [text for source in evidence.sources for text in source.texts]
        record["scores"]["evidence_hit"] = evidence_hit(shown, row.get("evidence") or row["answers"])
    return record


def answer_record(rag: RAG, row: dict, k: int, backend: str | None) -> dict:
    """The whole answer for one gold row: text, citations, timings, the draft before the
    checks, what the model was shown, confidence and repairs, and why it was refused."""
    answer = rag.ask(row["question"], backend=backend, k=k)
    retrieved = unique([p.article_id for p in answer.passages])
    record: dict[str, Any] = {
        "text": answer.text, "answered": answer.answered, "language": answer_language(answer.text),
        "cited_articles": unique([c.article_id for c in answer.citations]), "retrieved_articles": retrieved,
        "timings": {key: round(value, 3) for key, value in answer.timings.items()},
        "scores": score_question(row, answer, retrieved, False),
        "prompt_tokens": answer.prompt_tokens, "question_tokens": answer.question_tokens,
        "relevance": round(answer.relevance, 4),
        "backend": f"{answer.backend}:{answer.model}" if answer.backend else "",
        "draft": answer.draft,  # the model's reply before the checks
        "shown": [" ".join(x["texts"]) for x in answer.sources],
        "quotes": [[c.number, c.quote] for c in answer.citations],
        "confidence": answer.confidence, "signals": answer.signals, "repairs": answer.repairs,
    }
    if not answer.answered:
        record["refusal_reason"] = answer.refusal_reason
        record["refused_by"] = answer.refused_by
    if answer.withheld:  # refused for its confidence alone: would it have been right?
        record["gated"] = True
        record["scores"]["correct_if_answered"] = withheld_correct(row, answer.withheld)
    return record


def run(rag: RAG, rows: list[dict], k: int, retrieval_only: bool = False, backend: str | None = None) -> list[dict]:
    records = []
    for row in tqdm(rows, desc="retrieval" if retrieval_only else "answering", unit="q"):
        record = {"id": row["id"], "lang": row["lang"], "question": row["question"], "answerable": row["answerable"],
                  "sources": row["sources"]}
        record.update(retrieval_record(rag, row, k) if retrieval_only else answer_record(rag, row, k, backend))
        records.append(record)
    return records


UNRECORDED = {"cache_dir", "data_dir", "embed_model", "chroma_url", "collection_prefix", "llm_path", "llm_threads",
              "ollama_host", "ollama_timeout", "ollama_connect_timeout", "ui_host", "ui_port", "ui_auth", "ui_concurrency",
              "lexical_check_s"}


def config(rag: RAG, gold_path: Path, k: int, retrieval_only: bool, backend: str | None) -> dict:
    s = rag.settings
    used = ""
    if not retrieval_only:
        llm = rag.backends.get(backend)
        used = f"{llm.name}:{llm.model}"
    return {
        "embed_model": Path(s.embed_model_path).name,
        "backend": used or "none (retrieval only)",
        "retrieval_only": retrieval_only,
        "k": k,
        # every knob that changes answers (paths, hosts and UI settings left out)
        "settings": {key: value for key, value in s.model_dump(mode="json").items() if key not in UNRECORDED},
        "collection": rag.store.name,
        "prompts_hash": rag.answerer.prompts.hash(),
        "gold": str(gold_path),
        "gold_hash": hashlib.sha256(Path(gold_path).read_bytes()).hexdigest()[:12],
    }
