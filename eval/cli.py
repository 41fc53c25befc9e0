"""``python -m eval``: score the chatbot on a gold file or a public SQuAD-format set, optionally
gate on a baseline.

    python -m eval                                   # seed gold questions over seeds/
    python -m eval --squad eval/benchmarks/arcd-train.json --sample 100 --left-out 20
    python -m eval --squad eval/benchmarks/xquad-dev.ar.json --squad-parallel eval/benchmarks/xquad-dev.en.json

With ``--squad`` the corpus (one article per title) and its index are built once and cached in
``<cache_dir>/eval/<set>-<corpus hash>/`` (see eval/squad.py). ``--pipeline plain`` scores the
pipeline a llama-index user builds from the defaults on the same rows (eval/plain.py), ``both``
runs ours then plain and prints them side by side; floors and the baseline apply to ours only.
Exit codes: 0 ok, 1 a floor is broken or a metric regressed beyond tolerance, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from eval.gold import GoldError, check_gold, corpus_texts, load_gold
from eval.harness import config, run
from eval.replay import ReplayBackends
from eval.report import chart, compare, format_outcomes, format_refusals, format_summary, load_json, summarize, table
from eval.side_by_side import format_side_by_side, side_by_side
from eval.squad import build
from rag import RAG, RagError, Settings
from rag.backends import BackendFactory
from rag.embedder import SentenceEmbedder
from rag.settings import BACKENDS
from rag.store import ChunkStore

HERE = Path(__file__).resolve().parent
Models = tuple[SentenceEmbedder, BackendFactory]  # loaded once, shared by several runs


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m eval", description=__doc__)
    p.add_argument("--gold", type=Path, default=HERE / "gold.jsonl")
    p.add_argument("--pipeline", choices=["ours", "plain", "both"], default="ours",
                   help="ours; plain: llama-index defaults (eval/plain.py); both: ours then plain, side by side. "
                   "--backend, --k, --replay and --retrieval-only apply to ours only")
    p.add_argument("--out", type=Path, default=None, help="write the JSON report (and a PNG chart beside it)")
    p.add_argument("--baseline", type=Path, default=None, help="compare with this earlier report")
    p.add_argument("--floors", type=Path, default=None,
                   help="floors to meet (default eval/floors.json for the seed gold, none for --squad)")
    p.add_argument("--retrieval-only", action="store_true")
    p.add_argument("--backend", choices=list(BACKENDS), default=None)
    p.add_argument("--limit", type=int, default=None, help="first N questions of each language")
    p.add_argument("--k", type=int, default=None, help="passages retrieved per question")
    p.add_argument("--corpus", type=Path, default=Path("seeds"), help="articles the gold file is about")
    p.add_argument("--replay", type=Path, default=None, help="sqlite file of stored model replies: a call "
                   "seen before is replayed, not generated (eval/replay.py; timings then mean nothing)")
    p.add_argument("--kinds", type=Path, default=None, help="score overview/summary/timeline/comparison "
                   "questions (eval/kinds/gold.jsonl) over the seeds and eval/general/articles (eval/kinds.py); "
                   "--limit is then per kind and language, --floors per metric")
    squad = p.add_argument_group("public SQuAD-format sets")
    squad.add_argument("--squad", type=Path, default=None, help="SQuAD JSON: its articles are the corpus, "
                       "its questions the gold rows (instead of --gold/--corpus)")
    squad.add_argument("--squad-parallel", type=Path, default=None,
                       help="the same set in the other language (same question ids): its questions are "
                       "asked over the --squad articles")
    squad.add_argument("--parallel-only", action="store_true", help="ask only the --squad-parallel questions "
                       "(e.g. Arabic questions over BELEBELE's English passages)")
    squad.add_argument("--sample", type=int, default=None, help="answerable questions per language (default all)")
    squad.add_argument("--left-out", type=int, default=0, help="questions asked with their article removed "
                       "from the index (the right reply is a refusal)")
    squad.add_argument("--distractors", type=int, default=None, help="index only the sampled questions' "
                       "articles plus this many others (default: every article)")
    squad.add_argument("--articles", type=int, default=None, help="draw the sample from this many articles "
                       "only (a small index, for CI)")
    squad.add_argument("--seed", type=int, default=13)
    return p.parse_args(argv)


def squad_setup(args: argparse.Namespace, settings: Settings) -> tuple[list[dict], Settings, Path, dict]:
    """Gold rows, settings pointing at the cached index, and the corpus folder of a SQuAD set."""
    if args.parallel_only and not args.squad_parallel:
        raise GoldError("--parallel-only needs --squad-parallel")
    squad = build(args.squad, args.squad_parallel, args.sample, args.left_out, args.distractors, args.seed,
                  args.articles, args.parallel_only)
    home = settings.cache_dir / "eval" / f"{squad.name}-{squad.key()}"
    corpus = squad.write_corpus(home / "articles")
    info = {"squad": str(args.squad), "squad_parallel": str(args.squad_parallel or ""),
            "parallel_only": args.parallel_only, "sample": args.sample,
            "left_out": args.left_out, "distractors": args.distractors, "seed": args.seed, "articles": args.articles,
            "articles_indexed": len(squad.articles), "left_out_articles": squad.left_out_articles,
            "index": str(home)}
    return squad.rows, settings.model_copy(update={"data_dir": home / "data"}), corpus, info


def select(rows: list[dict], limit: int | None) -> list[dict]:
    """At most ``limit`` rows per language: a quarter of them unanswerable (when the file has
    such rows), the rest answerable, each in file order.

    >>> rows = [{"id": f"{l}{i}", "lang": l, "answerable": i < 6} for l in ("ar", "en") for i in range(8)]
    >>> [r["id"] for r in select(rows, 4)]
    ['ar0', 'ar1', 'ar2', 'ar6', 'en0', 'en1', 'en2', 'en6']
    """
    if not limit:
        return rows
    keep: set[str] = set()
    for lang in sorted({r["lang"] for r in rows}):
        mine = [r for r in rows if r["lang"] == lang]
        unanswerable = [r for r in mine if not r["answerable"]][: limit // 4]
        answerable = [r for r in mine if r["answerable"]][: limit - len(unanswerable)]
        keep |= {r["id"] for r in answerable + unanswerable}
    return [r for r in rows if r["id"] in keep]


def print_report(report: dict, title: str | None = None) -> None:
    if title:
        print(f"\n=== {title}: {report['config']['backend']} ===")
    print(table(report["questions"]))
    print()
    print(format_summary(report["summary"]))
    if format_refusals(report["summary"]):
        print("\n" + format_refusals(report["summary"]))
    if format_outcomes(report["summary"]):
        print("\n" + format_outcomes(report["summary"]))


def load_rows(args: argparse.Namespace, settings: Settings) -> tuple[list[dict], Settings, Path, dict]:
    """The questions to run (gold JSONL checked against its corpus, or a sampled SQuAD-format
    set), the settings they run with, the article folder and what the report records of it."""
    extra: dict = {}
    if args.squad:
        rows, settings, corpus, extra = squad_setup(args, settings)
    else:
        rows, corpus = load_gold(args.gold), args.corpus
        if corpus.is_dir():
            problems = check_gold(rows, corpus_texts(corpus))
            if problems:
                raise GoldError("gold file does not match the corpus:\n  " + "\n  ".join(problems))
    if args.pipeline != "ours" and not corpus.is_dir():
        raise GoldError(f"the plain pipeline reads the articles from --corpus: {corpus} is not a folder")
    return select(rows, args.limit), settings, corpus, extra


def run_ours(args: argparse.Namespace, rows: list[dict], settings: Settings, corpus: Path,
             extra: dict, models: Models | None = None) -> tuple[dict, SentenceEmbedder]:
    """This project's pipeline over ``rows`` (generated, or replayed with ``--replay``);
    ``models``: an embedder and backends already loaded (eval/ci.py runs every gate with one)."""
    if models and not args.replay:
        rag = RAG(settings, ChunkStore(settings), *models)
    elif args.replay:
        rag = RAG(settings, ChunkStore(settings), SentenceEmbedder.from_settings(settings),
                  backends=ReplayBackends(settings, args.replay))
        extra = {**extra, "replay": str(args.replay)}
    else:
        rag = RAG.from_settings(settings)
    if corpus.is_dir():
        print(f"index: {rag.ingest([corpus], prune=bool(args.squad)).summary()}", flush=True)
    k = args.k or settings.top_k
    records = run(rag, rows, k, args.retrieval_only, args.backend)
    report = {"config": {**config(rag, args.squad or args.gold, k, args.retrieval_only, args.backend), **extra},
              "summary": summarize(records), "questions": records}
    if isinstance(rag.backends, ReplayBackends):
        store = rag.backends.store
        print(f"replay: {store.hits} replies replayed, {store.misses} generated")
    return report, rag.embedder  # the plain pipeline reuses the loaded embedding model (ours' GGUF is let go)


def run_plain_report(args: argparse.Namespace, rows: list[dict], settings: Settings, corpus: Path, extra: dict,
                     embedder: SentenceEmbedder | None) -> dict:
    """Plain llama-index over the same ``rows`` (eval/plain.py)."""
    from eval.plain import run_plain

    records, plain_config = run_plain(rows, corpus, settings, args.squad or args.gold, embed_model=embedder)
    squad_info = {key: value for key, value in extra.items() if key not in ("replay", "index")}
    return {"config": {**plain_config, **squad_info}, "summary": summarize(records), "questions": records}


def write_reports(reports: dict[str, dict], out: Path | None) -> None:
    """Print each report (and ours against plain when both ran); write the JSON and charts."""
    for name, report in reports.items():
        print_report(report, name if len(reports) > 1 else None)
    table_ = side_by_side(reports["ours"]["summary"], reports["plain"]["summary"]) if len(reports) == 2 else None
    if table_:
        print("\n=== ours vs plain ===\n" + format_side_by_side(table_))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        data = {**reports, "side_by_side": table_} if table_ else next(iter(reports.values()))
        out.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        charts = {name: out.with_suffix(".png" if len(reports) == 1 else f".{name}.png") for name in reports}
        for name, path in charts.items():
            chart(reports[name]["summary"], path)
        print(f"\nreport: {out} (chart: {', '.join(str(p) for p in charts.values())})")


def gate(args: argparse.Namespace, reports: dict[str, dict]) -> int:
    """0 when ours meets its floors and shows no regression against ``--baseline``, else 1."""
    if "ours" not in reports:
        print("\nfloors and baseline not applied to the plain pipeline")
        return 0
    floors_path = args.floors or (None if args.squad else HERE / "floors.json")
    floors = (load_json(floors_path) if floors_path and floors_path.is_file() else None) or {}
    floors = floors.get("retrieval_only" if args.retrieval_only else "full", floors)
    failures, notes = compare(reports["ours"], load_json(args.baseline), floors)
    if notes:
        print("\ncompared with baseline:" if args.baseline else "")
        print("\n".join(f"  {n}" for n in notes))
    if failures:
        print("\nFAILED:\n" + "\n".join(f"  {f}" for f in failures))
        return 1
    print("\nall floors met" + (" and no regression beyond tolerance" if args.baseline else "")
          + (" (ours; not applied to plain)" if "plain" in reports else ""))
    return 0


def main(argv: list[str] | None = None, models: Models | None = None) -> int:
    args = parse(argv)
    logging.basicConfig(level=logging.WARNING)
    if args.pipeline != "ours" and args.retrieval_only:
        print("error: --retrieval-only applies to --pipeline ours only", file=sys.stderr)
        return 2
    reports: dict[str, dict] = {}
    try:
        if args.kinds:
            from eval import kinds

            return kinds.main(args.kinds, args.limit, args.out, args.floors, Settings(), models)
        rows, settings, corpus, extra = load_rows(args, Settings())
        embedder = None
        if args.pipeline in ("ours", "both"):
            reports["ours"], embedder = run_ours(args, rows, settings, corpus, extra, models)
        if args.pipeline in ("plain", "both"):
            reports["plain"] = run_plain_report(args, rows, settings, corpus, extra, embedder)
    except (GoldError, RagError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_reports(reports, args.out)
    return gate(args, reports)
