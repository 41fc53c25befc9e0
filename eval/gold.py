"""Load and check a gold JSONL file.

Any file in the schema works, not only ours: one JSON object per line with ``id``, ``lang``
("ar"/"en"), ``question``, optional ``answer``, ``must_include`` (list of groups of
alternatives), ``sources`` (article ids) and ``answerable``. Rows built from public SQuAD-format
sets (eval/squad.py) carry ``answers`` (every gold span, scored by token recall instead of
``must_include``) and ``evidence`` (the spans in the articles' language). :func:`check_gold` also verifies
the rows against the corpus: every source id exists, and every ``must_include`` group of an
answerable row has an alternative that occurs in one of its source articles, so a typo in the
gold file fails loudly instead of silently lowering a score.
"""

from __future__ import annotations

import json
from pathlib import Path

from eval.metrics import match_form
from rag.ingest.clean import clean_article

FIELDS = {"id", "lang", "question", "answer", "must_include", "sources", "answerable", "answers", "evidence"}
REQUIRED = FIELDS - {"answer", "answers", "evidence"}


class GoldError(ValueError):
    pass


def load_gold(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GoldError(f"{path}:{n}: not JSON: {exc}") from exc
        problems = validate_row(row)
        if problems:
            raise GoldError(f"{path}:{n} ({row.get('id', '?')}): " + "; ".join(problems))
        rows.append(row)
    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        raise GoldError(f"{path}: duplicate ids: {sorted({i for i in ids if ids.count(i) > 1})}")
    return rows


def validate_row(row: dict) -> list[str]:
    """Schema problems of one row (empty list when well formed)."""
    if not isinstance(row, dict):
        return ["not an object"]
    problems = []
    missing, extra = REQUIRED - row.keys(), row.keys() - FIELDS
    if missing:
        problems.append(f"missing fields {sorted(missing)}")
    if extra:
        problems.append(f"unknown fields {sorted(extra)}")
    if problems:
        return problems
    if not isinstance(row["id"], str) or not row["id"]:
        problems.append("id must be a non-empty string")
    if row["lang"] not in ("ar", "en"):
        problems.append("lang must be 'ar' or 'en'")
    if not isinstance(row["question"], str) or not row["question"].strip():
        problems.append("question must be a non-empty string")
    if "answer" in row and not isinstance(row["answer"], str):
        problems.append("answer must be a string")
    groups = row["must_include"]
    if not isinstance(groups, list) or not all(
        isinstance(g, list) and g and all(isinstance(a, str) and a.strip() for a in g) for g in groups
    ):
        problems.append("must_include must be a list of non-empty lists of strings")
    if not isinstance(row["sources"], list) or not all(isinstance(s, str) for s in row["sources"]):
        problems.append("sources must be a list of article ids")
    if not isinstance(row["answerable"], bool):
        problems.append("answerable must be true or false")
    for key in ("answers", "evidence"):
        if key in row and not (isinstance(row[key], list) and all(isinstance(a, str) for a in row[key])):
            problems.append(f"{key} must be a list of strings")
    if problems:
        return problems
    if row["answerable"] and (not row["sources"] or not (groups or row.get("answers"))):
        problems.append("an answerable row needs sources and must_include (or answers)")
    elif not row["answerable"] and (row["sources"] or groups or row.get("answers")):
        problems.append("an unanswerable row has empty sources and must_include")
    return problems


def corpus_texts(folder: Path) -> dict[str, str]:
    """article id -> title + cleaned body, for every .txt/.md file in ``folder``."""
    texts = {}
    for path in sorted(Path(folder).rglob("*")):
        if path.suffix.lower() in (".txt", ".md") and path.is_file():
            article = clean_article(path.read_text(encoding="utf-8", errors="replace"), path.stem)
            texts[path.stem] = "\n".join([article.title, article.date or "", article.body])
    return texts


def check_gold(rows: list[dict], corpus: dict[str, str]) -> list[str]:
    """Problems of the rows against the corpus (empty list when all is well)."""
    problems = []
    for row in rows:
        for source in row["sources"]:
            if source not in corpus:
                problems.append(f"{row['id']}: unknown source article {source!r}")
        if not row["answerable"]:
            continue
        texts = [match_form(corpus[s]) for s in row["sources"] if s in corpus]
        for group in row["must_include"]:
            if not any(match_form(alt) in text for alt in group for text in texts):
                problems.append(f"{row['id']}: no alternative of {group} occurs in its sources")
    return problems
