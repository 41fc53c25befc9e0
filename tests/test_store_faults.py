"""A broken index says what happened and how to recover, and a failed write leaves it
consistent: a corrupt Chroma folder, one locked by another process, and a full disk (a real
small tmpfs, where this machine lets the tests mount one)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from rag import RAG, Settings
from rag.errors import StoreError
from rag.store import ChunkStore
from tests.fakes import FakeEmbedder

ROOT = Path(__file__).resolve().parent.parent


def settings_for(data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, embed_model="fake-embedder", chunk_tokens=60, chunk_overlap_tokens=10)


def open_rag(data_dir: Path, rebuild: bool = False) -> RAG:
    settings = settings_for(data_dir)
    return RAG(settings, ChunkStore(settings, rebuild=rebuild), FakeEmbedder())


def test_corrupt_index_is_a_clear_error_and_reset_rebuilds_it(seeds_copy, tmp_path):
    open_rag(tmp_path).ingest([seeds_copy])
    database = tmp_path / "chroma" / "chroma.sqlite3"
    database.write_bytes(b"this is not a database" * 1000)
    with pytest.raises(StoreError, match=r"cannot be read .*python -m rag ingest --reset"):
        open_rag(tmp_path)
    rebuilt = open_rag(tmp_path, rebuild=True)  # what `python -m rag ingest --reset` does
    assert len(rebuilt.ingest([seeds_copy], reset=True).added) == 5
    assert [p.name for p in tmp_path.glob("chroma.broken-*")], "the broken folder is kept aside, not deleted"
    assert open_rag(tmp_path).store.count()[0] == 5


def test_index_locked_by_another_process_is_a_clear_error(seeds_copy, tmp_path):
    rag = open_rag(tmp_path)
    rag.ingest([seeds_copy])
    holder = subprocess.Popen(  # another process writing to the same index holds its write lock
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from rag.write_lock import WriteLock\n"
         "with WriteLock(Path(sys.argv[1])).hold():\n    print('locked', flush=True); time.sleep(120)",
         str(tmp_path / "chroma.lock")], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        (seeds_copy / "new.txt").write_text("خبر جديد عن افتتاح مكتبة عامة في المدينة\nافتتحت البلدية مكتبة "
                                            "عامة جديدة تضم عشرين ألف كتاب في وسط المدينة.", encoding="utf-8")
        started = time.monotonic()
        with pytest.raises(StoreError, match=f"locked by another process \\(pid {holder.pid}\\)"):
            rag.ingest([seeds_copy])
        assert time.monotonic() - started < 30  # a bounded wait, not Chroma's unbounded one
        assert rag.store.count()[0] == 5
    finally:
        holder.kill()
        holder.wait()
    report = rag.ingest([seeds_copy])  # the holder is gone (a killed holder frees the lock): the same ingest works
    assert report.added == ["new"] and len(report.unchanged) == 5


@contextlib.contextmanager
def small_disk(path: Path, size: str = "64m"):
    path.mkdir(parents=True, exist_ok=True)
    mounted = os.geteuid() == 0 and shutil.which("mount") and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True).returncode == 0
    if not mounted:
        pytest.skip("cannot mount a small tmpfs here (needs root and mount permission)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def fill(disk: Path, leave_bytes: int) -> Path:
    """Fill the disk but ``leave_bytes``."""
    filler = disk / f"filler-{uuid.uuid4().hex}"
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    with filler.open("wb") as handle:
        handle.truncate(0)
        remaining = max(0, free - leave_bytes)
        block = b"\0" * (1 << 20)
        while remaining > 0:
            handle.write(block[: min(len(block), remaining)])
            remaining -= len(block)
    return filler


def test_disk_full_while_ingesting_keeps_the_index_consistent(seeds_copy, tmp_path):
    with small_disk(tmp_path / "disk") as disk:
        rag = open_rag(disk)
        first = sorted(seeds_copy.glob("*.txt"))
        rag.ingest(first[:1])
        filler = fill(disk, leave_bytes=64 * 1024)
        failing = open_rag(disk)  # a long-running process (the UI) that meets the full disk
        with pytest.raises(StoreError, match="the disk is full: writing .*run the ingest again"):
            failing.ingest([seeds_copy], prune=False)
        filler.unlink()
        assert failing.retrieve("ستولتنبرج باكو")  # once there is space, answering goes on without a restart
        states = open_rag(disk).store.articles()  # a new client in this process opens (chromadb hung here)
        assert states[first[0].stem].complete  # what was indexed before is intact
        reopened = failing  # the same process writes again once there is space, and repairs
        report = reopened.ingest([seeds_copy])
        assert report.unchanged == [first[0].stem] and len(report.added) + len(report.updated) == 4
        clean = open_rag(tmp_path / "clean")
        clean.ingest([seeds_copy])
        ids = [sorted(c.get(include=[])["ids"]) for c in (reopened.store.chunks, reopened.store.segments)]
        assert ids == [sorted(c.get(include=[])["ids"]) for c in (clean.store.chunks, clean.store.segments)]
        assert sorted(reopened.retriever.bm25.current().ids) == ids[0]
