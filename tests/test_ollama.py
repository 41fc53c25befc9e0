"""The Ollama backend end to end: the real `ollama` client against a loopback server that
speaks Ollama's API and generates with the real embedded model."""

from __future__ import annotations

import socket

import pytest

from rag import RAG, BackendError
from rag.backends import BackendFactory, OllamaBackend
from tests.ollama_server import OllamaStub

pytestmark = pytest.mark.slow
MODEL = "qwen2.5-coder:1.5b-test"


@pytest.fixture(scope="module")
def stub(seeded_rag):
    server = OllamaStub(seeded_rag.backends.llamacpp.llm, [MODEL]).start()
    yield server
    server.shutdown()


def rag_with(seeded_rag, **overrides) -> RAG:
    settings = seeded_rag.settings.model_copy(update=overrides)
    return RAG(settings, seeded_rag.store, seeded_rag.embedder)


def test_answer_through_ollama_streams_and_cites(seeded_rag, stub):
    rag = rag_with(seeded_rag, backend="ollama", ollama_host=stub.url, ollama_model=MODEL, ollama_num_ctx=6144)
    events = list(rag.stream("Which airport did Azerbaijani soldiers help secure?"))
    deltas = [e.delta for e in events if e.delta]
    answer = events[-1].answer
    assert len(deltas) > 3, "expected several streamed deltas"
    assert answer.backend == "ollama" and answer.model == MODEL
    assert answer.answered and "kabul" in answer.text.lower()
    assert answer.citations and {c.article_id for c in answer.citations} == {"001_d04a42b9380b6f99"}
    chat = stub.requests[-1]
    assert chat["options"]["num_ctx"] == 6144 and chat["stream"] is True


def test_auto_prefers_ollama_when_it_has_the_model(seeded_rag, stub):
    factory = BackendFactory(seeded_rag.settings.model_copy(update={"backend": "auto", "ollama_host": stub.url,
                                                                     "ollama_model": MODEL}))
    assert factory.get().name == "ollama"
    missing = BackendFactory(seeded_rag.settings.model_copy(update={"backend": "auto", "ollama_host": stub.url,
                                                                     "ollama_model": "llama3:70b"}))
    assert missing.get().name == "llamacpp"
    assert "not pulled" in missing.probe_ollama()[1]


def test_missing_model_says_how_to_pull(seeded_rag, stub):
    backend = OllamaBackend(seeded_rag.settings.model_copy(update={"ollama_host": stub.url, "ollama_model": "qwen2.5:7b-instruct"}))
    with pytest.raises(BackendError, match=r"ollama pull qwen2\.5:7b-instruct"):
        list(backend.stream_chat([{"role": "user", "content": "hi"}], 8, 0.0))


def test_server_down_is_a_clear_error(seeded_rag):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    backend = OllamaBackend(seeded_rag.settings.model_copy(update={"ollama_host": f"http://127.0.0.1:{port}"}))
    with pytest.raises(BackendError, match="not running"):
        list(backend.stream_chat([{"role": "user", "content": "hi"}], 8, 0.0))
    with pytest.raises(BackendError, match="not running"):
        backend.models()


def test_timeout_is_bounded(seeded_rag, stub):
    slow = OllamaStub(seeded_rag.backends.llamacpp.llm, [MODEL], delay=3.0).start()
    try:
        backend = OllamaBackend(seeded_rag.settings.model_copy(update={
            "ollama_host": slow.url, "ollama_model": MODEL, "ollama_timeout": 1.0}))
        with pytest.raises(BackendError, match="did not answer within 1 s"):
            list(backend.stream_chat([{"role": "user", "content": "hi"}], 8, 0.0))
    finally:
        slow.shutdown()
