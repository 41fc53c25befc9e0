"""The public-benchmark loader (eval/squad.py) and its span metrics, on small hand-made files and
on the committed ARCD / XQuAD copies."""

import json
from pathlib import Path

import pytest

from eval.gold import GoldError, validate_row
from eval.metrics import evidence_hit, span_scores
from eval.squad import build, load_articles
from rag import Settings

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "eval" / "benchmarks"


def squad_file(path: Path, articles: list[tuple[str, list[tuple[str, str]]]]) -> Path:
    """A SQuAD JSON with one paragraph per article and (question id, answer) pairs."""
    data = []
    for title, qas in articles:
        context = "نص المقالة " + " ".join(a for _, a in qas)
        data.append({"title": title, "paragraphs": [{"context": context, "qas": [
            {"id": qid, "question": f"سؤال {qid}؟", "answers": [{"text": a, "answer_start": 0}]} for qid, a in qas]}]})
    path.write_text(json.dumps({"data": data}, ensure_ascii=False), encoding="utf-8")
    return path


def test_build_samples_leaves_articles_out_and_indexes_distractors(tmp_path):
    arts = [(f"مقالة {i}", [(f"q{i}{j}", f"جواب{i}{j}") for j in range(3)]) for i in range(12)]
    path = squad_file(tmp_path / "set.json", arts)
    full = build(path, sample=None, left_out=4)
    assert len(full.left_out_articles) == 2  # a sixth of the articles are set aside
    assert not set(full.left_out_articles) & set(full.articles)
    unanswerable = [r for r in full.rows if not r["answerable"]]
    assert len(unanswerable) == 4 and all(r["sources"] == [] for r in unanswerable)
    asked = {r["sources"][0] for r in full.rows if r["answerable"]}
    assert asked <= set(full.articles) and len(full.rows) == 10 * 3 + 4
    for row in full.rows:
        assert validate_row(row) == []

    small = build(path, sample=5, left_out=2, distractors=1)
    answerable = [r for r in small.rows if r["answerable"]]
    assert len(answerable) == 5
    assert len(small.articles) == len({r["sources"][0] for r in answerable}) + 1
    again = build(path, sample=5, left_out=2, distractors=1)
    assert [r["id"] for r in again.rows] == [r["id"] for r in small.rows] and again.key() == small.key()
    assert build(path, sample=5, left_out=2, distractors=1, seed=14).key() != small.key()


def test_article_text_keeps_an_arabic_title_and_drops_an_english_slug(tmp_path):
    path = squad_file(tmp_path / "s.json", [("Super_Bowl_50", [("a", "ج")]), ("ابن سينا", [("b", "ج")])])
    english, arabic = load_articles(path)
    assert "Super_Bowl" not in english.text() and arabic.text().startswith("ابن سينا\n\n")
    folder = build(path).write_corpus(tmp_path / "corpus")
    assert sorted(p.name for p in folder.glob("*.txt")) == [f"{english.id}.txt", f"{arabic.id}.txt"]


def test_not_a_squad_file_is_a_clear_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(GoldError, match="not a SQuAD JSON file"):
        build(bad)


def test_committed_xquad_pair_is_parallel():
    s = build(BENCH / "xquad-dev.ar.json", BENCH / "xquad-dev.en.json", sample=30, left_out=5)
    ar = {r["id"][3:]: r for r in s.rows if r["lang"] == "ar"}
    en = {r["id"][3:]: r for r in s.rows if r["lang"] == "en"}
    assert len(ar) == len(en) == 35 and ar.keys() == en.keys()
    some = next(iter(en))
    # English rows are scored against English spans, but their evidence is the Arabic span
    assert en[some]["evidence"] == ar[some]["answers"] and en[some]["answers"] != ar[some]["answers"]
    assert all(not a.text().startswith(a.title) for a in s.articles.values())  # English slugs dropped


def test_span_scores_and_evidence_hit():
    assert span_scores("وُلد في المدينة المنورة [1].", ["المدينة المنورة"], "ar")["recall"] == 1.0
    assert span_scores("Denver Broncos (دنفر برونكوز) [1].", ["Denver Broncos"], "en") == \
        {"f1": 1.0, "recall": 1.0, "exact": 1.0}
    assert span_scores("Carolina Panthers [1]", ["Denver Broncos"], "en")["recall"] == 0.0
    assert span_scores("in 2016 [1]", ["February 7, 2016", "2016"], "en")["recall"] == 1.0  # best of the spans
    assert evidence_hit(["لعب فريق دنفر برونكوز المباراة."], ["دنفر برونكوز"]) == 1.0
    assert evidence_hit(["لعب فريق دنفر المباراة."], ["دنفر برونكوز"]) == 0.0


@pytest.mark.slow
def test_eval_cli_runs_a_public_set_end_to_end_and_caches_its_index(tmp_path):
    """`python -m eval --squad` builds the corpus and index once (cached by corpus hash under the
    cache dir), scores retrieval and evidence hit per question, and a second run re-embeds
    nothing. Real embedding model and Chroma; the sample is small."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "RAG_CACHE_DIR": str(tmp_path / "cache")}
    (tmp_path / "cache").mkdir()
    os.symlink(Settings().models_dir, tmp_path / "cache" / "models")  # the fetched models, not a copy
    args = [sys.executable, "-m", "eval", "--squad", str(BENCH / "xquad-dev.ar.json"), "--squad-parallel",
            str(BENCH / "xquad-dev.en.json"), "--sample", "4", "--left-out", "2", "--articles", "2",
            "--distractors", "1", "--retrieval-only", "--out", str(tmp_path / "report.json")]
    first = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    assert "index: added 3, updated 0, unchanged 0" in first.stdout
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["config"]["articles_indexed"] == 3 and len(report["questions"]) == 12
    assert {q["lang"] for q in report["questions"]} == {"ar", "en"}
    answerable = [q for q in report["questions"] if q["answerable"]]
    assert all("evidence_hit" in q["scores"] and "hit@3" in q["scores"] for q in answerable)
    assert report["summary"]["ar"]["hit@3"] >= 0.75  # four Arabic questions over three articles
    index = Path(report["config"]["index"])
    assert index.is_relative_to(tmp_path / "cache") and len(list((index / "articles").glob("*.txt"))) == 3
    second = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env)
    assert second.returncode == 0 and "index: added 0, updated 0, unchanged 3" in second.stdout  # nothing re-embedded


def test_belebele_arabic_questions_over_the_english_passages():
    """--squad-parallel with --parallel-only: the English passages are indexed (with their English
    titles), only the Arabic questions are asked, scored against the Arabic spans, and their
    evidence is the English span."""
    squad = build(BENCH / "belebele-dev.en.json", BENCH / "belebele-dev.ar.json", sample=5, left_out=2,
                  parallel_only=True)
    assert {r["lang"] for r in squad.rows} == {"ar"} and len(squad.rows) == 7
    row = next(r for r in squad.rows if r["answerable"])
    assert row["id"].startswith("ar-") and any("\u0600" <= ch <= "\u06ff" for ch in row["answers"][0])
    assert not any("\u0600" <= ch <= "\u06ff" for ch in row["evidence"][0])
    article = squad.articles[row["sources"][0]]
    assert article.text().startswith(article.title + "\n\n")  # an English title over English text
    both = build(BENCH / "belebele-dev.ar.json", BENCH / "belebele-dev.en.json", sample=3)
    assert sorted({r["lang"] for r in both.rows}) == ["ar", "en"]
    assert not next(iter(both.articles.values())).text().startswith(next(iter(both.articles.values())).title)
