"""The eval's reply store (eval/replay.py): a call seen before is replayed, not generated."""

import pytest

from eval.replay import ReplayBackend, ReplayBackends, ReplyStore, key
from rag.settings import Settings
from tests.fakes import ScriptedLLM

ASK = [{"role": "user", "content": "ما عاصمة أذربيجان؟"}]


def test_a_repeated_call_is_replayed_and_a_different_one_generated(tmp_path):
    llm = ScriptedLLM(lambda m: "باكو [1].", lambda m: "NOT_FOUND")
    backend = ReplayBackend(llm, ReplyStore(tmp_path / "r.sqlite"))
    assert "".join(backend.stream_chat(ASK, 64, 0.0)) == "باكو [1]."
    assert "".join(backend.stream_chat(ASK, 64, 0.0)) == "باكو [1]."  # replayed: the script has no reply left for it
    assert backend.last_prompt_tokens == llm.last_prompt_tokens > 0
    assert "".join(backend.stream_chat(ASK, 32, 0.0)) == "NOT_FOUND"  # another max_tokens is another call
    assert len(llm.calls) == 2


def test_replies_survive_a_new_store_on_the_same_file_but_sampling_is_never_replayed(tmp_path):
    path = tmp_path / "r.sqlite"
    "".join(ReplayBackend(ScriptedLLM(lambda m: "Baku [1]."), ReplyStore(path)).stream_chat(ASK, 64, 0.0))
    store = ReplyStore(path)
    assert store.get(key("scripted", ASK, 64, 0.0)) == ("Baku [1].", 3, [])
    llm = ScriptedLLM(lambda m: "Ganja [1].")
    assert "".join(ReplayBackend(llm, store).stream_chat(ASK, 64, 0.7)) == "Ganja [1]."
    assert store.get(key("scripted", ASK, 64, 0.7)) is None


@pytest.mark.slow
def test_the_real_model_reply_is_stored_then_replayed_verbatim(tmp_path):
    """The embedded GGUF behind the replay factory: the first call generates, the second
    returns the same text from the store without generating."""
    factory = ReplayBackends(Settings(data_dir=tmp_path / "data"), tmp_path / "r.sqlite")
    llm = factory.get("llamacpp")
    made: list[float] = []
    first = "".join(llm.stream_chat(ASK, 24, 0.0, logprobs=made))
    assert first.strip() and factory.store.misses == 1 and factory.store.hits == 0
    assert made and all(x <= 0 for x in made)  # one log-probability per generated token
    again: list[float] = []
    assert "".join(llm.stream_chat(ASK, 24, 0.0, logprobs=again)) == first
    assert again == [round(x, 4) for x in made]  # replayed with the reply
    assert factory.store.hits == 1 and llm.last_prompt_tokens > 0
