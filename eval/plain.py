"""The pipeline a llama-index user builds from the defaults, scored like ours (``--pipeline plain``).

The same article files as ``Document``s (metadata ``article_id`` = file stem, so the metrics apply
unchanged), ``SentenceSplitter()`` (1024 tokens, 200 overlap), a ``VectorStoreIndex`` over Chroma
with our embedding model, and ``index.as_query_engine(llm=llm, streaming=True)`` (top 2, default
prompts) with llama-index's ``LlamaCPP`` over our embedded backend's GGUF, Qwen2.5's ChatML, our
temperature, ``max_new_tokens`` and threads. The index persists in ``<cache_dir>/eval-plain/<hash
of files, splitter config, embedding model>/`` and is rebuilt only when missing or incomplete.
We set no llama-index global: models, transformations and callback manager are passed explicitly
(the default query engine itself reads ``Settings.callback_manager``, which creates an empty one).

Trade-off: plain has no refusal and no citations, so both are read *generously to plain*: a reply
is a refusal when it is empty or its first sentence says the context lacks the answer
(``NOT_IN_CONTEXT``), and the two retrieved chunks it shows as sources are its citations. Chunks
reach our ``SentenceEmbedder`` as llama-index passes them: without EmbeddingGemma's document
prompt (our ingest adds it); queries get the query prompt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tqdm import tqdm

from eval.harness import score_question, unique
from eval.metrics import match_form
from rag.errors import RagError
from rag.settings import Settings
from rag.text.language import answer_language

log = logging.getLogger(__name__)

EXTRA_HINT = "the plain pipeline needs its optional extra: install the plain extra: pip install -e '.[plain]'"
CONTEXT_WINDOW = 4096  # room for the two default 1024-token chunks, the default QA prompt and the reply
COLLECTION = "plain"
QWEN_SYSTEM = "You are Qwen, created by Alibaba Cloud. You are a helpful assistant."  # the template's default

# A plain reply is a refusal (answered=False) only when it is empty or its FIRST sentence contains
# one of these phrases (compared after eval.metrics.match_form normalisation). Generous to plain:
# no check of ours is involved, and a later caveat does not turn an answer into a refusal.
NOT_IN_CONTEXT: tuple[str, ...] = (
    "does not provide", "doesn't provide", "does not contain", "doesn't contain", "does not mention",
    "doesn't mention", "does not specify", "does not include", "no information", "not mentioned",
    "not provided", "not specified", "not available", "cannot be determined", "unable to determine",
    "لا يوجد", "لا توجد", "لا تحتوي", "لا يحتوي", "لم يتم ذكر", "لم يذكر", "لم تذكر", "لا تذكر", "لا يذكر",
    "لا تتوفر", "لا يتوفر", "لا تقدم", "لا يقدم", "لا تتضمن", "لا يتضمن", "غير مذكور", "غير متوفر",
)
_SENTENCE_END = re.compile(r"(?<=[.!?؟])\s+|\n+")


def says_not_in_context(text: str) -> bool:
    """True when the reply is empty or its first sentence says the context lacks the answer.

    >>> says_not_in_context("The context does not provide this."), says_not_in_context("Baku. Not mentioned: X.")
    (True, False)
    """
    first = next((s for s in _SENTENCE_END.split(text.strip()) if s.strip()), "")
    form = match_form(first)
    return not form or any(match_form(phrase) in form for phrase in NOT_IN_CONTEXT)


@dataclass
class PlainAnswer:
    """What ``score_question`` reads: text, answered, citations (source nodes), sources shown."""
    text: str
    answered: bool
    citations: list[SimpleNamespace]  # .article_id
    sources: list[dict]


class ChatML:
    """Qwen2.5's chat template as llama-index prompt functions; keeps every prompt it formats."""

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def messages(self, messages: Any) -> str:
        return self._format([(str(getattr(m.role, "value", m.role)), m.content or "") for m in messages])

    def completion(self, completion: str) -> str:
        return self._format([("user", completion)])

    def _format(self, turns: list[tuple[str, str]]) -> str:
        if not turns or turns[0][0] != "system":
            turns.insert(0, ("system", QWEN_SYSTEM))
        self.prompts.append("".join(f"<|im_start|>{role}\n{text}<|im_end|>\n" for role, text in turns)
                            + "<|im_start|>assistant\n")
        return self.prompts[-1]


def corpus_key(corpus: Path, config: str) -> tuple[list[Path], str]:
    """The .txt/.md files of ``corpus`` and a hash of their names, contents and ``config``."""
    files = sorted(p for p in Path(corpus).rglob("*") if p.is_file() and p.suffix.lower() in (".txt", ".md"))
    if not files:
        raise RagError(f"the plain pipeline found no .txt/.md articles in {corpus}")
    digest = hashlib.sha256(config.encode())
    for path in files:
        digest.update(path.stem.encode() + b"\0" + path.read_bytes() + b"\0")
    return files, digest.hexdigest()[:12]


def open_index(corpus: Path, embed_model: Any, root: Path) -> tuple[Any, dict]:
    """The Chroma-backed VectorStoreIndex of ``corpus`` (built once, then reused) and its config."""
    try:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from llama_index.core import Document, StorageContext, VectorStoreIndex
        from llama_index.core.callbacks import CallbackManager
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.vector_stores.chroma import ChromaVectorStore
    except ImportError as exc:
        raise RagError(f"{EXTRA_HINT} ({exc})") from exc
    splitter = SentenceSplitter()
    model = getattr(embed_model, "model_path", embed_model.model_name)
    files, key = corpus_key(corpus, f"{splitter.chunk_size}|{splitter.chunk_overlap}|{model}")
    home = root / key
    client = chromadb.PersistentClient(path=str(home), settings=ChromaSettings(anonymized_telemetry=False))
    marker = home / "complete.json"
    info = {"index": str(home), "chunk_size": splitter.chunk_size, "chunk_overlap": splitter.chunk_overlap}
    common: dict[str, Any] = {"embed_model": embed_model, "transformations": [splitter],
                              "callback_manager": CallbackManager([])}
    collection = client.get_or_create_collection(COLLECTION, embedding_function=None)
    expected = json.loads(marker.read_text())["nodes"] if marker.is_file() else None
    if expected and collection.count() == expected:
        info.update(chunks=expected, built=False)
        log.info("plain index reused: %s (%d chunks)", home, expected)
        return VectorStoreIndex.from_vector_store(ChromaVectorStore(chroma_collection=collection), **common), info
    marker.unlink(missing_ok=True)
    client.delete_collection(COLLECTION)
    collection = client.create_collection(COLLECTION, embedding_function=None)
    docs = [Document(text=p.read_text(encoding="utf-8", errors="replace"), metadata={"article_id": p.stem},
                     id_=p.stem) for p in files]
    nodes = splitter.get_nodes_from_documents(docs)
    storage = StorageContext.from_defaults(vector_store=ChromaVectorStore(chroma_collection=collection))
    index = VectorStoreIndex(nodes, storage_context=storage, show_progress=True, **common)
    marker.write_text(json.dumps({"nodes": len(nodes), "articles": len(files)}))
    info.update(chunks=len(nodes), built=True)
    log.info("plain index built: %s (%d articles, %d chunks)", home, len(files), len(nodes))
    return index, info


def load_llm(settings: Settings, chatml: ChatML) -> Any:
    """llama-index's LlamaCPP over the GGUF our embedded backend uses (verified the same way)."""
    try:
        from llama_index.core.callbacks import CallbackManager
        from llama_index.llms.llama_cpp import LlamaCPP
    except ImportError as exc:
        raise RagError(f"{EXTRA_HINT} ({exc})") from exc
    from rag.backends.llamacpp import LlamaCppBackend
    from rag.backends.llamacpp_runtime import load_backends

    load_backends(settings)  # the CPU kernels proven on this machine, before any Llama is made
    ours = LlamaCppBackend(settings)  # resolves and checks the GGUF; loads nothing
    try:
        return LlamaCPP(model_path=str(ours.path), temperature=settings.temperature,
                        max_new_tokens=settings.max_new_tokens, context_window=CONTEXT_WINDOW,
                        messages_to_prompt=chatml.messages, completion_to_prompt=chatml.completion,
                        model_kwargs={"n_threads": ours.n_threads}, callback_manager=CallbackManager([]),
                        verbose=False)
    except ValueError as exc:  # pydantic's validation, llama-cpp-python's "Failed to load model"
        raise RagError(f"the plain pipeline cannot load {ours.path} through LlamaCPP: {exc}") from exc


def run_plain(rows: list[dict], corpus: Path, settings: Settings, gold: Path, embed_model: Any = None,
              root: Path | None = None) -> tuple[list[dict], dict]:
    """(records in the harness's format, report config) of the plain pipeline on ``rows``."""
    if embed_model is None:
        from rag.embedder import SentenceEmbedder

        embed_model = SentenceEmbedder.from_settings(settings)
    index, info = open_index(corpus, embed_model, root or settings.cache_dir / "eval-plain")
    print(f"plain index: {info['chunks']} chunks ({'built' if info['built'] else 'reused'}) in {info['index']}",
          flush=True)
    chatml = ChatML()
    llm = load_llm(settings, chatml)
    engine = index.as_query_engine(llm=llm, streaming=True)
    records = []
    for row in tqdm(rows, desc="plain", unit="q"):
        try:
            records.append(ask(engine, llm, chatml, row))
        except ValueError as exc:  # llama-cpp-python's errors, e.g. a prompt longer than the context
            raise RagError(f"plain pipeline, question {row['id']}: {exc}") from exc
    config = {"pipeline": "plain", "embed_model": Path(settings.embed_model_path).name,
              "backend": f"llama-index LlamaCPP:{Path(llm.model_path).name}", "retrieval_only": False,
              "k": engine.retriever.similarity_top_k, "context_window": CONTEXT_WINDOW, **info,
              "temperature": settings.temperature, "max_new_tokens": settings.max_new_tokens, "gold": str(gold),
              "gold_hash": hashlib.sha256(Path(gold).read_bytes()).hexdigest()[:12] if Path(gold).is_file() else ""}
    return records, config


def ask(engine: Any, llm: Any, chatml: ChatML, row: dict) -> dict:
    chatml.prompts.clear()
    started = time.perf_counter()
    response = engine.query(row["question"])  # retrieves; generation starts with the first delta
    timings = {"retrieval": time.perf_counter() - started, "first_token": 0.0}
    text = ""
    for delta in response.response_gen:
        if delta and not timings["first_token"]:
            timings["first_token"] = time.perf_counter() - started
        text += delta
    timings["total"] = time.perf_counter() - started
    if not chatml.prompts:
        raise RagError("the plain pipeline's LLM was called without the ChatML prompt functions")
    nodes = list(response.source_nodes)
    articles = unique([str(n.node.metadata.get("article_id", "")) for n in nodes])
    answer = PlainAnswer(text.strip(), not says_not_in_context(text), [SimpleNamespace(article_id=a) for a in articles],
                         [{"texts": [n.node.get_content()]} for n in nodes])
    tokens = max(len(llm._model.tokenize(p.encode("utf-8"), add_bos=False, special=True)) for p in chatml.prompts)
    record = {"id": row["id"], "lang": row["lang"], "question": row["question"], "answerable": row["answerable"],
              "sources": row["sources"], "text": answer.text, "answered": answer.answered,
              "language": answer_language(answer.text), "cited_articles": articles, "retrieved_articles": articles,
              "timings": {key: round(value, 3) for key, value in timings.items()}}
    record["scores"] = score_question(row, answer, articles, False)
    record.update(prompt_tokens=tokens, question_tokens=tokens,  # no prompt-state cache: all of it is per question
                  relevance=round(max((n.score or 0.0 for n in nodes), default=0.0), 4),
                  backend=f"llama-index LlamaCPP:{Path(llm.model_path).name}", draft=text,
                  shown=[n.node.get_content() for n in nodes], quotes=[])
    if not answer.answered:
        record["refusal_reason"] = "empty reply" if not answer.text else "reply says the context lacks the answer"
        record["refused_by"] = "not-in-context"
    return record
