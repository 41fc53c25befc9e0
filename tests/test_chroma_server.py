"""The scale-out path: the same store code against a real `chroma run` server on loopback."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from rag import RAG, RagError, Settings
from rag.store import ChunkStore
from tests.fakes import FakeEmbedder
from tests.net import free_port


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.25)
    else:
        proc.kill()
        pytest.fail("chroma server did not start")
    yield url
    proc.terminate()
    proc.wait(10)


def test_ingest_and_retrieve_through_server(chroma_server, seeds_copy, tmp_path):
    settings = Settings(data_dir=tmp_path, chroma_url=chroma_server, embed_model="fake", chunk_tokens=60,
                        chunk_overlap_tokens=10)
    rag = RAG(settings, ChunkStore(settings), FakeEmbedder())
    assert not (tmp_path / "chroma").exists()  # nothing written locally
    report = rag.ingest([seeds_copy])
    assert len(report.added) == 5
    articles, chunks = rag.store.count()
    assert articles == 5 and chunks > 5
    # a second client (another process would do the same) sees the same index, unchanged
    other = RAG(settings, ChunkStore(settings), FakeEmbedder())
    assert len(other.ingest([seeds_copy]).unchanged) == 5
    hits = other.retrieve("ناختشيفان سكة حديد إيران", 3)
    assert hits[0].article_id == "001_d04a42b9380b6f99"
    (seeds_copy / "004_3bdcf659b4924e5e.txt").unlink()
    assert other.ingest([seeds_copy]).removed == ["004_3bdcf659b4924e5e"]
    assert rag.store.count()[0] == 4


def test_unreachable_server_is_a_clear_error(tmp_path):
    settings = Settings(data_dir=tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(RagError, match="cannot reach the Chroma server"):
        ChunkStore(settings)
