"""Several users at once, with the real models: 8 threads asking 8 questions at once through the Python
API while an article is added, and 8 clients at once through the UI's queue. Every answer must
belong to its own question (its language, and citations only to the articles that question is
about; through the API also the same answer as when asked alone), none may be lost, and the
index must end consistent."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from rag import RAG, Settings
from rag.store import ChunkStore
from rag.text.language import detect_language
from tests.conftest import SEEDS
from tests.test_ui_harness import ui_server  # noqa: F401  (shared session fixture)

pytestmark = pytest.mark.slow

NEW_ARTICLE = """افتتاح جسر النهر الجديد في مدينة الواحة
افتتحت بلدية مدينة الواحة يوم الأحد جسرا جديدا فوق النهر يبلغ طوله 820 مترا.
وقال رئيس البلدية إن الجسر سيخفف الازدحام في وسط المدينة وإن كلفته بلغت 95 مليون دولار.
"""


DISTINCT = 2  # distinct questions per language: every one is asked alone first, then again at once


def questions(gold_rows, n: int) -> list[dict]:
    """n questions cycling through answerable gold questions of both languages, interleaved."""
    ar = [r for r in gold_rows if r["answerable"] and r["lang"] == "ar"][:DISTINCT]
    en = [r for r in gold_rows if r["answerable"] and r["lang"] == "en"][:DISTINCT]
    pool = [row for pair in zip(ar, en) for row in pair]
    return [pool[i % len(pool)] for i in range(n)]


def check(row: dict, question: str, language: str, answered: bool, cited: set[str],
          alone: tuple[bool, set[str]] | None = None) -> str | None:
    """Why this answer cannot be the answer to ``row`` (None when it can). ``alone``: (answered,
    cited articles) when the question was asked with nobody else asking: a crossed stream or
    citation list shows as another question's articles."""
    if question and question != row["question"]:
        return f"answer to another question: {question!r}"
    if language != detect_language(row["question"]):
        return f"answer in {language}"
    if alone is not None and (answered, cited) != alone:
        return f"answered={answered} citing {sorted(cited)}; asked alone: answered={alone[0]} citing {sorted(alone[1])}"
    if alone is None and answered and not cited & set(row["sources"]):
        return f"cites {sorted(cited)}, the question is about {row['sources']}"
    return None


def test_eight_threads_eight_questions_and_an_upload(seeded_rag, gold_rows, tmp_path):
    settings = Settings(data_dir=tmp_path / "data", backend="llamacpp")
    rag = RAG(settings, ChunkStore(settings), seeded_rag.embedder, seeded_rag.backends)  # the loaded models
    rag.ingest([SEEDS])
    rows = questions(gold_rows, 8)  # each distinct question twice
    upload = tmp_path / "bridge.txt"
    upload.write_text(NEW_ARTICLE, encoding="utf-8")

    alone = {}
    for row in rows[:2 * DISTINCT]:  # the distinct questions, one at a time
        answer = rag.ask(row["question"])
        alone[row["question"]] = (answer.answered, {c.article_id for c in answer.citations})

    def ask(i: int):
        row = rows[i]
        if i == 2 * DISTINCT:  # one client adds an article while the others are answering
            report = rag.ingest([upload], prune=False)
            assert report.added == ["bridge"], report.summary()
        answer = rag.ask(row["question"])
        return check(row, answer.question, answer.language, answer.answered,
                     {c.article_id for c in answer.citations}, alone[row["question"]]), answer.answered

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(ask, range(len(rows))))
    problems = [(row["id"], why) for row, (why, _) in zip(rows, results) if why]
    assert not problems, problems
    assert len(results) == 8 and sum(answered for _, answered in results) >= 5  # none lost, most answered
    states = rag.store.articles()
    assert len(states) == 6 and all(s.complete for s in states.values())
    assert sorted(rag.retriever.bm25.current().ids) == sorted(rag.store.chunks.get(include=[])["ids"])
    bridge = rag.ask("كم يبلغ طول جسر النهر الجديد في مدينة الواحة؟")
    assert bridge.answered and "820" in bridge.text and {c.article_id for c in bridge.citations} == {"bridge"}


@pytest.mark.ui
def test_eight_clients_through_the_ui_queue(ui_server, gold_rows):  # noqa: F811
    from gradio_client import Client

    rows = questions(gold_rows, 8)
    local = threading.local()

    def predict(row: dict) -> tuple[str, bool, set[str]]:
        if not hasattr(local, "client"):
            local.client = Client(ui_server, verbose=False)
        result = local.client.predict(row["question"], "auto", api_name="/ask")
        return result["language"], result["answered"], {c["article_id"] for c in result["citations"]}

    def ask(row: dict):  # (the API test above compares with answers given alone; here the queue
        language, answered, cited = predict(row)  # must keep each answer's language and articles)
        return check(row, "", language, answered, cited), answered

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(ask, rows))
    problems = [(row["id"], why) for row, (why, _) in zip(rows, results) if why]
    assert not problems, problems
    assert sum(answered for _, answered in results) >= 5  # none lost, most answered
