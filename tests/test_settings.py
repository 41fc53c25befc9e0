import pytest
from pydantic import ValidationError

from rag.settings import Settings


def test_env_overrides(monkeypatch, tmp_path):
    monkeypatch.setenv("RAG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("RAG_TOP_K", "7")
    monkeypatch.setenv("RAG_BACKEND", "ollama")
    s = Settings()
    assert s.data_dir == tmp_path and s.top_k == 7 and s.backend == "ollama"
    assert s.chroma_path == tmp_path / "chroma"


@pytest.mark.parametrize("key, value", [("RAG_TOP_K", "0"), ("RAG_BACKEND", "gpt"), ("RAG_CHROMA_URL", "localhost"),
                                        ("RAG_UI_AUTH", "nopassword"), ("RAG_CHUNK_TOKENS", "abc")])
def test_invalid_values_are_rejected(monkeypatch, key, value):
    monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError):
        Settings()


def test_overlap_must_be_smaller_than_chunk():
    with pytest.raises(ValidationError):
        Settings(chunk_tokens=50, chunk_overlap_tokens=50)


def test_collection_name_encodes_model_and_chunking():
    base = Settings()
    assert Settings().collection_name == base.collection_name
    assert Settings(chunk_tokens=200).collection_name != base.collection_name
    assert Settings(chunk_overlap_tokens=10).collection_name != base.collection_name
    other = Settings(embed_model="intfloat/multilingual-e5-base").collection_name
    assert other != base.collection_name and "multilingual-e5-base" in other
    assert all(ch.isalnum() or ch in "-_." for ch in other) and 3 <= len(other) <= 63


def test_settings_are_immutable():
    with pytest.raises(ValidationError):
        Settings().top_k = 3
