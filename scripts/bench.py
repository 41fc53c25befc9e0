"""``make bench``: ingest, retrieval at 1k/10k/100k chunks, answering and app start-up, as one
table on stdout, ``artifacts/bench.json`` (a contract: the keys are listed in the README) and
``artifacts/bench.png``. Figures, not tests: nothing here passes or fails.

    python scripts/bench.py [--sizes 1000,10000,100000] [--questions 12] [--skip app,answer]

Real: the ARCD articles and questions (../shared/benchmarks, copied to eval/benchmarks), the
models, Chroma, the persisted lexical index. Synthetic: the articles that fill the 10k and 100k
indexes (see scripts/bench_scale.py). Synthetic indexes are cached in
``<cache_dir>/bench/`` by corpus and layout, so a second run skips building them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from eval.cli import select  # noqa: E402
from eval.gold import load_gold  # noqa: E402
from eval.squad import build as squad_build  # noqa: E402
from rag import RAG, Settings  # noqa: E402
from rag.ingest.pipeline import CLEANER_VERSION  # noqa: E402
from rag.text.splitter import split_segments  # noqa: E402

ARCD = ROOT / "eval" / "benchmarks" / "arcd-train.json"
XQUAD_EN = ROOT / "eval" / "benchmarks" / "xquad-dev.en.json"
PY = sys.executable


def bench_ingest(home: Path) -> tuple[dict, Path, list[dict]]:
    """Fresh ingest of the ARCD articles; the raw encode of the same texts; hit@5."""
    squad = squad_build(ARCD)
    corpus = squad.write_corpus(home / "arcd-articles")
    data = home / "arcd-data"
    shutil.rmtree(data, ignore_errors=True)
    rag = RAG.from_settings(Settings(data_dir=data))
    rag.embedder.model.encode(["warm-up"])  # model load is not ingest throughput
    t = time.perf_counter()
    report = rag.ingest([corpus])
    pipeline_s = time.perf_counter() - t
    bodies = {a["article_id"]: rag.article_text(a["article_id"]) for a in rag.articles()}
    words = sum(len(body.split()) for body, _ in bodies.values())
    texts = [rag.embedder.document_text(meta["title"], body[s:e])
             for body, meta in bodies.values() for s, e in split_segments(body, rag.settings.segment_max_words)]
    t = time.perf_counter()
    rag.embedder.model.encode(texts, batch_size=rag.settings.embed_batch_size, normalize_embeddings=True)
    encode_s = time.perf_counter() - t
    rows = [r for r in squad.rows if r["answerable"]]
    hits = 0
    for row in rows:
        seen: list[str] = []
        for p in rag.retrieve(row["question"], rag.settings.top_k):
            if p.article_id not in seen:
                seen.append(p.article_id)
        hits += any(a in seen[:5] for a in row["sources"])
    out = {"articles": len(report.added), "chunks": rag.store.count()[1], "words": words, "pipeline_s": pipeline_s,
           "words_per_s": words / pipeline_s, "encode_words_per_s": words / encode_s,
           "overhead_ratio": pipeline_s / encode_s, "hit_at_5": hits / len(rows), "hit_questions": len(rows)}
    return out, data, rows


def scale_index(home: Path, real: Path, chunks: int) -> Path:
    key = hashlib.sha256(f"{CLEANER_VERSION}|{chunks}|{sorted(p.name for p in real.iterdir())}|v1".encode())
    out = home / f"scale-{chunks}-{key.hexdigest()[:8]}"
    if not (out / "complete").is_file():
        shutil.rmtree(out, ignore_errors=True)
        subprocess.run([PY, "scripts/bench_scale.py", "build", "--real", str(real), "--chunks", str(chunks),
                        "--out", str(out)], check=True, cwd=ROOT)
    return out


def measure_scale(data: Path, questions: Path, answer: bool) -> dict:
    cmd = [PY, "scripts/bench_scale.py", "measure", "--data-dir", str(data), "--questions", str(questions)]
    done = subprocess.run(cmd + (["--answer"] if answer else []), check=True, cwd=ROOT, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def reingest_unchanged(data: Path, arcd_corpus: Path) -> float:
    rag = RAG.from_settings(Settings(data_dir=data))
    t = time.perf_counter()
    report = rag.ingest([arcd_corpus, data / "articles"])
    took = time.perf_counter() - t
    if report.added or report.updated:
        raise SystemExit(f"re-ingest was not unchanged: {report.summary()}")
    return took


def bench_answer(home: Path, n: int) -> tuple[dict, Path]:
    from eval.harness import run

    data = home / "seed-data"
    rag = RAG.from_settings(Settings(data_dir=data))
    rag.ingest([ROOT / "seeds"])
    rag.ask("Who is the foreign minister of Azerbaijan?", backend="llamacpp")  # loads the LLM
    rows = select(load_gold(ROOT / "eval" / "gold.jsonl"), n // 2)
    records = run(rag, rows, rag.settings.top_k, backend="llamacpp")
    answered = [r for r in records if r["answered"]]
    llm = subprocess.run([PY, "scripts/bench_llm.py", "--runs", "2", "--json"], check=True, cwd=ROOT,
                         capture_output=True, text=True)
    speeds = json.loads(llm.stdout.strip().splitlines()[-1])
    return {"questions": len(records), "answered": len(answered),
            "first_token_median_s": statistics.median(r["timings"]["first_token"] for r in answered),
            "total_median_s": statistics.median(r["timings"]["total"] for r in records),
            "prompt_tokens_median": statistics.median(r["prompt_tokens"] for r in answered),
            "llm_prefill_tokens_per_s": speeds["prefill_tokens_per_s"],
            "llm_generate_tokens_per_s": speeds["generate_tokens_per_s"]}, data


def bench_app(data: Path) -> dict:
    from gradio_client import Client

    sys.path.insert(0, str(ROOT / "tests"))
    from net import free_port

    port = free_port()
    env = {**os.environ, "RAG_DATA_DIR": str(data), "RAG_UI_PORT": str(port), "RAG_BACKEND": "llamacpp"}
    t = time.perf_counter()
    proc = subprocess.Popen([PY, "-m", "app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if proc.poll() is not None or time.perf_counter() - t > 300:
                raise SystemExit("the app did not start")
            try:
                client = Client(f"http://127.0.0.1:{port}/", verbose=False)
                break
            except Exception:  # noqa: BLE001 - not listening yet
                time.sleep(0.5)
        up = time.perf_counter() - t
        reply = client.predict("أين انعقد الحوار الأمني الرابع بين الاتحاد الأوروبي وأذربيجان؟", "auto", api_name="/ask")
        return {"cold_start_s": time.perf_counter() - t, "ui_up_s": up, "answered": bool(reply["answered"])}
    finally:
        proc.terminate()
        proc.wait(30)


def bench_kernels(settings: Settings) -> dict:
    """Prompt and generation speed of every llama.cpp CPU variant this CPU supports, each in its
    own child process (the probe of rag/backends/llamacpp_runtime.py: a 656-token prompt, then
    64 tokens). A variant that crashes here is listed with the reason; x64 is left out (no SIMD:
    ~2 prompt tokens/s, minutes per run)."""
    from rag.backends.llamacpp_runtime import PORTABLE, library_folder, probe, score, variant_libraries

    folder = library_folder()
    if folder is None:
        return {"note": "CPU backend linked into the wheel: one variant only"}
    out: dict = {}
    for name, path in variant_libraries(folder).items():
        if name == PORTABLE or score(path) <= 0:
            continue
        trial = probe(path, settings, generate=64)
        out[name] = ({"prefill_tok_s": trial.prefill_tokens_per_s, "generate_tok_s": trial.generate_tokens_per_s,
                      "score": score(path)} if trial.ok else {"rejected": trial.why, "score": score(path)})
        print(f"  {name}: {out[name]}", flush=True)
    return out


def table(result: dict) -> str:
    lines = []
    for section, figures in result.items():
        if not isinstance(figures, dict):
            continue
        cells = ", ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}" for k, v in figures.items())
        lines.append(f"{section:15s} {cells}")
    return "\n".join(lines)


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [k for k in result if k.startswith("retrieval_")]
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    x = range(len(sizes))
    for offset, key in ((-0.2, "search_p50_ms"), (0.2, "search_p95_ms")):
        axes[0].bar([i + offset for i in x], [result[s][key] for s in sizes], width=0.4, label=key)
    axes[0].axhline(30, color="red", linestyle="--", label="target p95 30 ms")
    axes[0].set_xticks(list(x), [s.removeprefix("retrieval_") + " chunks" for s in sizes])
    axes[0].set_ylabel("ms (hybrid search, query embedded)")
    axes[0].legend()
    ing = result.get("ingest", {})
    axes[1].bar(["pipeline", "raw encode"], [ing.get("words_per_s", 0), ing.get("encode_words_per_s", 0)])
    axes[1].set_ylabel("words/s (ARCD ingest)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--questions", type=int, default=12, help="seed gold questions answered (half per language)")
    ap.add_argument("--skip", default="", help="comma list of sections to skip: kernels, ingest, answer, app (a skipped "
                    "section keeps its figures from the existing --out file)")
    ap.add_argument("--out", type=Path, default=ROOT / "artifacts" / "bench.json")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    home = Settings().cache_dir / "bench"
    home.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    old = json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else {}
    from rag.machine import cpu_model

    result: dict = {"machine": {"cpus": os.cpu_count() or 0, "cpu": cpu_model()}}
    if "kernels" in skip and "cpu_kernels" in old:
        result["cpu_kernels"] = old["cpu_kernels"]
    elif "kernels" not in skip:
        print("== llama.cpp CPU variants (each proven in a child process)", flush=True)
        result["cpu_kernels"] = bench_kernels(Settings())
    if "ingest" in skip and (home / "arcd-data").is_dir():
        result["ingest"], arcd_data = old.get("ingest", {}), home / "arcd-data"
        rows = [r for r in squad_build(ARCD).rows if r["answerable"]]
    else:
        print("== ingest (ARCD articles, fresh index)", flush=True)
        result["ingest"], arcd_data, rows = bench_ingest(home)
    questions = home / "questions.json"
    english = [q["question"] for a in json.loads(XQUAD_EN.read_text(encoding="utf-8"))["data"][:3]
               for p in a["paragraphs"][:2] for q in p["qas"][:2]]
    questions.write_text(json.dumps([r["question"] for r in rows[:30]] + english, ensure_ascii=False), encoding="utf-8")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    for n in sizes:
        print(f"== retrieval at {n} chunks", flush=True)
        data = scale_index(home, arcd_data, n)
        name = f"retrieval_{n // 1000}k"
        result[name] = measure_scale(data, questions, answer=n == max(sizes))
        if n == 10_000 and "ingest" not in skip:
            result["ingest"]["reingest_unchanged_s"] = reingest_unchanged(data, home / "arcd-articles")
    for section in ("answer", "app"):
        if section in skip and section in old:
            result[section] = old[section]
    if "answer" not in skip:
        print("== answering (seed gold, embedded llama.cpp)", flush=True)
        result["answer"], seed_data = bench_answer(home, args.questions)
        if "app" not in skip:
            print("== app cold start", flush=True)
            result["app"] = bench_app(seed_data)
    result["machine"]["bench_s"] = time.perf_counter() - started
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    plot(result, args.out.with_suffix(".png"))
    print(table(result))
    print(f"\nwrote {args.out} and {args.out.with_suffix('.png')}")


if __name__ == "__main__":
    main()
