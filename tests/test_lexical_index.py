"""The persisted lexical index (bm25s): Arabic matching, persistence across restarts, no
per-start rebuild, and staying in step with the store when another RAG object changes it."""

from __future__ import annotations

from rag import RAG
from rag.retrieval.lexical import LexicalIndex
from rag.store import ChunkStore
from tests.fakes import FakeEmbedder


def test_arabic_variants_and_clitics_match_and_scores_are_ordered():
    index = LexicalIndex.build(["a", "b", "c"], ["وزير الخارجية الأذربيجاني جيحون بيراموف",
                                                  "الاتحاد الأوروبي يدعم أذربيجان", "NATO Secretary General"])
    hits = index.search("بيراموف وزير خارجيه اذربيجان", 3)
    assert [doc for doc, _ in hits][:2] == ["a", "b"]
    assert hits[0][1] > hits[1][1] > 0
    assert index.search("كلمة غير موجودة", 3) == [] and index.search("", 3) == []
    assert index.coverage("NATO Secretary") == 1.0 and index.coverage("بروكسل") == 0.0


def test_empty_index_and_numbers_only_chunks():
    assert LexicalIndex.build([], []).search("اي شيء", 5) == []
    assert LexicalIndex.build(["x"], ["و في من"]).search("من", 5) == []  # stopwords only: no terms


def test_save_then_load_gives_the_same_results(tmp_path):
    index = LexicalIndex.build(["a", "b"], ["قمة حلف الناتو في باكو", "اجتماع وزراء الزراعة"], generation="g1")
    index.save(tmp_path / "lex")
    again = LexicalIndex.load(tmp_path / "lex")
    assert again is not None and again.generation == "g1" and again.ids == ["a", "b"]
    assert again.search("الناتو باكو", 2) == index.search("الناتو باكو", 2)
    (tmp_path / "lex" / "state.json").write_text("{broken", encoding="utf-8")
    assert LexicalIndex.load(tmp_path / "lex") is None  # unreadable: rebuilt, never a crash


def test_restart_opens_the_saved_index_without_reading_every_chunk(fake_rag, seeds_copy, monkeypatch):
    fake_rag.ingest([seeds_copy])
    expected = fake_rag.retriever.bm25.search("ستولتنبرغ باكو", 5)
    assert expected

    def no_rebuild(self, batch=5000):
        raise AssertionError("the lexical index was rebuilt at start although the store did not change")

    monkeypatch.setattr(ChunkStore, "iter_chunks", no_rebuild)
    reopened = RAG(fake_rag.settings, ChunkStore(fake_rag.settings), FakeEmbedder())
    assert reopened.retriever.bm25.search("ستولتنبرغ باكو", 5) == expected


def test_a_change_by_another_process_is_picked_up(fake_rag, seeds_copy, tmp_path):
    fake_rag.ingest([seeds_copy])
    settings = fake_rag.settings.model_copy(update={"lexical_check_s": 0.0})
    reader = RAG(settings, ChunkStore(settings), FakeEmbedder())  # a second process on the same store
    assert not reader.retriever.bm25.search("زنجبيل", 5)
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "ginger.txt").write_text("زراعة الزنجبيل في الأردن\n\nبدأ المزارعون زراعة الزنجبيل هذا العام.\n",
                                      encoding="utf-8")
    fake_rag.ingest([extra], prune=False)
    reader.retriever.bm25.current()  # notices the new generation, rebuilds in the background
    reader.retriever.bm25.wait(30)
    hits = reader.retriever.bm25.search("زنجبيل", 5)
    assert hits and hits[0][0].startswith("ginger:")
    passages = reader.retrieve("زراعة الزنجبيل", 3)
    assert passages[0].article_id == "ginger" and passages[0].bm25_score


def test_between_checks_the_previous_index_keeps_answering(fake_rag, seeds_copy):
    fake_rag.ingest([seeds_copy])
    settings = fake_rag.settings.model_copy(update={"lexical_check_s": 3600.0})
    reader = RAG(settings, ChunkStore(settings), FakeEmbedder())
    before = reader.retriever.bm25.search("ستولتنبرغ", 3)
    gone = before[0][0].rsplit(":", 2)[0]
    (seeds_copy / f"{gone}.txt").unlink()
    fake_rag.ingest([seeds_copy])  # another process removes the article
    assert reader.retriever.bm25.search("ستولتنبرغ", 3) == before  # not checked yet: the old index
    # its chunks are gone from the store: retrieval skips them instead of failing
    assert gone not in {p.article_id for p in reader.retrieve("ستولتنبرغ", 5)}
