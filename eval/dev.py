"""``python -m eval.dev``: every dev set, every direction, one table of right / wrong / refused.

The sets (``SETS``) are the public reading-comprehension data in eval/benchmarks (nobody here
wrote them) plus the seed gold: ARCD (Arabic over Arabic), XQuAD (Arabic and English questions
over the Arabic paragraphs), BELEBELE over the Arabic passages (Arabic and English questions)
and over the English originals (Arabic questions: the direction an Arabic reader of English
reports needs). Each is sampled (``--sample`` answerable questions per language, ``--left-out``
questions whose article is not indexed) with a fixed seed, so runs compare.

    python -m eval.dev --name before                 # all sets -> artifacts/dev/before/*.json
    python -m eval.dev --name after --compare before # and a before -> after table
    python -m eval.dev --name x --sets xquad,belebele-en --sample 20

Replies are stored in ``artifacts/dev/<name>/replies.sqlite`` (eval/replay.py): a second run of
the same name re-checks the same drafts without generating them (``--replay`` shares a file
between names when a change does not touch the model's input).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

from eval.cli import main as eval_main
from eval.report import outcome, risk_coverage

B = "eval/benchmarks/"
SETS: dict[str, list[str]] = {
    "seeds": [],
    "arcd": ["--squad", B + "arcd-train.json"],
    "xquad": ["--squad", B + "xquad-dev.ar.json", "--squad-parallel", B + "xquad-dev.en.json"],
    "belebele-ar": ["--squad", B + "belebele-dev.ar.json", "--squad-parallel", B + "belebele-dev.en.json"],
    "belebele-en": ["--squad", B + "belebele-dev.en.json", "--squad-parallel", B + "belebele-dev.ar.json",
                    "--parallel-only"],
}
# (set, question language) -> what is asked over what
DIRECTIONS = {("seeds", "ar"): "seeds, Arabic", ("seeds", "en"): "seeds, English over Arabic",
              ("arcd", "ar"): "ARCD, Arabic", ("xquad", "ar"): "XQuAD, Arabic",
              ("xquad", "en"): "XQuAD, English over Arabic", ("belebele-ar", "ar"): "BELEBELE, Arabic",
              ("belebele-ar", "en"): "BELEBELE, English over Arabic",
              ("belebele-en", "ar"): "BELEBELE, Arabic over English"}


def run_set(name: str, out: Path, sample: int, left_out: int, replay: Path, extra: list[str]) -> dict:
    path = out / f"{name}.json"
    if not path.is_file():  # resumable: a finished set is not redone
        sampling = ["--sample", str(sample), "--left-out", str(left_out)] if SETS[name] else []
        previous = os.environ.get("RAG_DATA_DIR")
        if not SETS[name]:  # the seed gold indexes seeds/: into a folder of its own, never the user's index
            os.environ["RAG_DATA_DIR"] = str(out.parent / "seeds-data")
        try:
            eval_main([*SETS[name], *sampling, "--backend", "llamacpp", "--replay", str(replay), "--out", str(path),
                       *extra])
        finally:
            if previous is None:
                os.environ.pop("RAG_DATA_DIR", None)
            else:
                os.environ["RAG_DATA_DIR"] = previous
    return json.loads(path.read_text(encoding="utf-8"))


def rows(reports: dict[str, dict]) -> dict[str, dict]:
    """direction -> outcome (+ first-token median) for every set and language that was run."""
    out = {}
    for name, report in reports.items():
        for (set_name, lang), label in DIRECTIONS.items():
            if set_name == name and any(q["lang"] == lang for q in report["questions"]):
                o = outcome(report["questions"], lang)
                o["first_token_s"] = report["summary"].get(lang, {}).get("first_token_median_s")
                out[label] = o
    return out


def table(now: dict[str, dict], before: dict[str, dict] | None = None) -> str:
    pct = lambda v: "-" if v is None else f"{v:.0%}"  # noqa: E731
    head = "| set | right | wrong | answerable refused | of the answers given, right | left-out refused | first token |"
    lines = [head, "| --- |" + " --- |" * 6]
    for label, o in now.items():
        b = (before or {}).get(label)

        def cell(k: str, o: dict = o, b: dict | None = b) -> str:
            return f"{pct(b[k])} -> {pct(o[k])}" if b else pct(o[k])

        ftl = f"{o['first_token_s']:.1f} s" if o.get("first_token_s") else "-"
        if b and b.get("first_token_s") and o.get("first_token_s"):
            ftl = f"{b['first_token_s']:.1f} -> {o['first_token_s']:.1f} s"
        lines.append(f"| {label} (n {o['n']} + {o['n_left_out']}) | {cell('right')} | {cell('wrong')} | "
                     f"{cell('refused')} | {cell('precision')} | {cell('left_out_refused')} | {ftl} |")
    return "\n".join(lines)


def pooled_risk_coverage(reports: dict[str, dict], points: int = 8) -> str:
    """The risk-coverage table over every dev question, per question language: at each
    confidence threshold, the share of questions answered and the share of those answers right
    (withheld answers count as what they would have been)."""
    lines = ["| question language | confidence at least | answered (of all questions) | right among the answered |",
             "| --- | --- | --- | --- |"]
    for lang in ("ar", "en"):
        records = [q for r in reports.values() for q in r["questions"] if q["lang"] == lang]
        for point in risk_coverage(records, points):
            lines.append(f"| {lang} | {point['threshold']:.2f} | {point['coverage']:.0%} | {point['precision']:.0%} |")
    return "\n".join(lines)


def load(folder: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))
            if p.stem in SETS}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.dev", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--name", required=True, help="run name: reports go to artifacts/dev/NAME/")
    p.add_argument("--sets", default=",".join(SETS))
    p.add_argument("--sample", type=int, default=40)
    p.add_argument("--left-out", type=int, default=8)
    p.add_argument("--replay", type=Path, default=None, help="stored replies (default artifacts/dev/NAME/replies.sqlite)")
    p.add_argument("--compare", default=None, help="an earlier run name: before -> after cells")
    p.add_argument("--root", type=Path, default=Path("artifacts/dev"))
    args, extra = p.parse_known_args(argv)
    out = args.root / args.name
    out.mkdir(parents=True, exist_ok=True)
    replay = args.replay or out / "replies.sqlite"
    reports = {name: run_set(name, out, args.sample, args.left_out, replay, extra)
               for name in args.sets.split(",") if name}
    before = rows(load(args.root / args.compare)) if args.compare else None
    text = table(rows(reports), before) + "\n\n" + pooled_risk_coverage(reports)
    (out / "table.md").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
