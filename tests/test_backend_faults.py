"""LLM-server faults, for both server backends (Ollama through the official client, any
OpenAI-compatible server through llama-index's OpenAILike), against a real loopback server that
misbehaves on purpose (tests/faulty_llm_server.py): a server that is not running or not
reachable, a missing model, a server that never answers or never stops, and a connection cut
mid-answer. Each case asserts the error type, that the message names the cause and the fix, and
a wall-time bound; the answer-level cases go through ``RAG.stream`` with the real backend
classes (real Chroma, fake embedder, the seeds indexed once per module). Fast: no model loads.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from rag import RAG, BackendError, Settings
from rag.backends import BackendFactory
from rag.backends.base import ChatBackend
from rag.store import ChunkStore
from tests.fakes import FakeEmbedder, ScriptedLLM
from tests.faulty_llm_server import FaultyLLMServer, closed_port_url, quote_source, unaccepted_url

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
QUESTION = "كم يوما تستغرق زيارة ستولتنبرج إلى باكو؟"
KINDS = ("ollama", "openai-like")
MODEL = {"ollama": "tiny:latest", "openai-like": "tiny"}
CAP_S = 8  # a hanging or trickling fake server gives up by itself after this: ending sooner shows the
# client's own timeout or deadline ended the wait (lower bounds show it waited for it; no tight
# upper bounds, which flake on a loaded 2-core machine)
AT_ONCE_S = 5  # a refused connection or an error reply: one attempt, no retry loop with backoff
MESSAGES = [{"role": "user", "content": "hi"}]
FLOORS = {"min_relevance": 0.0, "min_relevance_cross_script": 0.0, "min_anchor": 0.0, "min_anchor_cross_script": 0.0}


def settings_for(kind: str, url: str, tmp: Path, **overrides) -> Settings:
    """Settings pointing ``kind`` at the server root ``url``, with small timeouts."""
    values = {"data_dir": tmp / "data", "embed_model": "fake-embedder", "backend": kind,
              "ollama_host": url, "ollama_model": MODEL["ollama"], "openai_base_url": url + "/v1",
              "openai_model": MODEL["openai-like"], "ollama_connect_timeout": 0.5, "openai_connect_timeout": 0.5,
              "ollama_timeout": 1.0, "openai_timeout": 1.0, "llm_deadline_s": 30.0, **FLOORS, **overrides}
    return Settings(**values)


def backend_for(kind: str, url: str, tmp: Path, **overrides) -> ChatBackend:
    return BackendFactory(settings_for(kind, url, tmp, **overrides)).get(kind)


def fail(call: Callable[[], object]) -> tuple[BackendError, float]:
    """The BackendError ``call`` raises and the seconds it took to raise it."""
    started = time.monotonic()
    with pytest.raises(BackendError) as caught:
        call()
    return caught.value, time.monotonic() - started


def drain(backend: ChatBackend, seen: list[str]) -> None:
    for delta in backend.stream_chat(MESSAGES, 16, 0.0):
        seen.append(delta)


@pytest.fixture(scope="module")
def indexed(tmp_path_factory) -> Path:
    """A data directory with the seeds indexed (fake embedder), shared by the answer-level tests."""
    tmp = tmp_path_factory.mktemp("faults")
    settings = settings_for("ollama", closed_port_url(), tmp)
    report = RAG(settings, ChunkStore(settings), FakeEmbedder()).ingest([SEEDS])
    assert report.added
    return tmp


def rag_for(kind: str, url: str, tmp: Path, factory: type[BackendFactory] = BackendFactory, **overrides) -> RAG:
    settings = settings_for(kind, url, tmp, **overrides)
    return RAG(settings, ChunkStore(settings), FakeEmbedder(), factory(settings))


# --- 1. server not running / not reachable --------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_a_server_that_is_not_running_is_named_with_the_fix(kind, tmp_path):
    url = closed_port_url()
    backend = backend_for(kind, url, tmp_path, ollama_connect_timeout=1.0, openai_connect_timeout=1.0)
    error, took = fail(lambda: list(backend.stream_chat(MESSAGES, 8, 0.0)))
    if kind == "ollama":
        assert f"Ollama is not running at {url}" in str(error) and "ollama serve" in str(error)
    else:
        assert f"Connection to {url}/v1 failed" in str(error) and "Connection refused" in str(error)
        assert "RAG_OPENAI_BASE_URL" in str(error)
    assert took < AT_ONCE_S, f"took {took:.2f} s (retries?)"


@pytest.mark.parametrize("kind", KINDS)
def test_a_server_that_never_accepts_fails_within_the_connect_timeout(kind, tmp_path):
    with unaccepted_url() as url:  # SYNs dropped: only the connect timeout ends the wait
        backend = backend_for(kind, url, tmp_path, ollama_timeout=20.0, openai_timeout=20.0)
        error, took = fail(lambda: list(backend.stream_chat(MESSAGES, 8, 0.0)))
    env = "RAG_OLLAMA_CONNECT_TIMEOUT" if kind == "ollama" else "RAG_OPENAI_CONNECT_TIMEOUT"
    assert "could not connect to" in str(error) and f"within 0.5 s ({env})" in str(error)
    assert 0.5 <= took < CAP_S  # the connect timeout ended it, not the 20 s read timeout


# --- 2. model missing -----------------------------------------------------------------------
def test_ollama_missing_model_says_which_and_how_to_pull_it(tmp_path):
    with FaultyLLMServer("missing_model", models=("qwen2.5:7b-instruct",)) as server:
        backend = backend_for("ollama", server.url, tmp_path)
        error, took = fail(lambda: list(backend.stream_chat(MESSAGES, 8, 0.0)))
    assert "Ollama model 'tiny:latest' is not pulled" in str(error)
    assert "run `ollama pull tiny:latest`" in str(error)
    assert took < AT_ONCE_S


@pytest.mark.parametrize("status", [404, 400])
def test_openai_like_missing_model_says_which_and_what_the_server_serves(status, tmp_path):
    with FaultyLLMServer("missing_model", models=("qwen-local",), status=status) as server:
        backend = backend_for("openai-like", server.url, tmp_path)
        error, took = fail(lambda: list(backend.stream_chat(MESSAGES, 8, 0.0)))
    message = str(error)
    assert f"does not serve the model 'tiny' (RAG_OPENAI_MODEL); it answered {status}" in message
    assert "The model `tiny` does not exist" in message  # the server's own words
    assert "it serves qwen-local: set RAG_OPENAI_MODEL to one of them, or load 'tiny' in the server" in message
    assert took < AT_ONCE_S


# --- 3. very slow servers --------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_a_server_that_never_sends_headers_ends_at_the_read_timeout(kind, tmp_path):
    with FaultyLLMServer("hang_before_headers", cap_s=CAP_S) as server:
        backend = backend_for(kind, server.url, tmp_path, ollama_timeout=1.0, openai_timeout=1.0)
        error, took = fail(lambda: list(backend.stream_chat(MESSAGES, 8, 0.0)))
        assert server.disconnected.wait(2), "the client did not close the connection"
    env = "RAG_OLLAMA_TIMEOUT" if kind == "ollama" else "RAG_OPENAI_TIMEOUT"
    assert f"did not answer within 1 s ({env})" in str(error)
    assert 1.0 <= took < CAP_S


@pytest.mark.parametrize("kind", KINDS)
def test_the_deadline_caps_a_long_read_timeout(kind, tmp_path):
    with FaultyLLMServer("hang_before_headers", cap_s=CAP_S) as server:
        backend = backend_for(kind, server.url, tmp_path, ollama_timeout=60.0, openai_timeout=60.0,
                              llm_deadline_s=1.0)
        error, took = fail(lambda: list(backend.stream_chat(MESSAGES, 8, 0.0)))
    assert "did not answer within 1 s (RAG_LLM_DEADLINE_S)" in str(error)
    assert 1.0 <= took < CAP_S


@pytest.mark.parametrize("kind", KINDS)
def test_a_server_that_trickles_tokens_forever_is_cut_off_at_the_deadline(kind, tmp_path):
    # a token every 0.2 s: the 1 s read timeout never fires, only the 1.5 s deadline can end it
    with FaultyLLMServer("trickle", interval=0.2, cap_s=CAP_S) as server:
        backend = backend_for(kind, server.url, tmp_path, llm_deadline_s=1.5)
        seen: list[str] = []
        error, took = fail(lambda: drain(backend, seen))
        assert server.disconnected.wait(2), "the response was not closed: the server keeps generating"
    assert "did not finish its reply within 1.5 s (RAG_LLM_DEADLINE_S)" in str(error)
    assert server.url in str(error)
    assert seen  # it did stream (the first call in a process spends ~0.5 s importing the client's types)
    assert 1.5 <= took < CAP_S


# --- 4. connection dropped mid-stream --------------------------------------------------------
@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "close-delimited"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_stream_cut_mid_answer_is_an_error(kind, chunked, tmp_path):
    # chunked: the body is visibly incomplete; close-delimited: the client sees a normal end,
    # and only the missing final message ("done": true / finish_reason) tells it apart
    with FaultyLLMServer("drop_mid_stream", chunked=chunked, drop_after=3) as server:
        backend = backend_for(kind, server.url, tmp_path)
        seen: list[str] = []
        error, took = fail(lambda: drain(backend, seen))
    assert "closed the connection mid-answer" in str(error) and server.url in str(error)
    assert "".join(seen) == "Hello from the "  # the three tokens that came
    assert took < AT_ONCE_S


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "close-delimited"])
@pytest.mark.parametrize("kind", KINDS)
def test_rag_never_answers_from_a_half_draft(kind, chunked, indexed):
    with FaultyLLMServer("drop_mid_stream", chunked=chunked) as server:  # cut after the first cited sentence
        rag = rag_for(kind, server.url, indexed)
        events = []
        with pytest.raises(BackendError, match="closed the connection mid-answer"):
            for event in rag.stream(QUESTION):
                events.append(event)
    assert events and all(e.answer is None for e in events), "an Answer was built from the half draft"
    assert "".join(e.delta for e in events if e.delta)  # the user saw the draft, then the error
    assert server.chats == 1  # and no retry was asked of a server that just broke


@pytest.mark.parametrize("kind", KINDS)
def test_a_whole_stream_still_answers(kind, indexed):
    with FaultyLLMServer("ok") as server:
        answer = rag_for(kind, server.url, indexed).ask(QUESTION)
    assert answer.answered and answer.citations and answer.backend == kind
    assert answer.draft.strip() == quote_source(server.requests[-1][1]["messages"])


# --- 5. auto: the embedded model answers when Ollama cannot, never after Ollama started -------
class EmbeddedFake(BackendFactory):
    """The real factory, with a scripted LLM standing in for the embedded GGUF model."""

    def __init__(self, settings: Settings):
        super().__init__(settings)
        self.fake = ScriptedLLM(quote_source)
        self.fake.name = "llamacpp"

    @property
    def llamacpp(self):  # type: ignore[override]
        return self.fake


@pytest.mark.parametrize("fault", ["down", "missing_model", "hang_before_headers"])
def test_auto_answers_with_the_embedded_model_when_ollama_cannot(fault, indexed):
    with FaultyLLMServer(fault if fault != "down" else "ok", models=("other:latest",) if fault == "missing_model"
                         else ("tiny:latest",), cap_s=CAP_S) as server:
        url = closed_port_url() if fault == "down" else server.url
        rag = rag_for("auto", url, indexed, factory=EmbeddedFake)
        started = time.monotonic()
        answer = rag.ask(QUESTION)
        took = time.monotonic() - started
        usable, reason = rag.backends.probe_ollama()
    assert answer.answered and answer.backend == "llamacpp" and len(rag.backends.fake.calls) == 1
    assert not usable and {"down": "not running", "missing_model": "not pulled",
                           "hang_before_headers": "did not list its models within 1 s"}[fault] in reason
    assert server.chats == 0
    assert took < CAP_S  # the probe is bounded by its (1 s) timeouts, not by the server


def test_auto_does_not_switch_when_ollama_fails_mid_answer(indexed):
    with FaultyLLMServer("drop_mid_stream") as server:
        rag = rag_for("auto", server.url, indexed, factory=EmbeddedFake)
        events = []
        with pytest.raises(BackendError, match=r"Ollama at .* closed the connection mid-answer"):
            for event in rag.stream(QUESTION):
                events.append(event)
    assert any(e.delta for e in events) and all(e.answer is None for e in events)
    assert server.chats == 1 and rag.backends.fake.calls == []  # the user saw Ollama's draft: no silent switch
