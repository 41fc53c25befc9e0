"""Where does the server's memory go? The app in this process, under tracemalloc, driven by
Gradio clients; every ``--every`` requests it prints the RSS, the kernel's view of it
(/proc/self/smaps_rollup: anonymous memory vs mapped files), Python objects alive, and the
code lines whose allocations grew most since the warm-up.

    python scripts/memory_trace.py [--requests 400] [--every 100] [--clients 8] [--llm]

Without ``--llm`` the questions are ones the relevance check refuses before the model (and bad
input), so the run measures the serving layer (Gradio's queue, sessions, our callbacks,
retrieval) in minutes; with ``--llm`` half are gold questions the model answers. A diagnostic,
not a test: figures go to stdout.
"""

from __future__ import annotations

import argparse
import gc
import linecache
import random
import sys
import tempfile
import threading
import time
import tracemalloc
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OFF_TOPIC = ["Who won the 2022 World Cup?", "ما هي عاصمة البرازيل؟", "How do I bake sourdough bread?",
             "من كتب رواية الحرب والسلام؟", "What is the boiling point of mercury?"]


def rollup() -> dict[str, int]:
    """Kilobytes per smaps_rollup field (Rss, Anonymous, Private_Dirty ...)."""
    out = {}
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines()[1:]:
        key, value = line.split(":", 1)
        out[key] = int(value.split()[0])
    return out


def top_growth(before: tracemalloc.Snapshot, after: tracemalloc.Snapshot, n: int = 12) -> list[str]:
    stats = after.compare_to(before, "lineno")
    lines = []
    for stat in stats[:n]:
        frame = stat.traceback[0]
        code = linecache.getline(frame.filename, frame.lineno).strip()[:70]
        lines.append(f"  {stat.size_diff / 1024:+9.0f} KiB {stat.count_diff:+7d} blocks  "
                     f"{Path(frame.filename).name}:{frame.lineno}  {code}")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=400)
    ap.add_argument("--every", type=int, default=100)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--llm", action="store_true", help="half the questions are answered by the model")
    args = ap.parse_args()

    from gradio_client import Client

    from app.server import launch_options, prepare
    from app.ui import build_ui
    from rag import RAG, Settings
    from rag.heap_trim import release_freed_memory
    from scripts.app_process import free_port

    data = Path(tempfile.mkdtemp(prefix="rag-memtrace-"))
    settings = Settings(data_dir=data, ui_port=free_port())
    rag = RAG.from_settings(settings)
    prepare(rag)
    demo = build_ui(rag, settings)
    demo.queue(default_concurrency_limit=settings.ui_concurrency)
    demo.launch(prevent_thread_lock=True, **launch_options(settings))
    url = f"http://127.0.0.1:{settings.ui_port}/"
    gold = [line for line in (ROOT / "eval" / "gold.jsonl").read_text("utf-8").splitlines() if line.strip()]
    import json

    questions = [json.loads(line)["question"] for line in gold]
    rng = random.Random(0)
    local = threading.local()

    def one(i: int) -> None:
        if not hasattr(local, "client"):
            local.client = Client(url, verbose=False)
        question = rng.choice(questions) if args.llm and i % 2 else rng.choice(OFF_TOPIC)
        try:
            local.client.predict(question if i % 10 else "", "auto", api_name="/ask")
        except Exception:  # the empty question is refused with an error on purpose
            pass

    with ThreadPoolExecutor(args.clients) as pool:  # warm-up: every client connects, models are hot
        list(pool.map(one, range(args.clients * 2)))
    gc.collect()
    release_freed_memory()
    tracemalloc.start(12)  # after the imports and the warm-up: tracing them takes minutes, and growth is what counts
    base, started = tracemalloc.take_snapshot(), time.perf_counter()
    first = rollup()
    print(f"after warm-up: Rss {first['Rss'] / 1024:.0f} MB, anonymous {first['Anonymous'] / 1024:.0f} MB, "
          f"{len(gc.get_objects())} objects", flush=True)
    done = 0
    with ThreadPoolExecutor(args.clients) as pool:
        while done < args.requests:
            list(pool.map(one, range(done, done + args.every)))
            done += args.every
            gc.collect()
            release_freed_memory()
            now = rollup()
            traced, _ = tracemalloc.get_traced_memory()
            print(f"\n{done} requests, {time.perf_counter() - started:.0f} s: Rss {now['Rss'] / 1024:.0f} MB "
                  f"({(now['Rss'] - first['Rss']) / 1024:+.1f}), anonymous {(now['Anonymous'] - first['Anonymous']) / 1024:+.1f} MB, "
                  f"Python-traced {traced / 2**20:.0f} MB, {len(gc.get_objects())} objects", flush=True)
            print("\n".join(top_growth(base, tracemalloc.take_snapshot())), flush=True)
    demo.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
