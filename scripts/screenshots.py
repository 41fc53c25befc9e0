"""Regenerate the README screenshots and measure the chat's timings as a reader sees them.

``make screenshots`` (or ``.venv/bin/python scripts/screenshots.py``) starts ``python -m app`` on
a fresh data folder (it indexes seeds/), drives it in headless Chromium and writes
docs/screenshot-ar.png, docs/screenshot-en.png (desktop 1400x1000) and docs/screenshot-phone.png
(390x844). For every question it prints, measured in the browser from the click on Ask: the
first visible progress state, the first draft token, and the checked answer (seconds). The
test suite never writes to docs/: only this script does.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from scripts.app_process import start_app  # noqa: E402

DOCS, ARTIFACTS = ROOT / "docs", ROOT / "artifacts"
QUESTIONS = {"ar": "ما المطار الذي ساهم جنود أذربيجان في تأمينه؟",
             "en": "Which airport did Azerbaijani soldiers help secure?",
             "phone": "من هو وزير الخارجية الأذربيجاني؟"}  # another question: a repeat would reuse the KV cache
TIMER = """() => new Promise((resolve) => {
  const t0 = performance.now(), seen = {};
  const look = () => {
    const now = (performance.now() - t0) / 1000;
    if (!seen.progress && document.querySelector('#chat .answer.streaming .stage')) seen.progress = now;
    if (!seen.first_token && document.querySelector('#chat .answer.streaming .draft')) seen.first_token = now;
    const done = document.querySelector('#chat .answer[class*="turn-"], #chat .answer.error');
    if (done) { seen.answer = now; resolve(seen); } else requestAnimationFrame(look);
  };
  document.querySelector('#ask').click();
  look();
})"""


def ask(page, question: str) -> dict:
    page.fill("#question textarea", question)
    return page.evaluate(TIMER)


def main() -> int:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    timings = []
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_app(Path(tmp), ARTIFACTS / "screenshots-server.log",
                              {"RAG_BACKEND": os.environ.get("RAG_BACKEND", "llamacpp")})
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.goto(url)
                page.wait_for_selector("#library", timeout=60_000)
                for lang in ("ar", "en"):
                    page.click("#clear")
                    timings.append({"view": "desktop", "lang": lang, **ask(page, QUESTIONS[lang])})
                    cite = page.query_selector("#chat .answer a.cite")
                    if cite:
                        cite.click()
                        page.wait_for_timeout(1500)
                    page.screenshot(path=str(DOCS / f"screenshot-{lang}.png"))
                phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
                phone.goto(url)
                phone.wait_for_selector("#library", timeout=60_000)
                timings.append({"view": "phone", "lang": "ar", **ask(phone, QUESTIONS["phone"])})
                cite = phone.query_selector("#chat .answer a.cite")
                if cite:
                    cite.click()
                    phone.wait_for_timeout(1500)
                phone.screenshot(path=str(DOCS / "screenshot-phone.png"))
                browser.close()
        finally:
            proc.terminate()
            proc.wait(30)
    for row in timings:
        print(json.dumps({k: round(v, 2) if isinstance(v, float) else v for k, v in row.items()}))
    (ARTIFACTS / "ui-timings.json").write_text(json.dumps(timings, indent=1))
    print("wrote docs/screenshot-ar.png, docs/screenshot-en.png, docs/screenshot-phone.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
