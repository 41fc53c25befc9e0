"""The llama-index components with the real models: EmbeddingGemma, Chroma, the embedded Qwen
GGUF, and llama-cpp-python's own OpenAI-compatible server (a real HTTP server on loopback,
started here with the same GGUF) behind the ``openai-like`` backend."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest
from llama_index.core import VectorStoreIndex
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers import get_response_synthesizer

from eval.metrics import satisfies
from rag import RAG, RagError
from rag.text.language import detect_language
from tests.net import free_port

pytestmark = pytest.mark.slow

AR = "ما المطار الذي ساهم جنود أذربيجان في تأمينه؟"
EN = "Which airport did Azerbaijani soldiers help secure?"
ARTICLE = "001_d04a42b9380b6f99"


def assert_cited_source_nodes(rag, response):
    assert response.metadata["answered"], response.metadata["refusal_reason"]
    numbers = {c["number"] for c in response.metadata["citations"]}
    assert numbers and {n.node.metadata["number"] for n in response.source_nodes} == numbers
    for node in response.source_nodes:
        body, meta = rag.article_text(node.node.metadata["article_id"])
        assert node.node.metadata["title"] == meta["title"]
        for start, end in node.node.metadata["segments"]:
            assert body[start:end] in node.node.get_content()
    for c in response.metadata["citations"]:
        body, _ = rag.article_text(c["article_id"])
        assert body[c["start"]:c["end"]] == c["quote"] and f"[{c['number']}]" in response.response


@pytest.mark.parametrize("question, lang", [(AR, "ar"), (EN, "en")])
def test_query_engine_answers_with_verified_citations(seeded_rag, question, lang):
    response = seeded_rag.as_query_engine().query(question)
    assert response.metadata["language"] == lang and detect_language(response.response) == lang
    assert satisfies(response.response, [["كابول", "Kabul"]])
    assert_cited_source_nodes(seeded_rag, response)
    assert {n.node.metadata["article_id"] for n in response.source_nodes} == {ARTICLE}


def test_streaming_query_engine_ends_with_the_verified_answer(seeded_rag):
    response = seeded_rag.as_query_engine(streaming=True).query(AR)
    draft = "".join(response.response_gen)
    assert draft and response.response_txt and response.metadata["answered"]
    assert_cited_source_nodes(seeded_rag, response.get_response())


def test_chat_engine_answers_arabic_follow_up_and_english(seeded_rag):
    chat = seeded_rag.as_chat_engine()
    first = chat.chat("متى انضمت أذربيجان إلى شراكة الناتو من أجل السلام؟")
    assert "1994" in first.response and first.source_nodes
    follow = chat.chat("ومن هو وزير دفاعها؟")
    assert detect_language(follow.response) == "ar"
    assert satisfies(follow.response, [["حسنوف"]]), follow.response
    assert_cited_source_nodes(seeded_rag, follow.sources[0].raw_output)
    assert len(chat.chat_history) == 4
    english_chat = seeded_rag.as_chat_engine()
    english = english_chat.stream_chat(EN)  # the streamed path, with the real model
    draft = "".join(english.response_gen)
    assert draft and detect_language(english.response) == "en"
    assert satisfies(english.response, [["Kabul", "كابول"]])
    assert english.source_nodes and english_chat.chat_history[-1].content == english.response
    assert_cited_source_nodes(seeded_rag, english.sources[0].raw_output.get_response())


def test_our_retriever_and_selector_inside_llama_index_retriever_query_engine(seeded_rag):
    llm = seeded_rag.as_llm("llamacpp")
    engine = RetrieverQueryEngine(seeded_rag.as_retriever(k=5),
                                  get_response_synthesizer(llm=llm, callback_manager=seeded_rag.retriever.callback_manager),
                                  node_postprocessors=[seeded_rag.selector],
                                  callback_manager=seeded_rag.retriever.callback_manager)
    response = engine.query(EN)
    assert "kabul" in response.response.lower() or "كابول" in response.response
    assert response.source_nodes[0].node.metadata["number"] == 1
    assert response.source_nodes[0].node.metadata["article_id"] == ARTICLE


def test_read_only_vector_store_for_vector_store_index(seeded_rag):
    store = seeded_rag.as_vector_store()
    index = VectorStoreIndex.from_vector_store(store, embed_model=seeded_rag.embedder)
    nodes = index.as_retriever(similarity_top_k=3).retrieve(EN)
    assert nodes and nodes[0].node.metadata["article_id"] == ARTICLE
    body, _ = seeded_rag.article_text(ARTICLE)
    meta = nodes[0].node.metadata
    assert body[int(meta["start"]):int(meta["end"])] == nodes[0].node.get_content()
    with pytest.raises(RagError, match="read-only"):
        store.add(nodes)


@pytest.fixture(scope="module")
def llama_cpp_server(seeded_rag):
    """``python -m llama_cpp.server`` with the project's GGUF, on a free loopback port."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "rag.backends.llamacpp_server", "--model",
                             str(seeded_rag.settings.llm_model_path), "--model_alias", "qwen-local",
                             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "4096", "--verbose", "False"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {proc.stderr.read()[-2000:]}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        else:
            pytest.fail("llama_cpp.server did not start within 180 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_openai_like_backend_against_the_real_llama_cpp_server(seeded_rag, llama_cpp_server):
    settings = seeded_rag.settings.model_copy(update={"backend": "openai-like", "openai_base_url": llama_cpp_server,
                                                      "openai_model": "qwen-local"})
    rag = RAG(settings, seeded_rag.store, seeded_rag.embedder)
    for question, lang in ((AR, "ar"), (EN, "en")):
        answer = rag.ask(question)
        assert answer.backend == "openai-like" and answer.model == "qwen-local"
        assert answer.answered and answer.language == lang, answer.refusal_reason
        assert satisfies(answer.text, [["كابول", "Kabul"]])
        for c in answer.citations:
            body, _ = rag.article_text(c.article_id)
            assert body[c.start:c.end] == c.quote
    off_topic = rag.ask("Who won the 2022 FIFA World Cup?")
    assert not off_topic.answered and not off_topic.citations  # the same checks, whichever LLM answers


def test_doctor_probes_the_openai_like_server(seeded_rag, llama_cpp_server):
    from rag.backends.openai_like import probe_openai_like

    settings = seeded_rag.settings.model_copy(update={"openai_base_url": llama_cpp_server})
    assert probe_openai_like(settings.model_copy(update={"openai_model": "qwen-local"}))[0]
    ok, said = probe_openai_like(settings.model_copy(update={"openai_model": "gpt-4o"}))
    assert not ok and "qwen-local" in said and "gpt-4o" in said
