"""One typed settings object for the whole product.

Every knob is a field here; every field can be overridden from the environment with a
``RAG_`` prefix (``RAG_DATA_DIR``, ``RAG_BACKEND``, ``RAG_EMBED_MODEL`` ...). The object is
built once by the entry point (CLI, UI, eval, tests) and passed explicitly to the components
that need it: nothing reads the environment behind the caller's back.

Trade-off: a single flat model instead of a nested tree keeps env names short and obvious
(``RAG_CHUNK_TOKENS`` rather than ``RAG_INGEST__CHUNK__TOKENS``) at the cost of a longer class.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Literal, get_args

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "bilingual-rag"


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "bilingual-rag"


Backend = Literal["auto", "ollama", "llamacpp", "openai-like"]
BACKENDS: tuple[str, ...] = get_args(Backend)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore", frozen=True)

    # --- where things live -------------------------------------------------------------
    cache_dir: Path = Field(default_factory=_default_cache_dir, description="models, downloads")
    data_dir: Path = Field(default_factory=_default_data_dir, description="Chroma files, uploads")

    # --- embeddings ----------------------------------------------------------------------
    embed_model: str = Field(
        default="",
        description="sentence-transformers folder or model id; empty = the fetched EmbeddingGemma",
    )
    embed_dtype: Literal["auto", "float32", "bfloat16"] = Field(
        default="auto", description="auto = bfloat16 where the CPU has native bf16 (1.6x faster here, scores "
        "within 0.002 of float32), float32 elsewhere (bf16 emulation was 4x slower)")
    embed_batch_size: int = Field(default=16, ge=1)

    # --- chunking ------------------------------------------------------------------------
    chunk_tokens: int = Field(default=160, ge=16, description="max tokens per chunk (embed tokenizer)")
    chunk_overlap_tokens: int = Field(default=32, ge=0)
    segment_max_words: int = Field(default=40, ge=5, description="long sentences split at commas")

    # --- input limits: a bad input gets a specific message at once, before any model runs ---
    max_question_chars: int = Field(default=1000, ge=10, description="longer questions are refused at once "
                                    "(embedding 50,000 characters took 20 s)")
    max_article_mb: float = Field(default=20.0, gt=0, description="article files (and uploads) larger than "
                                  "this are skipped with a message")
    # --- articles by link and by feed (rag/ingest/web.py): bounded, http(s) only ---------
    web_timeout_s: float = Field(default=20.0, gt=0, description="connect/read timeout of one page or feed")
    web_max_redirects: int = Field(default=5, ge=0, le=20)
    feed_max_entries: int = Field(default=30, ge=1, le=500, description="newest entries read from a feed per run")

    # --- store ---------------------------------------------------------------------------
    chroma_url: str = Field(default="", description="http://host:port of a Chroma server; empty = embedded")
    collection_prefix: str = "articles"

    # --- retrieval -----------------------------------------------------------------------
    top_k: int = Field(default=8, ge=1, le=50)
    rrf_k: int = Field(default=60, ge=1)
    candidates: int = Field(default=30, ge=1, description="per-retriever candidates fed to fusion")
    lexical_check_s: float = Field(default=2.0, ge=0, description="how often a process looks whether another "
                                   "process changed the store (then rebuilds its lexical index)")

    # --- evidence: which sentences the model reads (rag/retrieval/evidence.py) ------------
    context_tokens: int = Field(default=220, ge=50, description="evidence budget in LLM tokens")
    context_tokens_cross_script: int = Field(default=160, ge=50, description="the same for a question in "
                                             "another script than the articles (English over Arabic)")
    evidence_max_segments: int = Field(default=6, ge=1, description="sentence segments at most")
    evidence_margin: float = Field(default=0.15, ge=0.0, description="keep segments scoring within this of the best")
    evidence_lexical_weight: float = Field(default=0.15, ge=0.0, description="weight of question-term overlap")
    evidence_top_chunks: int = Field(default=3, ge=0, description="segments inside these best chunks get a bonus")
    evidence_top_chunk_bonus: float = Field(default=0.04, ge=0.0)
    evidence_neighbours: int = Field(default=0, ge=0, description="the segments next to this many best "
                                     "segments are added, budget allowing")
    evidence_shape: Literal["sentences", "chunks"] = Field(default="sentences", description="what the model "
                                                           "reads: the best sentences, or the best "
                                                           "evidence_top_chunks retrieved chunks whole")

    # --- answer checks (rag/answer/checks.py) ---------------------------------------------
    disabled_checks: str = Field(default="", description="comma-separated check names to switch off "
                                 "(their names and order: CHECK_ORDER in rag/answer/checks.py; building the "
                                 "pipeline with an unknown name is an error that lists them)")
    min_relevance: float = Field(
        default=0.30, description="best question-sentence cosine below this refuses without the LLM"
    )
    min_relevance_cross_script: float = Field(
        default=0.27, description="the same for a question in another script than its sources"
    )
    min_support: float = Field(default=0.45, description="cosine a claim-less sentence in the other script "
                               "needs with a source segment")
    min_claim_similarity: float = Field(default=0.40, ge=0.0, le=1.0, description="cosine a claim needs with "
                                        "a source sentence in the other script when no letter matches its names "
                                        "(rag/answer/support.py; set on the XQuAD/BELEBELE answer pairs: precision "
                                        "0.91 against other sentences of the same passage)")
    min_confidence: float | None = Field(default=None, ge=0.0, le=1.0, description="answers whose calibrated "
                                         "confidence (rag/answer/confidence.py) is below this are refused; empty = "
                                         "the threshold `python -m eval.calibrate` chose on the dev sets (in "
                                         "rag/answer/confidence.json); 0 = never refuse on confidence")
    min_anchor: float = Field(default=0.33, description="cosine the cited sentence closest to the question needs")
    min_anchor_cross_script: float = Field(default=0.38, description="the same for a question in another script "
                                           "than its sources")
    min_term_share: float = Field(default=0.5, ge=0.0, le=1.0, description="share of an answer sentence's new "
                                  "words that must occur in its source (same script)")
    name_similarity: float = Field(default=0.75, ge=0.0, le=1.0, description="consonant-skeleton match that "
                                   "attaches an Arabic spelling after a Latin name")
    grounding_name_similarity: float = Field(default=0.8, ge=0.0, le=1.0, description="consonant-skeleton "
                                             "match that counts a Latin name as found in an Arabic source")

    # --- question kinds beyond one fact (rag/kinds/) --------------------------------------
    kind_routing: bool = Field(default=True, description="answer overview, summary, timeline and comparison "
                               "questions in their own form; off = every question takes the fact path")
    kind_items: int = Field(default=8, ge=1, le=40, description="most sentences in a summary, events in a timeline")
    kind_relevance_weight: float = Field(default=0.6, ge=0.0, le=1.0, description="a summary sentence's score: "
                                         "this share of relevance to the question, the rest centrality")
    kind_duplicate: float = Field(default=0.92, gt=0.0, le=1.0, description="a sentence this close (cosine) to one "
                                  "already chosen is a repeat and skipped")
    compare_articles: int = Field(default=4, ge=2, le=10, description="most articles side by side in a comparison")
    overview_max_articles: int = Field(default=50, ge=1, description="an overview lists at most this many "
                                       "articles, newest first, and says how many more there are")

    # --- generation ----------------------------------------------------------------------
    prompts_dir: str = Field(default="", description="folder of prompt files; empty = the packaged prompts/")
    backend: Backend = "auto"
    language: Literal["auto", "ar", "en"] = "auto"
    llm_path: str = Field(default="", description="GGUF file; empty = the fetched Qwen2.5 GGUF")
    llm_ctx: int = Field(default=4096, ge=512)
    llm_threads: int = Field(default=0, ge=0, description="0 = all cores")
    llama_cpu: str = Field(default="", description="pin llama.cpp's CPU kernels (zen4, icelake, haswell, x64 ...); "
                           "empty = the best variant proven to run on this machine (rag/backends/llamacpp_runtime.py)")
    llama_lib_dir: str = Field(default="", description="folder of llama.cpp's libggml-cpu-*.so; empty = the "
                               "installed llama-cpp-python's")
    llm_cache_mb: int = Field(default=256, ge=0, description="RAM for saved prompt states, so each "
                              "language's system prompt is evaluated once (0 = off)")
    max_new_tokens: int = Field(default=200, ge=16)
    chat_memory_tokens: int = Field(default=1500, ge=100, description="how much of a conversation (in LLM "
                                    "tokens, roughly) the chat engine keeps for rewriting a follow-up question")
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    repeat_penalty: float = Field(default=1.1, ge=1.0, le=2.0, description="llama.cpp/Ollama repetition "
                                  "penalty (1.0 = off)")
    ollama_host: str = Field(default_factory=lambda: os.environ.get("OLLAMA_HOST", "http://127.0.0.1:11434"))
    ollama_model: str = "qwen2.5:7b-instruct"
    ollama_num_ctx: int = Field(default=8192, ge=512)
    ollama_timeout: float = Field(default=120.0, gt=0)
    ollama_connect_timeout: float = Field(default=2.0, gt=0)
    openai_base_url: str = Field(default="", description="openai-like backend: the server's /v1 URL, "
                                 "e.g. http://127.0.0.1:8000/v1")
    openai_model: str = Field(default="local", description="openai-like backend: the model name to request")
    openai_api_key: str = Field(default="none", description="openai-like backend: API key (local servers "
                                "ignore it)")
    openai_timeout: float = Field(default=120.0, gt=0)
    openai_connect_timeout: float = Field(default=2.0, gt=0, description="openai-like backend: seconds to "
                                          "connect (a dead server fails fast, no retries)")
    llm_deadline_s: float = Field(default=180.0, gt=0, description="wall-clock bound of one reply from an LLM "
                                  "server (Ollama, openai-like, a llama-index LLM), checked as tokens arrive: a "
                                  "server that trickles tokens forever is cut off and its connection closed; "
                                  "it also caps each read timeout")

    # --- UI ------------------------------------------------------------------------------
    ui_host: str = "127.0.0.1"
    ui_port: int = Field(default=7860, ge=1, le=65535)
    ui_auth: str = Field(default="", description="user:password to require a login")
    ui_concurrency: int = Field(default=1, ge=1)

    @field_validator("chroma_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^/:]+(:\d+)?/?$", value):
            raise ValueError(f"RAG_CHROMA_URL must look like http://host:port, got {value!r}")
        return value.rstrip("/")

    @field_validator("openai_base_url")
    @classmethod
    def _check_openai_url(cls, value: str) -> str:
        if value and not re.match(r"^https?://[^/\s]+(/\S*)?$", value):
            raise ValueError(f"RAG_OPENAI_BASE_URL must look like http://host:port/v1, got {value!r}")
        return value.rstrip("/")

    @field_validator("ui_auth")
    @classmethod
    def _check_auth(cls, value: str) -> str:
        if value and ":" not in value:
            raise ValueError("RAG_UI_AUTH must be 'user:password'")
        return value

    @property
    def disabled_check_names(self) -> set[str]:
        return {n.strip() for n in self.disabled_checks.split(",") if n.strip()}

    @model_validator(mode="after")
    def _check_overlap(self) -> Settings:
        if self.chunk_overlap_tokens >= self.chunk_tokens:
            raise ValueError("chunk_overlap_tokens must be smaller than chunk_tokens")
        return self

    # --- derived paths -------------------------------------------------------------------
    @property
    def models_dir(self) -> Path:
        return self.cache_dir / "models"

    @property
    def embed_model_path(self) -> str:
        return self.embed_model or str(self.models_dir / "embeddinggemma-300m")

    @property
    def llm_model_path(self) -> Path:
        return Path(self.llm_path) if self.llm_path else self.models_dir / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def web_dir(self) -> Path:
        """Pages fetched by link or feed, saved as .html (each with its .url) and indexed from here."""
        return self.data_dir / "web"

    @property
    def collection_name(self) -> str:
        """Encodes model and chunking so incompatible vectors never share a collection.

        >>> Settings(embed_model="intfloat/multilingual-e5-base").collection_name[:30]
        'articles-multilingual-e5-base-'
        """
        model = Path(self.embed_model_path.rstrip("/")).name or "model"
        model = re.sub(r"[^A-Za-z0-9_-]+", "-", model).strip("-")[:40]
        knobs = f"{self.embed_model_path}|{self.chunk_tokens}|{self.chunk_overlap_tokens}|{self.segment_max_words}"
        digest = hashlib.sha256(knobs.encode()).hexdigest()[:8]
        return f"{self.collection_prefix}-{model}-c{self.chunk_tokens}o{self.chunk_overlap_tokens}-{digest}"
