"""Shared fixtures. Model-backed fixtures are session-scoped: the embedding model and the
GGUF are loaded once per test session, and the seeds are indexed once into a temporary data
directory (never the user's)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import RAG, Settings
from rag.store import ChunkStore
from tests.fakes import FakeEmbedder, ScriptedBackends, ScriptedLLM

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "eval" / "gold.jsonl"


@pytest.fixture
def seeds_copy(tmp_path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    return folder


@pytest.fixture
def fake_rag(tmp_path) -> RAG:
    """Real Chroma (embedded, temp dir), fake embedder, small chunks: fast ingest tests."""
    settings = Settings(data_dir=tmp_path / "data", embed_model="fake-embedder", chunk_tokens=60,
                        chunk_overlap_tokens=10)
    return RAG(settings, ChunkStore(settings), FakeEmbedder())


@pytest.fixture(scope="session")
def gold_rows() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def seeded_rag(tmp_path_factory) -> RAG:
    """The real pipeline: EmbeddingGemma, Chroma, embedded Qwen GGUF, seeds indexed."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("seeded"), backend="llamacpp")
    rag = RAG.from_settings(settings)
    report = rag.ingest([SEEDS])
    assert len(report.added) == 5, report.summary()
    return rag


@pytest.fixture
def make_rag(tmp_path):
    """Real Chroma, fake embedder, a scripted LLM, the seeds indexed: ``make_rag(*replies,
    **settings) -> (rag, llm)``. Relevance, anchor and confidence floors are 0 unless a test sets
    them: the fake embedder picks sources by hashed words, not by meaning, so its cosines (which
    the confidence weighs) say nothing."""
    def build(*replies, **overrides):
        floors = {"min_relevance": 0.0, "min_relevance_cross_script": 0.0, "min_anchor": 0.0,
                  "min_anchor_cross_script": 0.0, "min_confidence": 0.0, **overrides}
        settings = Settings(data_dir=tmp_path / "data", embed_model="fake-embedder", **floors)
        llm = ScriptedLLM(*replies)
        rag = RAG(settings, ChunkStore(settings), FakeEmbedder(), ScriptedBackends(llm))
        rag.ingest([SEEDS])
        return rag, llm
    return build


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """One headless Chromium for the session (Playwright's sync API allows one instance at a time)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()
