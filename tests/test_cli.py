"""The CLI as a user runs it: clear one-line errors, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(args, tmp_path, **env):
    full_env = {**os.environ, "RAG_DATA_DIR": str(tmp_path / "data"), **env}
    return subprocess.run([sys.executable, "-m", "rag", *args], cwd=ROOT, capture_output=True, text=True,
                          env=full_env, timeout=600)


def test_invalid_setting_is_a_clear_error(tmp_path):
    proc = run(["doctor"], tmp_path, RAG_TOP_K="zero")
    assert proc.returncode == 2 and "invalid setting" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_gguf_is_a_clear_error(tmp_path):
    proc = run(["ask", "Who is the foreign minister?", "--backend", "llamacpp"], tmp_path,
               RAG_LLM_PATH=str(tmp_path / "nope.gguf"), RAG_EMBED_MODEL="/nonexistent-model")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "error:" in proc.stderr


@pytest.mark.slow
def test_ingest_search_doctor(tmp_path):
    proc = run(["ingest", "seeds"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "added 5" in proc.stdout and "5 articles" in proc.stdout
    again = run(["ingest", "seeds", str(tmp_path / "missing.txt")], tmp_path)
    assert "unchanged 5" in again.stdout and "missing.txt: no such file" in again.stdout
    search = run(["search", "ناختشيفان", "--json", "--k", "3"], tmp_path)
    results = json.loads(search.stdout)
    assert results[0]["article_id"] == "001_d04a42b9380b6f99" and {"dense_score", "bm25_score", "start"} <= set(results[0])
    listed = run(["articles"], tmp_path)
    assert listed.returncode == 0 and listed.stdout.count("\n") == 5 and "004_3bdcf659b4924e5e  2024-03-18" in listed.stdout
    scoped = run(["search", "الناتو", "--json", "--article", "002_d317fe2f636d0e67"], tmp_path)
    assert {r["article_id"] for r in json.loads(scoped.stdout)} == {"002_d317fe2f636d0e67"}
    empty = run(["search", "الناتو", "--since", "2030-01"], tmp_path)
    assert empty.returncode == 2 and "no article is in the scope" in empty.stderr and "Traceback" not in empty.stderr
    export = tmp_path / "overview.md"
    overview = run(["ask", "What are these articles about?", "--article", "001_d04a42b9380b6f99",
                    "--article", "003_d551d2ad5a0e191b", "--export", str(export)], tmp_path)
    assert overview.returncode == 0 and "2 articles in scope:" in overview.stdout, overview.stderr
    markdown = export.read_text(encoding="utf-8")
    assert "## What are these articles about?" in markdown and markdown.count("seeds/00") == 2
    doctor = run(["doctor"], tmp_path, OLLAMA_HOST="http://127.0.0.1:9")
    assert "sha256 verified" in doctor.stdout and "5 articles" in doctor.stdout
    assert "Ollama is not running" in doctor.stdout


@pytest.mark.slow
def test_kill_during_ingest_is_repaired_by_the_next_run(tmp_path):
    """A real SIGKILL of `python -m rag ingest` while it embeds; the next run repairs."""
    import shutil
    import signal

    articles = tmp_path / "articles"  # three seeds: enough to be killed between articles, less to embed
    articles.mkdir()
    for seed in sorted((ROOT / "seeds").glob("*.txt"))[:3]:
        shutil.copy(seed, articles / seed.name)
    env = {**os.environ, "RAG_DATA_DIR": str(tmp_path / "data"), "RAG_EMBED_BATCH_SIZE": "2"}
    proc = subprocess.Popen([sys.executable, "-m", "rag", "-v", "ingest", str(articles)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # Kill as soon as the first of the three articles is stored: the next one is being embedded.
    # (Waiting on the log, not on a clock: a fixed sleep let a fast run finish first.)
    stored = next((line for line in proc.stderr if "stored " in line), None)
    assert stored is not None and proc.poll() is None, "ingest finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    from rag import Settings
    from rag.store import ChunkStore

    killed = ChunkStore(Settings(data_dir=tmp_path / "data")).articles()
    assert 1 <= sum(a.complete for a in killed.values()) < 3  # killed mid-way, not before or after
    repaired = run(["ingest", str(articles)], tmp_path)
    assert repaired.returncode == 0, repaired.stderr
    clean = run(["ingest", str(articles), "--reset"], tmp_path / "clean")

    def ids(data_dir):
        store = ChunkStore(Settings(data_dir=data_dir))
        return (sorted(store.chunks.get(include=[])["ids"]), sorted(store.segments.get(include=[])["ids"]),
                sorted(store.manifest.get(include=[])["ids"]))

    assert clean.returncode == 0
    assert ids(tmp_path / "data") == ids(tmp_path / "clean" / "data")


def test_piped_ask_prints_the_checked_answer_alone(capsys):
    """Piped output gets the checked answer once, never the draft the checks replaced (a
    fake stream stands in for the model; the real path runs in the slow CLI tests)."""
    from rag.answer.types import Answer, StreamEvent
    from rag.cli import _parser, cmd_ask

    final = Answer(question="q", text="Checked answer [1].", answered=False, language="en", answer_language="en")
    final.timings = {"retrieval": 0.1, "first_token": 0.2, "total": 0.3}

    class FakeRAG:
        def stream(self, question, **kwargs):
            yield StreamEvent(delta="Draft that the checks ")
            yield StreamEvent(delta="changed.")
            yield StreamEvent(answer=final)

    cmd_ask(FakeRAG(), _parser().parse_args(["ask", "q"]))
    out = capsys.readouterr().out
    assert "Draft" not in out and "\033[" not in out
    assert out.count("Checked answer [1].") == 1
