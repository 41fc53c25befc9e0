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
from rag.errors import StoreError
from rag.store import ChunkStore
from tests.fakes import FakeEmbedder
from tests.net import free_port


def start_chroma(path: Path, port: int) -> tuple[subprocess.Popen, str]:
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
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
    return proc, url


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    proc, url = start_chroma(tmp_path_factory.mktemp("chroma-server"), free_port())
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


def test_server_restart_during_use_loses_nothing(seeds_copy, tmp_path):
    """The Chroma server goes away mid-session: requests fail with a clear message meanwhile,
    and resume on the same objects once it is back, with every article still there."""
    port = free_port()
    proc, url = start_chroma(tmp_path / "server", port)
    settings = Settings(data_dir=tmp_path / "data", chroma_url=url, embed_model="fake", chunk_tokens=60,
                        chunk_overlap_tokens=10)
    rag = RAG(settings, ChunkStore(settings), FakeEmbedder())
    rag.ingest([seeds_copy])
    before = rag.store.count(), [p.chunk_id for p in rag.retrieve("ناختشيفان سكة حديد إيران", 3)]
    proc.kill()  # a crash, not a clean shutdown
    proc.wait(10)
    with pytest.raises(StoreError, match="Chroma server .* failed while searching.*nothing is lost"):
        rag.retrieve("ناختشيفان سكة حديد إيران", 3)
    proc, _ = start_chroma(tmp_path / "server", port)
    try:
        assert (rag.store.count(), [p.chunk_id for p in rag.retrieve("ناختشيفان سكة حديد إيران", 3)]) == before
        assert len(rag.ingest([seeds_copy]).unchanged) == 5
        (seeds_copy / "ginger.txt").write_text(GINGER, encoding="utf-8")
        assert rag.ingest([seeds_copy]).added == ["ginger"]
        assert rag.store.count()[0] == 6
    finally:
        proc.terminate()
        proc.wait(10)


WRITER = """
import sys
from pathlib import Path
from rag import RAG, Settings
rag = RAG.from_settings(Settings(data_dir=Path(sys.argv[1]), chroma_url=sys.argv[2]))
print(rag.ingest([Path(sys.argv[3])], prune=False).summary())
"""

GINGER = ("مهرجان الزنجبيل الأول في مدينة جرش\n\n"
          "افتتحت وزارة الزراعة الأردنية يوم الخميس مهرجان الزنجبيل الأول في مدينة جرش، بمشاركة أربعين "
          "مزارعا عرضوا محاصيلهم من الزنجبيل والكركم. وقال منظمو المهرجان إن زراعة الزنجبيل توسعت هذا العام.\n")


@pytest.mark.slow
def test_two_app_processes_on_one_server_see_each_others_articles(chroma_server, tmp_path):
    """Real embedding model in both processes: an article ingested by one process is found by
    dense AND lexical search in the other within a few seconds (its lexical index follows the
    store's generation)."""
    settings = Settings(data_dir=tmp_path / "reader", chroma_url=chroma_server, collection_prefix="twoproc",
                        lexical_check_s=1.0)
    reader = RAG.from_settings(settings)
    assert len(reader.ingest([Path(__file__).resolve().parent.parent / "seeds"]).added) == 5
    question = "أين أقيم مهرجان الزنجبيل الأول؟"
    assert all(p.article_id != "ginger" for p in reader.retrieve(question, 5))
    folder = tmp_path / "new"
    folder.mkdir()
    (folder / "ginger.txt").write_text(GINGER, encoding="utf-8")
    env = {**os.environ, "RAG_COLLECTION_PREFIX": "twoproc"}
    done = subprocess.run([sys.executable, "-c", WRITER, str(tmp_path / "writer"), chroma_server, str(folder)],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0 and "added 1" in done.stdout, done.stderr[-2000:]
    written = time.monotonic()
    while True:
        top = reader.retrieve(question, 5)[0]
        if top.article_id == "ginger" and top.bm25_score and top.dense_score:
            break
        assert time.monotonic() - written < 10, f"not visible to the other process after 10 s: {top}"
        time.sleep(0.2)
    assert reader.retriever.bm25.search("الزنجبيل جرش", 3)[0][0].startswith("ginger:")
