"""Regenerate the README screenshots and time the chat as a reader sees it, per language.

``make screenshots`` (or ``.venv/bin/python scripts/screenshots.py``) starts ``python -m app`` on
a fresh data folder (it indexes seeds/), drives it in headless Chromium and writes
docs/screenshot-first.png (the first screen), docs/screenshot-reading.png (the passages shown
while the model writes), docs/screenshot-ar.png, docs/screenshot-en.png (desktop 1400x1000) and
docs/screenshot-phone.png (390x844). For every timed question it prints, in seconds from the click
on Ask as measured in the browser: the first progress state, the first useful content (the
passages being read, a draft word or the answer, whichever comes first), the first draft word and
the checked answer; then the median per view and language.

``--app-root DIR`` runs the app of another checkout (e.g. ``git worktree add /tmp/before <commit>``)
with ``--timings-only``, so a change is timed before and after on one machine in one sitting. The
test suite never writes to docs/: only this script does.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts.app_process import start_app  # noqa: E402

DOCS, ARTIFACTS = ROOT / "docs", ROOT / "artifacts"
# distinct questions (a repeat would reuse the model's saved prompt state and look faster)
TIMED = {("desktop", "ar"): ["ما المطار الذي ساهم جنود أذربيجان في تأمينه؟", "من هو وزير الخارجية الأذربيجاني؟",
                             "أين عقد الحوار الأمني الرابع بين الاتحاد الأوروبي وأذربيجان؟"],
         ("desktop", "en"): ["Which airport did Azerbaijani soldiers help secure?",
                             "Who is the foreign minister of Azerbaijan?",
                             "How many days does Stoltenberg's visit to Baku last?"],
         ("phone", "ar"): ["ماذا قال ستولتنبرغ عن الطاقة؟"]}
READING_QUESTION = "What did Stoltenberg say about Azerbaijan's role in energy security?"
# the page records when each thing first shows; visible = it has a box on screen
WATCH = """() => {
  const t0 = performance.now(), seen = {};
  const shown = (sel) => [...document.querySelectorAll(sel)].some(e => e.getClientRects().length > 0);
  window.__seen = seen;
  const look = () => {
    const now = (performance.now() - t0) / 1000;
    if (!seen.progress && shown('#chat .answer.streaming .stage')) seen.progress = now;
    if (!seen.passages && shown('#sources .sources.reading .passage, #chat .answer.streaming .inline-reading li'))
      seen.passages = now;
    if (!seen.first_token && shown('#chat .answer.streaming .draft')) seen.first_token = now;
    if (document.querySelector('#chat .answer[class*="turn-"], #chat .answer.error')) seen.answer = now;
    else requestAnimationFrame(look);
  };
  document.querySelector('#ask').click();
  look();
}"""


def ask(page, question: str) -> dict:
    """Ask, wait for the checked answer; the times the page recorded (seconds from the click)."""
    page.click("#clear")
    page.wait_for_timeout(500)
    page.fill("#question textarea", question)
    page.evaluate(WATCH)
    page.wait_for_function("() => window.__seen.answer", timeout=300_000)
    seen = page.evaluate("window.__seen")
    seen["first_useful"] = min(seen.get(k, seen["answer"]) for k in ("passages", "first_token", "answer"))
    return seen


def show_cited(page) -> None:
    cite = page.query_selector("#chat .answer a.cite")
    if cite:
        cite.click()
        page.wait_for_timeout(1500)


def summary(timings: list[dict]) -> list[dict]:
    rows = []
    for view, lang in dict.fromkeys((t["view"], t["lang"]) for t in timings):
        runs = [t for t in timings if (t["view"], t["lang"]) == (view, lang)]
        row = {"view": view, "lang": lang, "questions": len(runs)}
        for key in ("progress", "first_useful", "first_token", "answer"):
            values = [t[key] for t in runs if key in t]
            row[key] = round(statistics.median(values), 2) if values else None
        rows.append(row)
    return rows


def drive(url: str, write: bool) -> list[dict]:
    from playwright.sync_api import sync_playwright

    timings = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"),
                                    headless=True, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.wait_for_selector("#library", timeout=60_000)
        page.wait_for_function("() => !document.querySelector('.pending')", timeout=60_000)
        page.wait_for_timeout(1000)
        if write:
            page.screenshot(path=str(DOCS / "screenshot-first.png"))
            page.fill("#question textarea", READING_QUESTION)
            page.click("#ask")  # untimed: caught while the draft streams next to the passages
            page.wait_for_selector("#sources .sources.reading .passage", timeout=120_000)
            page.wait_for_selector("#chat .answer.streaming .draft", timeout=120_000)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(DOCS / "screenshot-reading.png"))
            page.wait_for_selector("#chat .answer.turn-0", timeout=300_000)
        phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        for (view, lang), questions in TIMED.items():
            on = phone if view == "phone" else page
            if on.url != url:
                on.goto(url)
                on.wait_for_selector("#library", timeout=60_000)
            for question in questions:
                timings.append({"view": view, "lang": lang, "question": question, **ask(on, question)})
            if write:
                show_cited(on)
                name = "phone" if view == "phone" else lang
                on.screenshot(path=str(DOCS / f"screenshot-{name}.png"))
        browser.close()
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--app-root", type=Path, default=ROOT, help="the checkout whose app runs")
    parser.add_argument("--timings-only", action="store_true", help="time the questions; write no screenshot")
    parser.add_argument("--out", type=Path, default=ARTIFACTS / "ui-timings.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_app(Path(tmp), ARTIFACTS / "screenshots-server.log",
                              {"RAG_BACKEND": os.environ.get("RAG_BACKEND", "llamacpp")}, root=args.app_root)
        try:
            timings = drive(url, write=not args.timings_only)
        finally:
            proc.terminate()
            proc.wait(30)
    for row in timings:
        print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()}, ensure_ascii=False))
    medians = summary(timings)
    for row in medians:
        print("median", json.dumps(row))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"app_root": str(args.app_root), "runs": timings, "medians": medians}, indent=1,
                                   ensure_ascii=False))
    print(f"wrote {args.out}" + ("" if args.timings_only else " and docs/screenshot-*.png"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
