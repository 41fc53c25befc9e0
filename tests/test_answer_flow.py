"""The answering flow around the model, with a scripted LLM (real Chroma, fake embedder):
echo cleaning and the one retry. The same path runs with the real model in test_answer_real."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import RAG, Settings
from rag.prompts import load
from rag.store import ChunkStore
from tests.fakes import FakeEmbedder, ScriptedBackends, ScriptedLLM

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
QUESTION = "كم يوما تستغرق زيارة ستولتنبرج إلى باكو؟"


def source_lines(messages):
    """(header, first text line) of source [1] in the user prompt."""
    lines = messages[1]["content"].splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("[1] "))
    return lines[i], lines[i + 1]


def echo(messages):
    return "المصادر:\n" + source_lines(messages)[0] + "\n\nالإجابة:\n"


def quote(messages):
    return source_lines(messages)[1] + " [1]"


@pytest.fixture
def make_rag(tmp_path):
    def build(*replies):
        settings = Settings(data_dir=tmp_path / "data", embed_model="fake-embedder", min_relevance=0.0)
        llm = ScriptedLLM(*replies)
        rag = RAG(settings, ChunkStore(settings), FakeEmbedder(), ScriptedBackends(llm))
        rag.ingest([SEEDS])
        return rag, llm
    return build


def test_an_echoed_header_is_retried_once_and_the_retry_answers(make_rag):
    rag, llm = make_rag(echo, quote)
    answer = rag.ask(QUESTION)
    assert len(llm.calls) == 2
    retry = llm.calls[1]
    assert [m["role"] for m in retry] == ["system", "user", "assistant", "user"]
    assert retry[3]["content"] == load("nudge", "ar")
    assert answer.answered and answer.citations
    header = source_lines(llm.calls[0])[0][4:]
    assert header.split(" (")[0] not in answer.text  # the echoed title is not the answer


def test_an_echo_then_not_found_is_refused(make_rag):
    rag, llm = make_rag(echo, lambda m: "NOT_FOUND")
    answer = rag.ask(QUESTION)
    assert len(llm.calls) == 2
    assert not answer.answered and not answer.citations
    assert answer.text == load("refusal", "ar")


def test_a_direct_answer_is_not_retried(make_rag):
    rag, llm = make_rag(quote)
    answer = rag.ask(QUESTION)
    assert len(llm.calls) == 1 and answer.answered
