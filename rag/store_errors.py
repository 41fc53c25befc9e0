"""Storage failures as messages a person can act on, and the one recovery for a broken index.

chromadb raises sqlite errors, errors from its Rust core and HTTP errors under many exception
types, and the types change between releases; what stays stable is the text ("database is
locked", "disk is full", "file is not a database"). So ``explain`` decides by the message and
the errno. The trade-off: an unknown failure gets a generic message (what was being done, the
original error, and how to rebuild) rather than a guess. Rebuilding is always possible because
the article files are kept: ``ingest --reset`` moves an unreadable folder aside (``move_aside``,
kept for inspection, never deleted) and indexes the files again.
"""

from __future__ import annotations

import errno
import logging
import shutil
import time
from pathlib import Path

from rag.errors import StoreError

log = logging.getLogger(__name__)

REBUILD = "rebuild it from the article files with `python -m rag ingest --reset <folders>`"
_CORRUPT = ("malformed", "not a database", "file is encrypted", "no such table", "unsupported file format",
            "migration", "corrupt")


LOW_DISK = 32 * 2**20  # a failed write with less free space than this is blamed on the disk


def free_bytes(location: str) -> int | None:
    """Free space where an embedded index lives (None for a server or an unknown path)."""
    if location.startswith("http"):
        return None
    try:
        return shutil.disk_usage(location).free
    except OSError:
        return None


def explain(exc: BaseException, location: str, doing: str, free: int | None = None) -> StoreError:
    """A storage exception as a message a person can act on. chromadb raises sqlite, Rust and
    HTTP errors under many types, so the message text decides, and ``free`` (bytes left on the
    index's disk): on a full disk Chroma says only "Failed to apply logs to the metadata segment".

    >>> str(explain(OSError(28, "No space left on device"), "/data/chroma", "writing news"))[:67]
    'the disk is full: writing news failed (the index is at /data/chroma'
    """
    text = f"{type(exc).__name__}: {exc}"
    lowered = text.lower()
    full = "disk is full" in lowered or "no space left" in lowered or (free is not None and free < LOW_DISK)
    if getattr(exc, "errno", None) == errno.ENOSPC or full:
        return StoreError(f"the disk is full: {doing} failed (the index is at {location}; {text}). Free some "
                          "space, then run the ingest again: articles indexed before are intact and an "
                          "interrupted one is redone")
    if "locked" in lowered or "busy" in lowered:
        return StoreError(f"the index at {location} is locked by another process ({text}): stop the other "
                          "`python -m app` or `python -m rag` using it, or share one index between processes "
                          "through a Chroma server (RAG_CHROMA_URL)")
    if location.startswith("http"):
        return StoreError(f"the Chroma server at {location} failed while {doing} ({text}): check that it is "
                          "running (`chroma run --path ...`); nothing is lost, try again when it is back")
    if any(word in lowered for word in _CORRUPT) or isinstance(exc, OSError):
        return StoreError(f"the index at {location} cannot be read ({text}): {REBUILD}")
    return StoreError(f"the index at {location} failed while {doing} ({text}); if it keeps failing, {REBUILD}")


def move_aside(path: Path) -> Path:
    """Rename a broken index folder (kept, for inspection) so a fresh one can be built."""
    target = path.with_name(f"{path.name}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
    path.rename(target)
    log.warning("moved the unreadable index %s to %s", path, target)
    return target
