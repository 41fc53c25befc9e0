"""``python -m rag``: fetch-models, ingest, search, ask, doctor.

Every command builds one Settings object (env ``RAG_*``) and one RAG pipeline; user errors
(bad path, missing model, Ollama down) print one line and exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from pathlib import Path

from pydantic import ValidationError

from rag.errors import RagError
from rag.ingest.formats import SUFFIXES
from rag.settings import BACKENDS, Settings

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m rag", description="Bilingual news QA over local articles.")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch-models", help="download, assemble and verify the offline models")
    ing = sub.add_parser("ingest", help=f"index articles ({' '.join(SUFFIXES)}; files or folders)")
    ing.add_argument("paths", nargs="*", default=["seeds"], help="files, folders, or http(s) links to a news page or an RSS/Atom feed (default: seeds)")
    ing.add_argument("--reset", action="store_true", help="drop the index first and re-read every file (an unreadable index folder is moved aside)")
    rm = sub.add_parser("delete", help="remove articles from the index (see `ingest` output or the UI for ids)")
    rm.add_argument("ids", nargs="+", help="article ids")
    se = sub.add_parser("search", help="hybrid retrieval only")
    se.add_argument("question")
    se.add_argument("--k", type=int, default=None)
    se.add_argument("--json", action="store_true")
    se.add_argument("--by-article", action="store_true", help="group results by article")
    ask = sub.add_parser("ask", help="answer a question with citations")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--backend", choices=list(BACKENDS), default=None)
    ask.add_argument("--language", choices=["auto", "ar", "en"], default=None)
    ask.add_argument("--k", type=int, default=None)
    ask.add_argument("--export", metavar="FILE.md", default=None,
                     help="also write the question, answer and sources to this Markdown file")
    for cmd in (se, ask):
        _scope_flags(cmd)
    sub.add_parser("articles", help="list the indexed articles (ids, dates, titles, links)")
    sub.add_parser("doctor", help="report settings, models, Ollama and the index")
    return p


def _scope_flags(cmd: argparse.ArgumentParser) -> None:
    group = cmd.add_argument_group("scope", "read and cite only these articles (see `python -m rag articles`)")
    group.add_argument("--article", action="append", default=None, metavar="ID", help="an article id (repeatable)")
    group.add_argument("--since", default=None, metavar="DATE", help="published on or after (2024-05-31, 2024-05, 2024)")
    group.add_argument("--until", default=None, metavar="DATE", help="published on or before")


def cmd_articles(rag) -> None:
    for a in rag.articles():
        link = f"  {a['url']}" if a.get("url") else ""
        print(f"{a['article_id']}  {a['date'] or '(no date)':10}  {a['title']}{link}")


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def cmd_search(rag, args) -> None:
    from rag.retrieval.hybrid import group_by_article

    passages = rag.retrieve(args.question, args.k, scope=rag.scope(args.article, args.since, args.until))
    if args.json:
        _print_json([p.to_dict() for p in passages])
        return
    if args.by_article:
        for hit in group_by_article(passages):
            print(f"{hit.score:.4f}  {hit.article_id}  {hit.title}  ({len(hit.passages)} passages)")
        return
    for rank, p in enumerate(passages, 1):
        dense = f"{p.dense_score:.3f}" if p.dense_score is not None else "-"
        bm25 = f"{p.bm25_score:.2f}" if p.bm25_score is not None else "-"
        print(f"{rank}. {p.article_id} [{p.start}:{p.end}] rrf={p.score:.4f} dense={dense} bm25={bm25}")
        print(f"   {p.title}")
        print(f"   {p.text[:200].replace(chr(10), ' ')}")


def erase_lines(text: str, columns: int) -> str:
    """The terminal codes that wipe ``text`` just printed (from the start of its first line),
    counting the rows its lines wrap to.

    >>> erase_lines("abc", 80) == "\\r\\033[K"
    True
    >>> erase_lines("a" * 100 + "\\nb", 80).count("\\033[F")
    2
    """
    rows = sum(max(1, -(-len(line) // columns)) for line in text.split("\n"))
    return "\r\033[K" + "\033[F\033[K" * (rows - 1)


def cmd_ask(rag, args) -> None:
    """Stream the draft to a terminal, then replace it by the checked answer. Piped output (or
    ``--json``) gets the checked answer alone: a draft the checks change must not reach a file."""
    live = sys.stdout.isatty() and not args.json
    answer, shown = None, ""
    for event in rag.stream(args.question, backend=args.backend, language=args.language, k=args.k,
                            articles=args.article, since=args.since, until=args.until):
        if event.delta and live:
            print(event.delta, end="", flush=True)
            shown += event.delta
        if event.answer:
            answer = event.answer
    if answer is None:
        raise RagError("the answer path ended without an answer")
    if args.export:
        try:
            Path(args.export).write_text(rag.export_markdown([answer]), encoding="utf-8")
        except OSError as exc:
            raise RagError(f"cannot write {args.export}: {exc.strerror or exc}") from None
    if args.json:
        _print_json(answer.to_dict())
        return
    if shown:
        print(erase_lines(shown, shutil.get_terminal_size().columns), end="")
    print(answer.text)
    if answer.answered:
        print("\nSources:")
        for c in answer.citations:
            link = f"\n      {c.url}" if c.url else ""
            print(f"  [{c.number}] {c.title} ({c.article_id}, chars {c.start}-{c.end}){link}\n      “{c.quote}”")
    t = answer.timings
    print(f"\n({answer.backend} {answer.model}; retrieval {t['retrieval']:.2f}s, first token "
          f"{t['first_token']:.2f}s, total {t['total']:.2f}s, prompt {answer.prompt_tokens} tokens, "
          f"{answer.question_tokens} of them for this question)")


def _doctor_machine(settings: Settings) -> int:
    """Which llama.cpp CPU kernels run here and why; which embedding dtype. Returns problems found."""
    from rag.backends.llamacpp_runtime import choose
    from rag.embed_dtype import pick_dtype, remembered
    from rag.machine import cpu_flags, cpu_model

    print(f"cpu: {cpu_model()}")
    try:
        print("llama.cpp CPU kernels: " + choose(settings).describe())
    except RagError as exc:
        print(f"llama.cpp CPU kernels: PROBLEM: {exc}")
        return 1
    wanted = pick_dtype(settings.embed_dtype, cpu_flags())
    if settings.embed_dtype == "auto" and wanted == "bfloat16":
        known = remembered(settings.embed_model_path, settings.cache_dir)
        said = ("not checked on this machine yet (checked at the first embedding)" if known is None else
                f"bfloat16 (scores within {known.get('gap')} of float32, checked {known.get('when')})" if known["ok"]
                else f"float32 (bfloat16 rejected: {known.get('why')})")
    else:
        said = f"{wanted} ({'set by RAG_EMBED_DTYPE' if settings.embed_dtype != 'auto' else 'no native bf16'})"
    print(f"embedding dtype: {said}")
    return 0


def _doctor_models(settings: Settings) -> int:
    """One line per model file: custom (the user's path, not verified) or verified by sha256."""
    from rag.model_files import EMBED_SHA256, LLM_SHA256, LLM_SIZE, check

    problems = 0
    for label, path, digest, size, custom in (
        ("embedding model", Path(settings.embed_model_path) / "model.safetensors", EMBED_SHA256, None,
         bool(settings.embed_model)),
        ("LLM (GGUF)", settings.llm_model_path, LLM_SHA256, LLM_SIZE, bool(settings.llm_path)),
    ):
        try:
            if custom:
                print(f"{label}: custom {path} ({'present' if Path(path).exists() else 'not a local file'})")
            else:
                check(Path(path), digest, size)
                print(f"{label}: {path} present, sha256 verified")
        except RagError as exc:
            problems += 1
            print(f"{label}: PROBLEM: {exc}")
    return problems


def _doctor_backends(settings: Settings) -> int:
    from rag.backends import BackendFactory

    factory = BackendFactory(settings)
    try:
        names = factory.ollama.models()
        has = factory.ollama.has_model(names)
        print(f"ollama: answering at {settings.ollama_host}; models: {', '.join(names) or 'none'}")
        print(f"ollama model {settings.ollama_model!r}: {'available' if has else 'not pulled: run `ollama pull ' + settings.ollama_model + '`'}")
    except RagError as exc:
        print(f"ollama: {exc}")
    problems = 0
    if settings.openai_base_url or settings.backend == "openai-like":
        from rag.backends.openai_like import probe_openai_like

        ok, said = probe_openai_like(settings)
        problems += settings.backend == "openai-like" and not ok
        print(f"openai-like: {said}")
    print(f"backend setting: {settings.backend} (auto uses Ollama when it has the model, else the embedded model)")
    return problems


def _doctor_store(settings: Settings) -> int:
    from rag.store import ChunkStore

    try:
        store = ChunkStore(settings)
        articles, chunks = store.count()
        print(f"chroma: {store.location}, collection {store.name}: {articles} articles, {chunks} chunks")
        return 0
    except Exception as exc:  # report, don't crash: doctor is for broken setups
        print(f"chroma: PROBLEM: {exc}")
        return 1


def cmd_doctor(settings: Settings) -> int:
    print("settings:")
    for key, value in settings.model_dump().items():
        print(f"  {key} = {value!r}")
    problems = _doctor_models(settings)
    problems += _doctor_machine(settings)
    problems += _doctor_backends(settings)
    problems += _doctor_store(settings)
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings()
        if args.command == "fetch-models":
            from rag.model_files import fetch_all

            for name, path in fetch_all(settings).items():
                print(f"{name}: {path} (verified)")
            return 0
        if args.command == "doctor":
            return cmd_doctor(settings)
        from rag.engine import RAG

        rag = RAG.from_settings(settings, rebuild_index=args.command == "ingest" and args.reset)
        if args.command == "ingest":
            report = rag.ingest(args.paths, reset=args.reset)
            print(report.summary())
            stats = rag.stats()
            print(f"index: {stats['articles']} articles, {stats['chunks']} chunks in {stats['location']}")
        elif args.command == "delete":
            for article_id in args.ids:
                print(rag.delete_article(article_id))
        elif args.command == "articles":
            cmd_articles(rag)
        elif args.command == "search":
            cmd_search(rag, args)
        elif args.command == "ask":
            cmd_ask(rag, args)
        return 0
    except ValidationError as exc:
        print(f"error: invalid setting: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}", file=sys.stderr)
    except (RagError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 2
