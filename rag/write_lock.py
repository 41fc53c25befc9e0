"""One writer at a time for an embedded index: an exclusive ``flock`` on ``<chroma folder>.lock``.

Embedded Chroma keeps its sqlite file open and, when another process holds the database, waits
for it without a bound (measured: a second writer sat for the whole two minutes another
process held the lock). So an ingest takes this lock first, waits a few seconds at most, and
otherwise stops with a message naming the process that holds it, before touching the index.
Threads of one process queue on a ``threading.Lock`` instead (the UI's uploads, the API).

The trade-off: only writers that take the lock are kept out, i.e. this product's own processes
(``python -m app``, ``python -m rag ingest``, ``RAG.ingest``), which is how two writers meet in
practice; another program opening the sqlite file directly is not. A Chroma server
(``RAG_CHROMA_URL``) serialises writes itself and needs no lock file. The lock is released by
the kernel when a process dies, so a SIGKILL never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rag.errors import StoreError


class WriteLock:
    def __init__(self, path: Path, wait_s: float = 5.0):
        self.path, self.wait_s = path, wait_s
        self._threads = threading.Lock()

    @contextmanager
    def hold(self) -> Iterator[None]:
        with self._threads:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a+") as handle:
                deadline = time.monotonic() + self.wait_s
                while True:
                    try:
                        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                        break
                    except BlockingIOError:
                        if time.monotonic() >= deadline:
                            handle.seek(0)
                            holder = handle.read().strip() or "unknown"
                            raise StoreError(
                                f"the index at {self.path.with_suffix('')} is locked by another process (pid "
                                f"{holder}) that is writing to it: wait for it to finish or stop it, then try "
                                "again; to write from several processes at once use a Chroma server "
                                "(RAG_CHROMA_URL)") from None
                        time.sleep(0.1)
                handle.seek(0)
                handle.truncate()
                handle.write(str(os.getpid()))
                handle.flush()
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
