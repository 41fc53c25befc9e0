"""Incremental ingestion: files (.txt .md .html .htm .pdf .docx) -> cleaned articles ->
segments and chunks -> Chroma.

Work is skipped by content hash (simonw/llm style): an article whose file bytes, cleaning rules
and index layout are unchanged, and whose vectors are complete in the store, is not read
further or re-embedded. Changed articles are replaced whole; articles whose source file is gone
are removed. The embedding model is only loaded when something actually has to be embedded.
Each file type is read to plain text by ``rag.ingest.formats``; from there every file goes
through the same cleaning, splitting and offsets. A file over ``Settings.max_article_mb`` is
skipped by its size, before it is read.

Article ids (file stems, never one file replacing another) and the skipping of the same text
under two names are decided by ``rag.ingest.identity``.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from rag.embedder import SentenceEmbedder
from rag.errors import IngestError
from rag.ingest.clean import clean_article
from rag.ingest.formats import SUFFIXES, Extracted, extract
from rag.ingest.identity import assign_ids, drop_repeats
from rag.ingest.plaintext import MB, too_large
from rag.ingest.vectors import pool_chunks
from rag.ingest.web import source_url
from rag.settings import Settings
from rag.store import ChunkStore, Record
from rag.text.splitter import chunk_segments, split_segments

log = logging.getLogger(__name__)

CLEANER_VERSION = "clean-v3"  # bump when cleaning/splitting/vector rules change: forces re-ingest
SUPPORTED = ", ".join(SUFFIXES)


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    # (path, its article id, path of the article that has the plain stem): added files whose
    # name was taken, so their id is "<stem>-<hash of the path>"
    renamed: list[tuple[str, str, str]] = field(default_factory=list)

    def summary(self) -> str:
        line = (f"added {len(self.added)}, updated {len(self.updated)}, unchanged {len(self.unchanged)}, "
                f"removed {len(self.removed)}, skipped {len(self.skipped)}")
        renamed = "".join(f"\n  {path} indexed as {article_id} ({Path(path).stem} is {holder})"
                          for path, article_id, holder in self.renamed)
        reasons = "".join(f"\n  skipped {path}: {reason}" for path, reason in self.skipped)
        return line + renamed + reasons


@dataclass
class Prepared:
    article_id: str
    path: Path
    content_hash: str
    title: str
    date: str
    body: str
    segments: list[tuple[int, int]]
    chunks: list[tuple[int, int]]
    chunk_segments: list[tuple[int, int]]  # (first, last) segment of each chunk, inclusive
    url: str = ""  # the link it was fetched from (rag/ingest/web.py), "" for a local file


def discover(paths: list[Path], report: IngestReport) -> list[Path]:
    """Expand folders to their article files (SUFFIXES); report paths that cannot be used."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES))
        elif path.is_file() and path.suffix.lower() in SUFFIXES:
            files.append(path)
        elif path.is_file():
            report.skipped.append((str(path), f"unsupported file type {path.suffix or '(none)'}; use {SUPPORTED}"))
        else:
            report.skipped.append((str(path), "no such file or folder"))
    return files


def read_article(path: Path, raw: bytes) -> Extracted:
    """The file's text (a paragraph a line), and title and date if it states them; or
    IngestError with the reason (empty, not UTF-8, a corrupt PDF, a scanned PDF, ...)."""
    if not raw.strip():
        raise IngestError("empty file")
    article = extract(path.suffix, raw)
    if not article.text.strip():
        raise IngestError("empty file")
    return article


class Ingestor:
    def __init__(self, settings: Settings, store: ChunkStore, embedder: SentenceEmbedder):
        self.settings, self.store, self.embedder = settings, store, embedder

    def content_hash(self, raw: bytes, suffix: str = ".txt") -> str:
        """Hash of the file bytes, the cleaning rules, the index layout and, for a file that is
        not plain text, the reader and library that extract it (plain-text hashes unchanged)."""
        reader = SUFFIXES[suffix.lower()].version
        layout = f"{CLEANER_VERSION}|{self.store.name}" + (f"|{reader}" if reader else "")
        return hashlib.sha256(layout.encode() + b"\0" + raw).hexdigest()[:16]

    def prepare(self, article_id: str, path: Path, raw: bytes, content_hash: str) -> Prepared:
        page = read_article(path, raw)
        article = clean_article(page.text, fallback_title=article_id, title=page.title)
        if not article.body.strip():
            raise IngestError("no article text left after removing page debris")
        segments = split_segments(article.body, self.settings.segment_max_words)
        chunks = chunk_segments(article.body, segments, self.embedder.count_tokens,
                                self.settings.chunk_tokens, self.settings.chunk_overlap_tokens)
        date = page.date or article.date or ""  # the file's own date wins over one found in the text
        return Prepared(article_id, path, content_hash, article.title, date, article.body,
                        segments, [(c.start, c.end) for c in chunks],
                        [(c.first_segment, c.last_segment) for c in chunks], source_url(path))

    def run(self, paths: list[Path], reset: bool = False, prune: bool = True) -> IngestReport:
        with self.store.writing():  # one writing process at a time (rag/write_lock.py)
            return self._run(paths, reset, prune)

    def _run(self, paths: list[Path], reset: bool, prune: bool) -> IngestReport:
        report = IngestReport()
        if reset:
            self.store.reset()
        files = discover([Path(p).expanduser() for p in paths], report)
        if not files and not report.skipped and not prune:
            raise IngestError(f"nothing to ingest: no {SUPPORTED} files in " + ", ".join(map(str, paths)))
        known = self.store.articles()
        read = self._read(files, report)
        fresh, repeats = drop_repeats(read, known)
        ids = assign_ids(list(fresh), known)
        for path, first in repeats:  # the same bytes as an indexed article or an earlier file: indexed once
            report.skipped.append((str(path), f"same text as {first if isinstance(first, str) else ids[first][0]}"))
        todo: list[tuple[str, Path, bytes, str]] = []  # (id, path, raw bytes, hash); prepared below
        for path, (raw, digest) in fresh.items():
            article_id = ids[path][0]
            state = known.get(article_id)
            if state and state.complete and state.content_hash == digest and state.path == str(path.resolve()):
                report.unchanged.append(article_id)
            else:
                todo.append((article_id, path, raw, digest))

        prepared: list[Prepared] = []
        for article_id, path, raw, digest in todo:
            try:
                prepared.append(self.prepare(article_id, path, raw, digest))
            except IngestError as exc:
                report.skipped.append((str(path), str(exc)))
        self._write(prepared, known, report)
        added = set(report.added)
        report.renamed = [(str(path), aid, holder) for path, (aid, holder) in ids.items() if holder and aid in added]

        if prune:  # articles whose source file has disappeared, and half-written leftovers
            seen = {aid for aid, _ in ids.values()}
            for article_id, state in known.items():
                if article_id in seen:
                    continue
                if not state.complete or not state.path or not Path(state.path).exists():
                    self.store.delete_article(article_id)
                    if state.complete:
                        report.removed.append(article_id)
        log.info("ingest: %s", report.summary())
        return report

    def _read(self, files: list[Path], report: IngestReport) -> dict[Path, tuple[bytes, str]]:
        """Each distinct file's bytes and content hash; a file over the size limit is skipped
        by its size, never read."""
        limit = int(self.settings.max_article_mb * MB)
        read: dict[Path, tuple[bytes, str]] = {}
        resolved: set[Path] = set()
        for path in files:
            if path.resolve() in resolved:  # given twice (a folder and a file in it)
                continue
            resolved.add(path.resolve())
            try:
                reason = too_large(path.stat().st_size, limit)
                if reason:
                    report.skipped.append((str(path), reason))
                    continue
                raw = path.read_bytes()
            except OSError as exc:
                report.skipped.append((str(path), str(exc)))
                continue
            read[path] = (raw, self.content_hash(raw, path.suffix))
        return read

    def _write(self, prepared: list[Prepared], known: dict, report: IngestReport) -> None:
        """Embed segments only (chunk vectors are pooled from them: rag/ingest/vectors.py), in
        groups of several articles so the model batches similar lengths together; each article
        is stored as soon as its group is embedded, so an interruption loses one group at most."""
        total = sum(len(p.segments) for p in prepared)
        if not total:
            return
        group_size = max(self.settings.embed_batch_size * 8, 64)
        with tqdm(total=total, desc="embedding", unit="segment", disable=None) as bar:
            start = 0
            while start < len(prepared):
                group: list[Prepared] = []
                n = 0
                while start < len(prepared) and (not group or n + len(prepared[start].segments) <= group_size):
                    group.append(prepared[start])
                    n += len(prepared[start].segments)
                    start += 1
                texts = [self.embedder.document_text(a.title, a.body[s:e]) for a in group for s, e in a.segments]
                vectors = self.embedder.embed_documents(texts)
                offset = 0
                for art in group:
                    seg_vecs = vectors[offset : offset + len(art.segments)]
                    offset += len(art.segments)
                    chunk_vecs = pool_chunks(seg_vecs, art.chunk_segments, [e - s for s, e in art.segments])
                    self._store(art, chunk_vecs.tolist(), seg_vecs.tolist())
                    log.info("stored %s (%d chunks, %d segments)", art.article_id, len(art.chunks), len(art.segments))
                    (report.updated if art.article_id in known else report.added).append(art.article_id)
                bar.update(n)

    def _store(self, art: Prepared, chunk_vecs: list, seg_vecs: list) -> None:
        base = {"article_id": art.article_id, "article_hash": art.content_hash}
        path = str(art.path.resolve())
        chunks = [
            Record(f"{art.article_id}:{art.content_hash}:c{i}", art.body[s:e], vec,
                   {**base, "title": art.title, "date": art.date, "path": path, "url": art.url,
                    "chunk_index": i, "start": s, "end": e})
            for i, ((s, e), vec) in enumerate(zip(art.chunks, chunk_vecs))
        ]
        segments = [
            Record(f"{art.article_id}:{art.content_hash}:s{i}", art.body[s:e], vec,
                   {**base, "seg_index": i, "start": s, "end": e})
            for i, ((s, e), vec) in enumerate(zip(art.segments, seg_vecs))
        ]
        manifest = {**base, "content_hash": art.content_hash, "title": art.title, "date": art.date,
                    "path": path, "url": art.url, "n_chunks": len(chunks), "n_segments": len(segments)}
        self.store.write_article(manifest, art.body, chunks, segments)
