"""Which article id each ingested file gets, and which new files are the same text as another
(``assign_ids``, ``drop_repeats``): pure functions of the paths, content hashes and what the
store already holds. ``pipeline.py`` reads, hashes and writes; this module only decides names.

Article ids are file stems ("news" for a/news.txt), and two different files never replace each
other: an article already in the store (same resolved path) keeps its id; among new files the
first in sorted path order gets the stem, and any other claimant ``<stem>-<6 hex of sha256 of
its resolved path>`` (reported in ``IngestReport.renamed``). So ids are stable across runs and
do not depend on the order of the paths given. A stem held by an indexed article whose file is
gone is taken over by the new file (a moved file replaces its old entry, as before).

The same text under two names is indexed once: a new file whose content hash (the file's bytes,
plus the cleaning and reader versions) equals that of an indexed article whose file still
exists, or of a file earlier in this run, is skipped as "same text as <id>". The trade-off:
hashing bytes decides before anything is read or parsed and needs no new field in the store,
but the same article saved in another encoding, or with other line endings, is not recognised
and is indexed twice. Files already in the store are never skipped this way (an edited file is
updated as usual).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from rag.store import ArticleState


def path_id(stem: str, resolved: str, taken: Mapping[str, object]) -> str:
    """``<stem>-<first 6 hex of sha256 of the resolved path>``, longer if even that is taken."""
    digest = hashlib.sha256(resolved.encode()).hexdigest()
    n = 6
    while f"{stem}-{digest[:n]}" in taken:
        n += 2
    return f"{stem}-{digest[:n]}"


def assign_ids(paths: list[Path], known: Mapping[str, ArticleState]) -> dict[Path, tuple[str, str | None]]:
    """Each file's article id, and when it is not the file's stem the path of the article that
    has the stem (rules in the module docstring). ``paths`` are distinct files."""
    by_path = {state.path: aid for aid, state in known.items() if state.path}
    holders = {aid: state.path for aid, state in known.items() if state.path and Path(state.path).exists()}
    ids: dict[Path, tuple[str, str | None]] = {}
    new: list[tuple[str, Path]] = []
    for path in paths:
        resolved = str(path.resolve())
        if resolved in by_path:
            ids[path] = (by_path[resolved], None)
            holders[by_path[resolved]] = str(path)
        else:
            new.append((resolved, path))
    for resolved, path in sorted(new, key=lambda item: item[0]):
        if path.stem not in holders:
            ids[path] = (path.stem, None)
        else:
            ids[path] = (path_id(path.stem, resolved, {**known, **holders}), holders[path.stem])
        holders[ids[path][0]] = str(path)
    return ids


def drop_repeats(read: dict[Path, tuple[bytes, str]], known: Mapping[str, ArticleState]
                 ) -> tuple[dict[Path, tuple[bytes, str]], list[tuple[Path, str | Path]]]:
    """(the files to index, [(a new file, the article id or earlier file with the same content
    hash)]). The first holder of a text is an indexed article whose file still exists, then a
    file of this run already in the store, then new files in sorted path order."""
    in_store = {state.path for state in known.values() if state.path}
    in_run = {str(path.resolve()): path for path in read}
    first: dict[str, str | Path] = {}
    for aid, state in known.items():
        if state.complete and state.path not in in_run and state.path and Path(state.path).exists():
            first.setdefault(state.content_hash, aid)
    for _resolved, path in sorted(in_run.items(), key=lambda item: (item[0] not in in_store, item[0])):
        first.setdefault(read[path][1], path)
    repeats = [(path, first[digest]) for path, (_, digest) in read.items()
               if first[digest] != path and str(path.resolve()) not in in_store]
    dropped = {path for path, _ in repeats}
    return {path: value for path, value in read.items() if path not in dropped}, repeats
