"""What this machine's CPU is, and what was proven to run on it (verdicts kept in the cache folder).

A choice made from CPU flags alone can be wrong on a real machine: the AMX kernels llama.cpp
picks on an Intel Sapphire Rapids VM trap with an illegal instruction there, because the guest
kernel never granted the tile state. So a choice that could crash is proven once, in a child
process, and the verdict is remembered per machine in ``<cache_dir>/machine/<what>-<key>.json``;
later starts read the file and cost nothing.

The key is a hash of what the verdict depends on: the CPU's flags and model name, and a
fingerprint of the code that was run (the llama.cpp libraries, the torch version...). A new
wheel, a new CPU, or the same clone on another machine probes again. The trade-off: a probe
on the first start (seconds), against a crash that no setting could have prevented.

>>> key = verdict_key({"avx2", "fma"}, "Some CPU", "wheel-1")
>>> key == verdict_key({"fma", "avx2"}, "Some CPU", "wheel-1"), key == verdict_key({"avx2"}, "Some CPU", "wheel-1")
(True, False)
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import platform
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)


def cpu_flags() -> set[str]:
    """The CPU's feature flags as the kernel reports them (empty where /proc/cpuinfo is absent)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set(text.split())


def cpu_model() -> str:
    """'Intel(R) Xeon(R) Processor' or 'AMD EPYC 9R14 ...'; the machine type where unknown."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def verdict_key(flags: set[str], model: str, code: str) -> str:
    digest = hashlib.sha256("\n".join([*sorted(flags), model, code]).encode())
    return digest.hexdigest()[:16]


def files_fingerprint(paths: list[Path]) -> str:
    """A content hash of some files (the libraries a verdict was proven on)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode() + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


class VerdictStore:
    """JSON verdicts in one folder, written atomically, with a lock so that two processes starting
    at once (the app and a test's server) probe once: the second waits and reads the first's."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, what: str, key: str) -> Path:
        return self.folder / f"{what}-{key}.json"

    def read(self, what: str, key: str) -> dict | None:
        try:
            return json.loads(self.path(what, key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def write(self, what: str, key: str, verdict: dict) -> None:
        path = self.path(what, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps(verdict, indent=2, ensure_ascii=False), encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:  # a read-only cache: the verdict holds for this process only
            log.warning("cannot remember the %s verdict in %s (%s): the next start probes again", what, path, exc)

    @contextmanager
    def locked(self, what: str) -> Iterator[None]:
        """Hold ``<what>.lock`` (blocking) while probing; no lock if the folder is not writable."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle = (self.folder / f"{what}.lock").open("a+")
        except OSError:
            yield
            return
        with handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
