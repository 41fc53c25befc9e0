"""Uploaded files -> a safe, unique file in ``Settings.uploads_dir``, ready to ingest.

The name a browser sends is untrusted: it may carry directories (``../../x.txt``, ``C:\\x.txt``),
a leading dot, control characters, NUL, characters Windows refuses or a very long name. Only a
cleaned base name is used, and the final path is checked to lie inside the uploads folder.

The trade-off: uploads keep the person's file name (readable in the article list, and the
article id is the name's stem) instead of a random or content-addressed name, at the price of
collisions. A second upload under a name already taken is compared byte for byte: the same
bytes reuse the file (re-ingesting it reports "unchanged"), other bytes are saved next to it as
``<stem>-2<ext>``, ``<stem>-3<ext>`` ... so two different articles called ``article.txt`` are
both kept and indexed under distinct ids; nothing is ever overwritten.
"""

from __future__ import annotations

import filecmp
import logging
import re
import shutil
import unicodedata
from pathlib import Path

from rag.errors import IngestError
from rag.ingest.formats import SUFFIXES
from rag.ingest.plaintext import too_large

log = logging.getLogger(__name__)

MAX_NAME_CHARS = 120  # with the extension; the "-2" counter may add a few
_MAX_NAME_BYTES = 200  # UTF-8 bytes: file systems allow 255, Arabic letters take 2 bytes, emoji 4
_WINDOWS_ILLEGAL = re.compile(r'[<>:"/\\|?*]')
_KEEP_FORMAT = {"\u200c", "\u200d"}  # zero-width (non-)joiners are part of some words' spelling
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_name(original_name: str) -> str:
    r"""The base name of an uploaded file, safe on Linux, macOS and Windows; IngestError if
    nothing usable is left or its type is not an article type.

    >>> safe_name("../../etc/خبر  عاجل.txt"), safe_name("C:\\Users\\x\\.secret.md"), safe_name("a\x00b<1>.txt")
    ('خبر عاجل.txt', 'secret.md', 'ab1.txt')
    """
    name = unicodedata.normalize("NFC", original_name.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(c for c in name if c in _KEEP_FORMAT or not unicodedata.category(c).startswith("C"))
    name = " ".join(_WINDOWS_ILLEGAL.sub("", name).split()).lstrip(". ")
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = stem.rstrip(". ")  # Windows drops trailing dots and spaces
    if not stem:
        raise IngestError(f"the file name {original_name!r} has no usable name left; rename the file")
    suffix = f".{ext}" if dot else ""
    if suffix.lower() not in SUFFIXES:
        raise IngestError(f"unsupported file type {suffix or '(none)'}; only {', '.join(SUFFIXES)} files can be added")
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"_{stem}"
    while len(stem) + len(suffix) > MAX_NAME_CHARS or len((stem + suffix).encode()) > _MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem.rstrip(". ") + suffix


def _inside(path: Path, folder: Path) -> Path:
    resolved, root = path.resolve(), folder.resolve()
    if not resolved.is_relative_to(root) or resolved == root:
        raise IngestError(f"refusing to write {path.name!r} outside the uploads folder")
    return resolved


def save_upload(source: Path, original_name: str, uploads_dir: Path, max_bytes: int) -> Path:
    """Copy an uploaded file into ``uploads_dir`` under a safe name and return the path to
    ingest: an existing file with the same name and bytes is reused; with other bytes the copy
    gets the first free ``<stem>-N<ext>``. IngestError (nothing written) for a bad name, an
    unsupported type or a file over ``max_bytes``."""
    name = safe_name(original_name)
    reason = too_large(source.stat().st_size, max_bytes)
    if reason:
        raise IngestError(reason)
    uploads_dir.mkdir(parents=True, exist_ok=True)
    stem, suffix = name[: len(name) - len(Path(name).suffix)], Path(name).suffix
    for n in range(1, 10_000):
        target = _inside(uploads_dir / (name if n == 1 else f"{stem}-{n}{suffix}"), uploads_dir)
        if target.exists():
            if target.is_file() and filecmp.cmp(source, target, shallow=False):
                log.info("upload %r: same bytes as %s, reused", original_name, target.name)
                return target
            continue
        with source.open("rb") as src:
            try:
                dst = target.open("xb")  # "x": never replace a file, even one written meanwhile
            except FileExistsError:
                continue
            try:
                with dst:
                    shutil.copyfileobj(src, dst)
            except BaseException:
                target.unlink(missing_ok=True)  # no half-copied article left to be ingested later
                raise
        log.info("upload %r saved as %s", original_name, target.name)
        return target
    raise IngestError(f"too many uploads named {name!r}; rename the file")
