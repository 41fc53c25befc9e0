"""Incremental ingest against the real embedded Chroma. The fake embedder keeps these fast;
the same path runs with the real model in test_ingest_real.py and the retrieval tests."""

from __future__ import annotations

from collections import Counter

import pytest

from rag.errors import IngestError


def index_state(rag):
    """(article -> chunk count, segment ids, all chunk ids) as stored in Chroma."""
    ids, _, metas = rag.store.all_chunks()
    per_article = Counter(m["article_id"] for m in metas)
    seg_ids = rag.store.segments.get(include=[])["ids"]
    return dict(per_article), sorted(seg_ids), sorted(ids)


def test_first_ingest_adds_everything(fake_rag, seeds_copy):
    report = fake_rag.ingest([seeds_copy])
    assert sorted(report.added) == sorted(p.stem for p in seeds_copy.glob("*.txt"))
    assert not report.skipped and not report.updated and not report.removed
    per_article, seg_ids, chunk_ids = index_state(fake_rag)
    assert set(per_article) == set(report.added) and all(n > 0 for n in per_article.values())
    assert len(chunk_ids) == len(set(chunk_ids))
    meta = fake_rag.store.all_chunks()[2][0]
    assert {"article_id", "title", "date", "path", "chunk_index", "start", "end"} <= set(meta)


def test_chunk_offsets_point_into_the_cleaned_article(fake_rag, seeds_copy):
    fake_rag.ingest([seeds_copy])
    ids, docs, metas = fake_rag.store.all_chunks()
    for doc, meta in zip(docs, metas):
        body, _ = fake_rag.article_text(meta["article_id"])
        assert body[meta["start"]:meta["end"]] == doc


def test_unchanged_is_not_reembedded(fake_rag, seeds_copy):
    fake_rag.ingest([seeds_copy])
    before = fake_rag.embedder.calls
    state = index_state(fake_rag)
    report = fake_rag.ingest([seeds_copy])
    assert len(report.unchanged) == 5 and not report.added and not report.updated
    assert fake_rag.embedder.calls == before
    assert index_state(fake_rag) == state


def test_changed_article_is_replaced(fake_rag, seeds_copy):
    fake_rag.ingest([seeds_copy])
    path = seeds_copy / "003_d551d2ad5a0e191b.txt"
    path.write_text("عنوان جديد تماما لمقال معدل اليوم\n\nنص جديد قصير عن موضوع مختلف تماما يتحدث عن الزراعة في مصر والمحاصيل الجديدة هذا العام.", encoding="utf-8")
    report = fake_rag.ingest([seeds_copy])
    assert report.updated == ["003_d551d2ad5a0e191b"] and len(report.unchanged) == 4
    _, docs, metas = fake_rag.store.chunks_of("003_d551d2ad5a0e191b")
    assert len(docs) == 1 and "الزراعة" in docs[0] and metas[0]["title"] == "عنوان جديد تماما لمقال معدل اليوم"
    # the lexical index follows the store
    hits = fake_rag.retriever.bm25.search("الزراعة المحاصيل", 3)
    assert hits and hits[0][0].startswith("003_d551d2ad5a0e191b:")
    assert not fake_rag.retriever.bm25.search("تريند", 3)  # old text gone from BM25


def test_deleted_file_is_removed(fake_rag, seeds_copy):
    fake_rag.ingest([seeds_copy])
    (seeds_copy / "000_50e16cd6024442b7.txt").unlink()
    report = fake_rag.ingest([seeds_copy])
    assert report.removed == ["000_50e16cd6024442b7"]
    per_article, seg_ids, _ = index_state(fake_rag)
    assert "000_50e16cd6024442b7" not in per_article
    assert not any(s.startswith("000_") for s in seg_ids)
    assert fake_rag.article_text("000_50e16cd6024442b7") is None
    assert not any(cid.startswith("000_") for cid, _ in fake_rag.retriever.bm25.search("بروكسل", 20))


def test_bad_files_are_reported_and_the_rest_indexed(fake_rag, seeds_copy):
    (seeds_copy / "cyrillic.txt").write_bytes("Новости дня: мост открыт для движения".encode("cp1251"))
    (seeds_copy / "empty.md").write_text("   \n", encoding="utf-8")
    (seeds_copy / "debris_only.txt").write_text("SHARE:\nClose ad\n", encoding="utf-8")
    (seeds_copy / "image.png").write_bytes(b"\x89PNG")
    report = fake_rag.ingest([seeds_copy, seeds_copy / "image.png", seeds_copy / "missing.txt"])
    reasons = {path.split("/")[-1]: reason for path, reason in report.skipped}
    assert "save it as UTF-8" in reasons["cyrillic.txt"]  # single-byte non-Arabic: refused, not guessed
    assert reasons["empty.md"] == "empty file"
    assert "debris" in reasons["debris_only.txt"]
    assert "unsupported" in reasons["image.png"]
    assert "no such file" in reasons["missing.txt"]
    assert len(report.added) == 5


def test_reset_rebuilds(fake_rag, seeds_copy):
    fake_rag.ingest([seeds_copy])
    state = index_state(fake_rag)
    report = fake_rag.ingest([seeds_copy], reset=True)
    assert len(report.added) == 5
    assert index_state(fake_rag) == state


@pytest.mark.parametrize("fail_on", ["chunks", "segments", "manifest"])
def test_crash_midway_is_repaired(fake_rag, seeds_copy, monkeypatch, fail_on):
    """Kill the write of the third article at each step; the next run repairs exactly."""
    clean = fake_rag.ingest([seeds_copy]) and index_state(fake_rag)
    fake_rag.store.reset()
    collection = getattr(fake_rag.store, fail_on)
    real_upsert, calls = collection.upsert, []

    def dying_upsert(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt("killed")
        return real_upsert(*args, **kwargs)

    monkeypatch.setattr(collection, "upsert", dying_upsert)
    with pytest.raises(KeyboardInterrupt):
        fake_rag.ingest([seeds_copy])
    monkeypatch.setattr(collection, "upsert", real_upsert)
    report = fake_rag.ingest([seeds_copy])
    assert len(report.unchanged) == 2 and len(report.added) + len(report.updated) == 3
    assert index_state(fake_rag) == clean


def test_the_same_text_under_two_names_is_indexed_once(fake_rag, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    text = "عنوان خبر عن التعاون بين البلدين اليوم\nنص الخبر الطويل الذي يتحدث عن التعاون بين البلدين في مجالات عديدة مثل الطاقة والنقل."
    (tmp_path / "a" / "same.txt").write_text(text, encoding="utf-8")
    (tmp_path / "b" / "copy.txt").write_text(text, encoding="utf-8")
    report = fake_rag.ingest([tmp_path / "a", tmp_path / "b"])
    assert report.added == ["same"]
    assert report.skipped == [(str(tmp_path / "b" / "copy.txt"), "same text as same")]


def test_nothing_to_ingest_is_an_error(fake_rag, tmp_path):
    with pytest.raises(IngestError):
        fake_rag.ingest([tmp_path], prune=False)


def test_deleting_an_article_removes_its_passages_lexical_entries_and_uploaded_file(fake_rag, seeds_copy):
    from rag.errors import RagError

    fake_rag.ingest([seeds_copy])
    uploads = fake_rag.settings.uploads_dir
    uploads.mkdir(parents=True)
    upload = uploads / "bridge.txt"
    upload.write_text("افتتاح جسر النهر الجديد في مدينة الواحة\n"
                      "افتتحت بلدية مدينة الواحة يوم الأحد جسرا جديدا فوق النهر يبلغ طوله 820 مترا.\n"
                      "وقال رئيس البلدية إن الجسر سيخفف الازدحام في وسط المدينة وإن كلفته بلغت 95 مليون دولار.\n",
                      encoding="utf-8")
    assert fake_rag.ingest([upload], prune=False).added
    articles = {a["path"]: a["article_id"] for a in fake_rag.articles()}
    bridge, seed = articles[str(upload.resolve())], articles[str((seeds_copy / "000_50e16cd6024442b7.txt").resolve())]
    assert any(hit.startswith(bridge + ":") for hit, _ in fake_rag.retriever.bm25.search("جسر الواحة 820", 3))

    assert "uploaded file" in fake_rag.delete_article(bridge)
    assert not upload.exists() and bridge not in {a["article_id"] for a in fake_rag.articles()}
    assert fake_rag.store.chunks_of(bridge)[0] == [] and fake_rag.store.segments_of([bridge]) == []
    assert not any(p.article_id == bridge for p in fake_rag.retrieve("جسر الواحة 820 مترا", 8))
    lexical = {hit for hit, _ in fake_rag.retriever.bm25.search("جسر الواحة 820", 10)}
    assert not any(hit.startswith(bridge + ":") for hit in lexical)

    kept = fake_rag.delete_article(seed)  # indexed from the user's folder: the file is theirs
    assert "is kept" in kept and (seeds_copy / "000_50e16cd6024442b7.txt").exists()
    assert fake_rag.stats()["articles"] == 4
    with pytest.raises(RagError, match="no article with id"):
        fake_rag.delete_article(seed)
