"""The pipeline as llama-index components, with the real Chroma, a fake embedder and a scripted
LLM (fast). The same components answer with the real models in test_llamaindex_real.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.query_engine import RetrieverQueryEngine
from llama_index.core.response_synthesizers import get_response_synthesizer
from llama_index.core.retrievers import BaseRetriever
from llama_index.core.schema import QueryBundle

from rag import Settings
from rag.answer.query_engine import VerifiedStreamingResponse
from rag.backends import BackendLLM
from tests.net import free_port

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
QUESTION = "كم يوما تستغرق زيارة ستولتنبرج إلى باكو؟"
# the private fields behind llama-index's global Settings: None until something sets or reads them
GLOBALS = ("_llm", "_embed_model", "_callback_manager", "_node_parser", "_prompt_helper", "_transformations")


def first_sentence(messages) -> str:
    """The model 'answers' with the first sentence of source [1] of the real user prompt."""
    real = messages[-1]["content"]
    lines = real.splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("[1] "))
    return lines[i + 1].split(".")[0].split("،")[0] + " [1]."


def invented(messages) -> str:
    return "زار ستولتنبرج باكو لمدة 17 يوما برفقة 900 جندي [1]."


def test_components_are_llama_index_types(make_rag):
    rag, _ = make_rag()
    engine = rag.as_query_engine()
    assert isinstance(rag.as_retriever(), BaseRetriever)
    assert isinstance(engine.selector, BaseNodePostprocessor)
    assert isinstance(engine, BaseQueryEngine)


def test_retriever_returns_chunk_nodes_with_offsets_and_embeds_once(make_rag):
    rag, _ = make_rag()
    retriever = rag.as_retriever(k=4)
    nodes = retriever.retrieve(QUESTION)
    assert len(nodes) == 4 and rag.embedder.query_calls == 1
    for n in nodes:
        body, _ = rag.article_text(n.node.metadata["article_id"])
        assert body[n.node.start_char_idx:n.node.end_char_idx] == n.node.get_content()
        assert {"article_id", "title", "date", "dense_score", "bm25_score"} <= set(n.node.metadata)
    assert [p.chunk_id for p in rag.retrieve(QUESTION, 4)] == [n.node.node_id for n in nodes]  # thin wrapper
    bundle = QueryBundle(QUESTION, embedding=rag.embed_query(QUESTION))
    calls = rag.embedder.query_calls
    assert [n.node.node_id for n in retriever.retrieve(bundle)] == [n.node.node_id for n in nodes]
    assert rag.embedder.query_calls == calls  # the bundle's embedding was reused


def test_selector_turns_chunks_into_numbered_sources_or_refuses(make_rag):
    rag, _ = make_rag()
    selector = rag.as_query_engine().selector
    nodes = rag.as_retriever().retrieve(QUESTION)
    sources = selector.postprocess_nodes(nodes, query_str=QUESTION)
    assert [s.node.metadata["number"] for s in sources] == list(range(1, len(sources) + 1))
    for s in sources:
        body, _ = rag.article_text(s.node.metadata["article_id"])
        for start, end in s.node.metadata["segments"]:
            assert body[start:end] in s.node.get_content()
    strict, _ = make_rag(min_relevance=0.99, min_relevance_cross_script=0.99)
    assert strict.as_query_engine().selector.postprocess_nodes(nodes, query_str=QUESTION) == []


def test_query_engine_returns_verified_response_with_cited_source_nodes(make_rag):
    rag, llm = make_rag(first_sentence)
    response = rag.as_query_engine().query(QUESTION)
    meta = response.metadata
    assert meta["answered"] and meta["language"] == "ar" and meta["refusal_reason"] == ""
    assert response.response == meta["answer"].text and "[1]" in response.response
    assert [n.node.metadata["number"] for n in response.source_nodes] == [1]
    cite = meta["citations"][0]
    body, _ = rag.article_text(cite["article_id"])
    assert body[cite["start"]:cite["end"]] == cite["quote"]
    assert {"retrieval", "first_token", "total"} <= set(meta["timings"])


def test_streaming_yields_the_draft_then_holds_the_verified_refusal(make_rag):
    rag, _ = make_rag(invented, invented)
    response = rag.as_query_engine(streaming=True).query(QUESTION)
    assert isinstance(response, VerifiedStreamingResponse) and response.response_txt is None
    draft = "".join(response.response_gen)
    assert "17" in draft  # the raw deltas were the invented draft ...
    assert not response.metadata["answered"] and "17" not in response.response_txt  # ... retracted
    assert response.source_nodes == [] and response.metadata["refused_by"] == "grounding"
    assert str(response) == response.response_txt


def test_our_retriever_inside_llama_index_retriever_query_engine(make_rag):
    rag, llm = make_rag(lambda messages: "ستولتنبرج في باكو.")
    engine = RetrieverQueryEngine.from_args(
        rag.as_retriever(k=3), llm=BackendLLM(llm), node_postprocessors=[rag.as_query_engine().selector],
        response_synthesizer=get_response_synthesizer(llm=BackendLLM(llm), callback_manager=rag.retriever.callback_manager))
    response = engine.query(QUESTION)
    assert response.response == "ستولتنبرج في باكو."
    assert response.source_nodes and all("number" in n.node.metadata for n in response.source_nodes)
    shown = response.source_nodes[0].node.get_content()  # a selected source's sentences, not the question
    assert shown and shown not in QUESTION and any(shown in m["content"] for m in llm.calls[0])


def test_chat_engine_keeps_the_users_language_when_the_rewrite_switches(make_rag):
    rag, llm = make_rag(first_sentence, lambda m: "How many days does the visit last?", first_sentence)
    chat = rag.as_chat_engine()
    first = chat.chat(QUESTION)
    assert first.response and first.source_nodes
    follow = chat.chat("ومتى تنتهي الزيارة؟")
    # the model's English rewrite is not kept: the standalone question is the Arabic pair
    asked = follow.sources[0].raw_input["query"]
    assert "How many" not in asked and "ستولتنبرج" in asked and "تنتهي" in asked
    assert follow.sources[0].raw_output.metadata["language"] == "ar"
    history = chat.chat_history
    assert [m.role.value for m in history] == ["user", "assistant", "user", "assistant"]
    assert history[1].content == first.response  # memory holds the verified text


def test_chat_engine_stream_ends_with_the_verified_answer(make_rag):
    rag, _ = make_rag(invented, invented)
    chat = rag.as_chat_engine()
    stream = chat.stream_chat(QUESTION)
    draft = "".join(stream.response_gen)
    assert "17" in draft and "17" not in stream.response and not stream.source_nodes
    assert chat.chat_history[-1].content == stream.response


GLOBALS_SCRIPT = """
import sys
from llama_index.core import Settings as G
from tests.test_llamaindex_components import GLOBALS, SEEDS, QUESTION, first_sentence
from tests.fakes import FakeEmbedder, ScriptedBackends, ScriptedLLM
from tests.net import free_port
from rag import RAG, Settings
from rag.store import ChunkStore
settings = Settings(data_dir=sys.argv[1], embed_model="fake-embedder", min_relevance=0.0,
                    min_relevance_cross_script=0.0, min_anchor=0.0, min_anchor_cross_script=0.0)
rag = RAG(settings, ChunkStore(settings), FakeEmbedder(), ScriptedBackends(ScriptedLLM(*[first_sentence] * 4)))
rag.ingest([SEEDS])
rag.as_query_engine().query(QUESTION)
rag.as_query_engine(streaming=True).query(QUESTION).get_response()
rag.as_chat_engine().chat(QUESTION)
rag.as_retriever().retrieve(QUESTION)
rag.ask(QUESTION)
print(sorted(name for name in GLOBALS if getattr(G, name) is not None))
"""


def test_llama_index_globals_are_never_set_or_read(tmp_path):
    """In a fresh interpreter (other tests run llama-index's own engines, which read them)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", GLOBALS_SCRIPT, str(tmp_path / "data")], cwd=root,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_openai_like_backend_reports_a_server_that_is_not_running(make_rag, tmp_path):
    from rag import BackendError
    from rag.backends import BackendFactory

    port = free_port()
    settings = Settings(data_dir=tmp_path / "d2", embed_model="fake-embedder", backend="openai-like",
                        openai_base_url=f"http://127.0.0.1:{port}/v1", openai_timeout=5)
    backend = BackendFactory(settings).get()
    with pytest.raises(BackendError, match="openai-like LLM .*failed: .*Connection"):
        list(backend.stream_chat([{"role": "user", "content": "hi"}], 8, 0.0))
    with pytest.raises(BackendError, match="RAG_OPENAI_BASE_URL"):
        BackendFactory(Settings(data_dir=tmp_path / "d3", backend="openai-like")).get()


def test_openai_like_probe_says_what_is_wrong(tmp_path):
    from rag.backends.openai_like import probe_openai_like

    port = free_port()
    ok, said = probe_openai_like(Settings(data_dir=tmp_path, openai_base_url=f"http://127.0.0.1:{port}/v1"))
    assert not ok and f"no OpenAI-compatible server at http://127.0.0.1:{port}/v1" in said
    assert probe_openai_like(Settings(data_dir=tmp_path)) == (False, "RAG_OPENAI_BASE_URL is not set")
