"""``python -m eval --kinds eval/kinds/gold.jsonl``: score overview, summary, timeline and
comparison answers (rag/kinds/) over the seeds and eval/general/articles, per kind and language.

Per question (``score``), haystack style, then an aggregate per (kind, language):
- routed: the answer took the asked kind's path (the router, or its fall-back to facts);
- out_of_scope: citations of articles outside the question's scope (must be 0);
- grounded: share of the answer's lines that cite a source whose quoted sentence is exactly
  the article text at the cited offsets (composed answers hold by construction; a summary the
  model rewrote counts only its sentences that passed the checks, with their citations);
- overview: listed (share of the in-scope articles listed) and extra (listed outside scope);
- summary: covered (share of the row's ``covers`` articles cited);
- timeline: in_order (dates never go back), dates_right (share of events whose date is named in
  the quoted sentence or is the article's publication date), expected (share of the row's
  ``dates`` shown);
- comparison: side_by_side (articles compared; at least the row's ``min_articles``);
- first_line and total seconds, with the model the settings choose.

The trade-off: these are structural checks (is each line really quoted from its article, in
scope, in order). Whether the chosen sentences are the *best* summary is not scored: no gold
summary would be fair to several right ones.
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
from collections import Counter
from pathlib import Path

from rag import RAG, Settings
from rag.answer.types import Answer
from rag.store import ChunkStore
from rag.text.dates import mentioned_dates

HERE = Path(__file__).resolve().parent
CORPUS: list[str | Path] = [HERE.parent / "seeds", HERE / "general" / "articles"]
_CITE = re.compile(r"\[(\d+)\]")
_EVENT = re.compile(r"^- (\d{3,4}(?:-\d{2}){0,2}): ")


def load(path: Path, per_kind_lang: int | None = None) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if per_kind_lang:
        kept: list[dict] = []
        count: Counter[tuple[str, str]] = Counter()
        for row in rows:
            count[(row["kind"], row["lang"])] += 1
            if count[(row["kind"], row["lang"])] <= per_kind_lang:
                kept.append(row)
        rows = kept
    return rows


def _iso(shown: str) -> str:
    """A shown date with its year zero-padded, as rag.text.dates writes it ("980" -> "0980")."""
    year, _, rest = shown.partition("-")
    return year.zfill(4) + ("-" + rest if rest else "")


def _grounded(answer: Answer, bodies: dict[str, str]) -> float:
    exact = {c.number for c in answer.citations if bodies.get(c.article_id, "")[c.start:c.end] == c.quote}
    cited = {c.number for c in answer.citations}
    lines = [ln for ln in answer.text.splitlines()[1:] if ln.strip()] if answer.backend == "none" else \
        [s for s in re.split(r"(?<=[.!?؟])\s+", answer.text) if s.strip()]
    good = [ln for ln in lines if (nums := {int(n) for n in _CITE.findall(ln)}) and nums <= exact and nums <= cited]
    return len(good) / len(lines) if lines else 0.0


def score(row: dict, answer: Answer, allowed: set[str], bodies: dict[str, str], dates: dict[str, str]) -> dict:
    cited = {c.article_id for c in answer.citations}
    rec = {"id": row["id"], "kind": row["kind"], "lang": row["lang"], "question": row["question"],
           "answered_as": answer.kind, "routed": answer.kind == row["kind"], "answered": answer.answered,
           "out_of_scope": len(cited - allowed), "grounded": _grounded(answer, bodies) if answer.answered else 0.0,
           "first_line": answer.timings.get("first_token", 0.0), "total": answer.timings.get("total", 0.0),
           "rewritten": answer.kind == "summary" and answer.backend not in ("", "none"), "text": answer.text}
    if row["kind"] == "overview":
        rec["listed"] = len(cited & allowed) / len(allowed) if allowed else 0.0
        rec["extra"] = len(cited - allowed)
    elif row["kind"] == "summary":
        covers = set(row.get("covers", []))
        rec["covered"] = len(cited & covers) / len(covers) if covers else None
    elif row["kind"] == "timeline":
        events = [(m.group(1), [c for c in answer.citations if c.quote.strip() and c.quote.strip() in ln])
                  for ln in answer.text.splitlines() if (m := _EVENT.match(ln))]
        padded = [_iso(d) for d, _ in events]  # "980" is shown, "0980" sorts
        rec["in_order"] = padded == sorted(padded)
        right = [any(_iso(d) in mentioned_dates(c.quote) or dates.get(c.article_id, "").startswith(d) for c in cs)
                 for d, cs in events]
        rec["dates_right"] = sum(right) / len(right) if right else 0.0
        wanted = row.get("dates", [])
        rec["expected"] = (sum(any(d.startswith(w) for d, _ in events) for w in wanted) / len(wanted)) if wanted else None
    elif row["kind"] == "comparison":
        rec["side_by_side"] = len(cited)
        rec["compared"] = answer.kind == "comparison" and len(cited) >= row.get("min_articles", 2)
    return rec


def run(rag: RAG, rows: list[dict]) -> list[dict]:
    catalog = rag.store.catalog()
    bodies = {aid: (rag.article_text(aid) or ("", {}))[0] for aid in catalog}
    dates = {aid: s.date for aid, s in catalog.items()}
    records = []
    for row in rows:
        scope = row.get("scope", {})
        answer = rag.ask(row["question"], **scope)
        allowed = set(rag.scope(**scope).allowed(catalog) or catalog)
        records.append(score(row, answer, allowed, bodies, dates))
        print(f"{row['id']:<14} as {answer.kind:<10} answered={answer.answered!s:<5} "
              f"grounded={records[-1]['grounded']:.2f} {answer.timings.get('total', 0):.1f}s", flush=True)
    return records


def _mean(values: list) -> float | None:
    values = [float(v) for v in values if v is not None]
    return round(sum(values) / len(values), 3) if values else None


def summarize(records: list[dict]) -> dict:
    out: dict[str, dict] = {}
    for key in sorted({(r["kind"], r["lang"]) for r in records}):
        mine = [r for r in records if (r["kind"], r["lang"]) == key]
        metrics = ("routed", "answered", "grounded", "listed", "covered", "in_order", "dates_right", "expected",
                   "compared")
        agg = {m: _mean([r.get(m) for r in mine]) for m in metrics if any(m in r for r in mine)}
        agg.update(n=len(mine), out_of_scope=sum(r["out_of_scope"] for r in mine),
                   first_line_median=round(statistics.median(r["first_line"] for r in mine), 2),
                   total_median=round(statistics.median(r["total"] for r in mine), 2),
                   rewritten=sum(r["rewritten"] for r in mine))
        out[f"{key[0]}/{key[1]}"] = agg
    return out


def format_summary(summary: dict) -> str:
    lines = []
    for key, agg in summary.items():
        parts = [f"{m}={agg[m]}" for m in agg if agg[m] is not None]
        lines.append(f"{key:<16} " + " ".join(parts))
    return "\n".join(lines)


def failures(summary: dict, floors: dict) -> list[str]:
    """Floors per metric, for every (kind, language): e.g. {"out_of_scope": 0} is a ceiling."""
    bad = []
    for key, agg in summary.items():
        for metric, floor in floors.items():
            value = agg.get(metric)
            if value is None:
                continue
            if (metric == "out_of_scope" and value > floor) or (metric != "out_of_scope" and value < floor):
                bad.append(f"{key}: {metric} {value} (floor {floor})")
    return bad


def index_home(settings: Settings) -> Path:
    """The kinds corpus is indexed once per machine, in the cache (never the user's index), under
    a name that changes with the articles' bytes and the index layout."""
    digest = hashlib.sha256(settings.collection_name.encode())
    for folder in CORPUS:
        for path in sorted(Path(folder).glob("*")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return settings.cache_dir / "eval" / f"kinds-{digest.hexdigest()[:12]}"


def main(gold: Path, per_kind_lang: int | None, out: Path | None, floors_path: Path | None,
         settings: Settings, models: tuple | None = None) -> int:
    rows = load(gold, per_kind_lang)
    settings = settings.model_copy(update={"data_dir": index_home(settings)})
    rag = RAG(settings, ChunkStore(settings), *models) if models else RAG.from_settings(settings)
    print(f"index: {rag.ingest(CORPUS).summary()} in {rag.stats()['location']}", flush=True)
    records = run(rag, rows)
    summary = summarize(records)
    print("\n" + format_summary(summary))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"summary": summary, "questions": records}, ensure_ascii=False, indent=1),
                       encoding="utf-8")
        print(f"report: {out}")
    bad = failures(summary, json.loads(floors_path.read_text()) if floors_path else {})
    if bad:
        print("\nFAILED:\n  " + "\n  ".join(bad))
        return 1
    return 0
