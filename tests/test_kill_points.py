"""A real SIGKILL of an ingesting child process at many points of an article's write (see
tests/ingest_child.py); the next start repairs the index to exactly the chunk, segment and
article ids of a clean ingest, and the lexical index matches the chunks."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from rag import RAG, Settings
from rag.store import ChunkStore
from tests.fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parent.parent


def open_rag(data_dir: Path) -> RAG:
    settings = Settings(data_dir=data_dir, embed_model="fake-embedder", chunk_tokens=60, chunk_overlap_tokens=10)
    return RAG(settings, ChunkStore(settings), FakeEmbedder())


def state(rag: RAG) -> tuple:
    store = rag.store
    ids = [sorted(c.get(include=[])["ids"]) for c in (store.chunks, store.segments, store.manifest)]
    return tuple(ids) + (sorted(rag.retriever.bm25.current().ids),)


def kill_child(data_dir: Path, articles: Path, at: int, when: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "tests.ingest_child", str(data_dir), str(articles), str(at), when],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stdout, proc.stderr[-2000:])


@pytest.fixture(scope="module")
def articles(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    for seed in sorted((ROOT / "seeds").glob("*.txt"))[:3]:
        shutil.copy(seed, folder / seed.name)
    return folder


@pytest.fixture(scope="module")
def clean(articles, tmp_path_factory) -> tuple:
    rag = open_rag(tmp_path_factory.mktemp("clean"))
    rag.ingest([articles])
    return state(rag)


# 7 writes per article: 1-3 deletes, 4 chunks, 5 segments, 6 manifest, 7 generation
@pytest.mark.parametrize("at, when", [(1, "after"), (4, "before"), (4, "after"), (5, "after"), (6, "after"),
                                      (7, "before"), (11, "after"), (20, "after"), (21, "before")])
def test_killed_first_ingest_is_repaired_exactly(articles, clean, tmp_path, at, when):
    kill_child(tmp_path, articles, at, when)
    rag = open_rag(tmp_path)
    report = rag.ingest([articles])
    assert not report.skipped, report.summary()
    assert state(rag) == clean
    assert state(open_rag(tmp_path)) == clean  # and a restart opens the same (persisted lexical index included)


@pytest.mark.parametrize("at, when", [(2, "after"), (4, "after"), (6, "before")])
def test_killed_while_replacing_a_changed_article_is_repaired_exactly(articles, tmp_path, tmp_path_factory, at, when):
    folder = tmp_path / "articles"
    shutil.copytree(articles, folder)
    open_rag(tmp_path / "data").ingest([folder])
    first = sorted(folder.glob("*.txt"))[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nفقرة جديدة أضيفت إلى الخبر بعد نشره.", encoding="utf-8")
    kill_child(tmp_path / "data", folder, at, when)  # the changed article is the only write
    rag = open_rag(tmp_path / "data")
    rag.ingest([folder])
    fresh = open_rag(tmp_path_factory.mktemp("fresh"))
    fresh.ingest([folder])
    assert state(rag) == state(fresh)
