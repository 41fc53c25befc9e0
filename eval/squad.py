"""Public SQuAD-format reading-comprehension sets (ARCD, XQuAD) as an eval corpus and gold rows.

A user meets such data as articles plus questions, so that is what we build: one article file
per title (its paragraphs in order, blank lines between them), the Arabic questions, and, with a
parallel file in the other language (XQuAD's English questions carry the same ids), the same
questions asked in English over the *Arabic* articles. Rows carry every gold answer span
(``answers``, in the question's language) and the spans in the articles' language
(``evidence``), which the harness uses to tell a selection miss (the span was not in what the
model was shown) from a model miss.

The trade-off in sampling: the whole set is too slow to answer on 2 cores (~4 s a question), so
questions are sampled with a fixed seed, and ``distractors`` limits the index to the sampled
questions' articles plus that many other articles (the CI sample); without it every article is
indexed. ``left_out`` removes whole articles from the index and asks their questions: real
questions whose answer is not in the articles, where the right reply is a refusal.

Titles: ARCD's are Arabic and become the article's headline; XQuAD's are English Wikipedia
slugs ("Super_Bowl_50"), which an Arabic article would not carry and which would hand the
English questions a lexical match, so they are left out and the article id stands in.

>>> build_rows_example()
[('ar-q1', 'ar', True, ['sq000']), ('en-q1', 'en', True, ['sq000']), ('ar-q2', 'ar', False, []), ('en-q2', 'en', False, [])]
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from eval.gold import GoldError

ARABIC = re.compile(r"[\u0600-\u06ff]")


@dataclass
class SquadArticle:
    id: str
    title: str
    paragraphs: list[str]
    questions: list[dict]  # {"id", "question", "answers": [str], "parallel": {"question", "answers"} | None}

    def text(self) -> str:
        """The article file: its title as the headline when the title is in the paragraphs' script
        (ARCD's Arabic titles, BELEBELE's English ones over the English passages)."""
        same_script = bool(ARABIC.search(self.title)) == bool(ARABIC.search(" ".join(self.paragraphs)[:400]))
        head = f"{self.title}\n\n" if self.title and same_script else ""
        return head + "\n\n".join(self.paragraphs) + "\n"


@dataclass
class SquadSet:
    name: str
    articles: dict[str, SquadArticle]  # what is indexed
    rows: list[dict]  # gold rows (harness schema plus "answers" and "evidence")
    left_out_articles: list[str]

    def key(self) -> str:
        """Content hash of the indexed corpus: the cache key of its folder and index."""
        digest = hashlib.sha256()
        for aid in sorted(self.articles):
            digest.update(aid.encode() + b"\0" + self.articles[aid].text().encode() + b"\0")
        return digest.hexdigest()[:12]

    def write_corpus(self, folder: Path) -> Path:
        """Write one .txt per indexed article (only the missing ones); return the folder."""
        folder.mkdir(parents=True, exist_ok=True)
        for aid, article in self.articles.items():
            path = folder / f"{aid}.txt"
            if not path.is_file():
                tmp = path.with_suffix(".tmp")
                tmp.write_text(article.text(), encoding="utf-8")
                tmp.replace(path)
        return folder


def _read(path: Path) -> list[dict]:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))["data"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GoldError(f"{path}: not a SQuAD JSON file ({exc})") from exc
    if not isinstance(data, list) or not data:
        raise GoldError(f"{path}: no articles under 'data'")
    return data


def _answers(qa: dict) -> list[str]:
    out: list[str] = []
    for answer in qa.get("answers") or []:
        text = " ".join(str(answer.get("text", "")).split())
        if text and text not in out:
            out.append(text)
    return out


def load_articles(path: Path, parallel: Path | None = None) -> list[SquadArticle]:
    """Articles of a SQuAD file in file order, questions with answers only; with ``parallel``,
    each question gets the other file's question and answers of the same id."""
    prefix = re.sub(r"[^a-z0-9]+", "", Path(path).stem.lower().split("-")[0])[:8] or "sq"
    other: dict[str, dict] = {}
    if parallel:
        for entry in _read(parallel):
            for para in entry.get("paragraphs", []):
                for qa in para.get("qas", []):
                    other[str(qa.get("id"))] = {"question": " ".join(str(qa.get("question", "")).split()),
                                                "answers": _answers(qa)}
    articles = []
    for i, entry in enumerate(_read(path)):
        paragraphs, questions = [], []
        for para in entry.get("paragraphs", []):
            context = str(para.get("context", "")).strip()
            if not context:
                continue
            paragraphs.append(context)
            for qa in para.get("qas", []):
                question, answers = " ".join(str(qa.get("question", "")).split()), _answers(qa)
                if question and answers:
                    questions.append({"id": str(qa.get("id")), "question": question, "answers": answers,
                                      "parallel": other.get(str(qa.get("id")))})
        if paragraphs:
            articles.append(SquadArticle(f"{prefix}{i:03d}", str(entry.get("title", "")).strip(), paragraphs,
                                         questions))
    if parallel and not any(q["parallel"] for a in articles for q in a.questions):
        raise GoldError(f"{parallel}: no question id in common with {path}")
    return articles


def question_language(articles: list[SquadArticle]) -> str:
    """The language of a file's questions (ARCD, XQuAD .ar: "ar"; XQuAD .en, BELEBELE .en: "en")."""
    sample = " ".join(q["question"] for a in articles[:5] for q in a.questions[:3])
    return "ar" if len(ARABIC.findall(sample)) * 2 > len(re.findall(r"\w", sample)) else "en"


def _rows(article: SquadArticle, q: dict, answerable: bool, parallel: bool, lang: str = "ar",
          asked: tuple[bool, bool] = (True, True)) -> list[dict]:
    """Gold rows of one question: in the articles' language (``lang``) and, with a parallel file,
    in the other one; ``asked`` says which of the two are asked."""
    other_lang = "en" if lang == "ar" else "ar"
    src = [article.id] if answerable else []
    base = {"must_include": [], "sources": src, "answerable": answerable}
    rows = [{"id": f"{lang}-{q['id']}", "lang": lang, "question": q["question"], "answer": q["answers"][0],
             **base, "answers": q["answers"] if answerable else [], "evidence": q["answers"] if answerable else []}]
    rows = rows if asked[0] else []
    other = q.get("parallel")
    if parallel and asked[1] and other and other["question"] and other["answers"]:
        rows.append({"id": f"{other_lang}-{q['id']}", "lang": other_lang, "question": other["question"],
                     "answer": other["answers"][0], **base, "answers": other["answers"] if answerable else [],
                     "evidence": q["answers"] if answerable else []})
    return rows


def build(path: Path, parallel: Path | None = None, sample: int | None = None, left_out: int = 0,
          distractors: int | None = None, seed: int = 13, articles: int | None = None,
          parallel_only: bool = False) -> SquadSet:
    """The corpus and gold rows of one SQuAD file (see the module docstring).

    ``sample``: answerable questions asked per language (all when None); ``left_out``: questions
    whose article is removed from the index (about a sixth of the articles are set aside for
    them); ``distractors``: index only the sampled questions' articles plus this many others;
    ``articles``: draw the sample from this many articles only (a small index for CI);
    ``parallel_only``: ask only the parallel file's questions (BELEBELE: Arabic questions over the
    English passages), not the articles' own."""
    every = load_articles(path, parallel)
    lang = question_language(every)
    asked_langs = (not parallel_only, parallel is not None)
    rng = random.Random(seed)
    order = list(every)
    rng.shuffle(order)
    n_out = min(len(order) - 1, max(1, len(order) // 6)) if left_out else 0
    out_articles, kept = order[:n_out], order[n_out:]
    asked_from = sorted(kept[:articles] if articles else kept, key=lambda a: a.id)
    pool = [(a, q) for a in asked_from for q in a.questions if not parallel or q["parallel"]]
    chosen = rng.sample(pool, min(sample, len(pool))) if sample else pool
    chosen.sort(key=lambda aq: (aq[0].id, aq[1]["id"]))
    out_pool = [(a, q) for a in sorted(out_articles, key=lambda a: a.id) for q in a.questions
                if not parallel or q["parallel"]]
    refused = sorted(rng.sample(out_pool, min(left_out, len(out_pool))), key=lambda aq: (aq[0].id, aq[1]["id"]))
    if distractors is None:
        indexed = kept
    else:
        asked = {a.id for a, _ in chosen}
        others = [a for a in kept if a.id not in asked][:distractors]
        indexed = [a for a in kept if a.id in asked] + others
    rows = [r for a, q in chosen for r in _rows(a, q, True, parallel is not None, lang, asked_langs)]
    rows += [r for a, q in refused for r in _rows(a, q, False, parallel is not None, lang, asked_langs)]
    name = Path(path).stem + (f"+{Path(parallel).stem}" if parallel else "")
    return SquadSet(name, {a.id: a for a in sorted(indexed, key=lambda a: a.id)}, rows,
                    sorted(a.id for a in out_articles))


def build_rows_example() -> list[tuple]:
    """A two-question parallel set, one question left out (used by the doctest above)."""
    article = SquadArticle("sq000", "", ["نص"], [])
    q1 = {"id": "q1", "question": "س؟", "answers": ["ج"], "parallel": {"question": "Q?", "answers": ["A"]}}
    q2 = {"id": "q2", "question": "س٢؟", "answers": ["ج"], "parallel": {"question": "Q2?", "answers": ["A"]}}
    rows = _rows(article, q1, True, True) + _rows(article, q2, False, True)
    return [(r["id"], r["lang"], r["answerable"], r["sources"]) for r in rows]
