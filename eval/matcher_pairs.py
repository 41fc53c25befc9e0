"""``python -m eval.matcher_pairs``: the claim matcher alone, on cross-script pairs nobody here wrote.

XQuAD and BELEBELE are parallel: each question has an English and an Arabic answer span, each
inside a sentence of its own language's passage. A pair is (a claim in one script, a source
sentence in the other): the English span against the Arabic sentence holding the Arabic span
(a true pair), against another Arabic sentence of the same passage (a hard false pair: same
topic, other fact), and against a sentence of a shuffled other passage (an easy false pair);
and the same with the scripts swapped. The matcher (rag/answer/support.py) is asked whether the
sentence supports the claim; the report gives precision and recall per direction and negative
kind, and the cosine threshold sweep the meaning test was set from.

    python -m eval.matcher_pairs [--out artifacts/matcher-pairs.json] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np

from rag.answer.support import Support, supports
from rag.embedder import SentenceEmbedder
from rag.settings import Settings
from rag.text.splitter import split_sentences

HERE = Path(__file__).resolve().parent
PAIRS = [("xquad-dev.en.json", "xquad-dev.ar.json"), ("belebele-dev.en.json", "belebele-dev.ar.json")]


def _sentence_at(context: str, start: int, span: str) -> str:
    if start < 0 or context[start:start + len(span)] != span:
        start = context.find(span)
    for s, e in split_sentences(context):
        if s <= max(start, 0) < e:
            return context[s:e]
    return context[:400]


def _index(path: Path) -> dict[str, dict]:
    """question id -> {span, sentence, others (other sentences of the passage), passage}."""
    out = {}
    for entry in json.loads(path.read_text(encoding="utf-8"))["data"]:
        for para in entry["paragraphs"]:
            context = para["context"]
            sentences = [context[s:e] for s, e in split_sentences(context)]
            for qa in para["qas"]:
                if not qa.get("answers"):
                    continue
                a = qa["answers"][0]
                sentence = _sentence_at(context, a.get("answer_start", -1), a["text"])
                out[str(qa["id"])] = {"span": a["text"], "sentence": sentence, "passage": context,
                                      "others": [s for s in sentences if s != sentence and a["text"] not in s]}
    return out


def build_pairs(limit: int | None = None, seed: int = 7) -> list[dict]:
    """Every (claim, sentence, label, direction, kind) of the parallel files."""
    rng = random.Random(seed)
    pairs = []
    for en_file, ar_file in PAIRS:
        en, ar = _index(HERE / "benchmarks" / en_file), _index(HERE / "benchmarks" / ar_file)
        ids = sorted(set(en) & set(ar))
        if limit:
            ids = rng.sample(ids, min(limit, len(ids)))
        for direction, claims, sources in (("en claim, ar source", en, ar), ("ar claim, en source", ar, en)):
            for qid in ids:
                claim, own = claims[qid]["span"], sources[qid]
                pairs.append({"set": en_file.split("-")[0], "direction": direction, "kind": "true",
                              "claim": claim, "source": own["sentence"], "label": 1})
                if own["others"]:
                    pairs.append({"set": en_file.split("-")[0], "direction": direction, "kind": "same passage",
                                  "claim": claim, "source": rng.choice(own["others"]), "label": 0})
                other = sources[rng.choice([i for i in ids if sources[i]["passage"] != own["passage"]])]
                pairs.append({"set": en_file.split("-")[0], "direction": direction, "kind": "shuffled",
                              "claim": claim, "source": other["sentence"], "label": 0})
    return pairs


def embed(pairs: list[dict], embedder: SentenceEmbedder) -> None:
    claims = sorted({p["claim"] for p in pairs})
    sources = sorted({p["source"] for p in pairs})
    cv = dict(zip(claims, np.asarray(embedder.embed_queries(claims), dtype=np.float32)))
    sv = dict(zip(sources, embedder.embed_documents([embedder.document_text("", s) for s in sources])))
    for p in pairs:
        p["cosine"] = float(cv[p["claim"]] @ sv[p["source"]])


def scores(pairs: list[dict], decide) -> dict:
    """Precision / recall of ``decide(pair) -> bool`` per direction, false pairs of each kind."""
    out = {}
    for direction in sorted({p["direction"] for p in pairs}):
        mine = [p for p in pairs if p["direction"] == direction]
        row = {}
        for kind in ("same passage", "shuffled"):
            sub = [p for p in mine if p["kind"] in ("true", kind)]
            said = [(decide(p), p["label"]) for p in sub]
            tp = sum(1 for d, y in said if d and y)
            fp = sum(1 for d, y in said if d and not y)
            fn = sum(1 for d, y in said if not d and y)
            row[kind] = {"precision": round(tp / (tp + fp), 3) if tp + fp else None,
                         "recall": round(tp / (tp + fn), 3) if tp + fn else None, "n": len(sub)}
        out[direction] = row
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.matcher_pairs", description=__doc__.split("\n")[0])
    p.add_argument("--out", type=Path, default=Path("artifacts/matcher-pairs.json"))
    p.add_argument("--limit", type=int, default=None, help="questions per set (default: all)")
    args = p.parse_args(argv)
    settings = Settings()
    pairs = build_pairs(args.limit)
    embed(pairs, SentenceEmbedder.from_settings(settings))
    results = {}
    for label, meaning in (("letters only (names, numbers; cosine only for a claim-less claim)", False),
                           ("letters or meaning (the matcher in use)", True)):
        def decide(pair: dict, meaning: bool = meaning) -> bool:
            verdict: Support = supports(pair["claim"], pair["source"], pair["cosine"], settings, meaning=meaning)
            return verdict.ok
        results[label] = scores(pairs, decide)
    sweep = {}
    for tau in np.arange(0.30, 0.71, 0.05):
        sweep[f"{tau:.2f}"] = scores(pairs, lambda pair, t=tau: pair["cosine"] >= t)
    report = {"pairs": len(pairs), "matcher": results, "cosine_alone": sweep}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
    for label, table in [*results.items(), *((f"cosine >= {t}", s) for t, s in sweep.items())]:
        print(label)
        for direction, row in table.items():
            print("   ", direction, "  ".join(f"{k}: P {v['precision']} R {v['recall']} (n {v['n']})"
                                             for k, v in row.items()))
    print(f"report: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
