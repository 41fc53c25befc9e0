"""A child process for tests/test_kill_points.py: ingest a folder with the fake embedder into a
data directory and SIGKILL itself at the N-th Chroma write (an upsert or delete on any
collection), before or after that write reaches Chroma.

    python -m tests.ingest_child DATA_DIR ARTICLES N before|after

Killing at a counted write, not after a sleep, makes every point reproducible: the 7 writes of
one article are 3 deletes (manifest, chunks, segments), the chunk and segment upserts, the
manifest upsert and the generation bump.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path


def main(data_dir: str, articles: str, kill_at: int, when: str) -> None:
    from chromadb.api.models.Collection import Collection

    from rag import RAG, Settings
    from rag.store import ChunkStore
    from tests.fakes import FakeEmbedder

    calls = 0

    def counted(method):
        def write(self, *args, **kwargs):
            nonlocal calls
            calls += 1
            if calls == kill_at and when == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            result = method(self, *args, **kwargs)
            if calls == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return result
        return write

    Collection.upsert = counted(Collection.upsert)  # type: ignore[method-assign]
    Collection.delete = counted(Collection.delete)  # type: ignore[method-assign]
    settings = Settings(data_dir=Path(data_dir), embed_model="fake-embedder", chunk_tokens=60, chunk_overlap_tokens=10)
    rag = RAG(settings, ChunkStore(settings), FakeEmbedder())
    rag.ingest([Path(articles)])
    print(f"finished after {calls} writes", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4])
