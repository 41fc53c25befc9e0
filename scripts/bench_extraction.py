"""How well article text, title and date come out of saved news pages and document files.

Pages: tests/fixtures/pages/*.html (realistic saved Arabic news pages: menus, ticker, ads, share
buttons, "اقرأ أيضا" blocks, comments, footer, cookie notice, scripts) with their known body,
title and date in truth.json. For each page, bag-of-words precision / recall / F1 of the
extracted body against the known body, for:

  naive         lxml text_content() of the whole page
  naive+clean   that text through clean_article (as if the page had been saved as .txt)
  trafilatura   rag.ingest.formats.read_html (trafilatura; title and date from the page)
  stored        what the index stores: read_html then clean_article (page title and date win)

Files: the text the PDF and DOCX readers extract, against the text the fixtures were made
from (tests/fixtures/make_fixtures.py; running header and page footer excluded): word P/R/F1
and how many source paragraphs come out verbatim, each as one line.

    .venv/bin/python scripts/bench_extraction.py
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

from lxml import html

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.ingest.clean import clean_article  # noqa: E402
from rag.ingest.formats import extract, read_html  # noqa: E402
from tests.fixtures import make_fixtures as source  # noqa: E402

PAGES = ROOT / "tests" / "fixtures" / "pages"
FILES = ROOT / "tests" / "fixtures" / "files"


def words(text: str) -> Counter:
    return Counter(re.findall(r"\w+", text.lower()))


def prf(got: str, truth: str) -> tuple[float, float, float]:
    g, t = words(got), words(truth)
    common = sum((g & t).values())
    p = common / max(sum(g.values()), 1)
    r = common / max(sum(t.values()), 1)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def verdict(got: str | None, want: str) -> str:
    return "ok" if got == want else "none" if got is None else f"WRONG: {got!r}"


def row(*cells) -> str:
    return "| " + " | ".join(str(c) for c in cells) + " |"


def pages_table() -> list[str]:
    truth = json.loads((PAGES / "truth.json").read_text(encoding="utf-8"))
    out = [row("page", "method", "words", "P", "R", "F1", "title", "date"), row(*["---"] * 8)]
    for name, known in truth.items():
        raw = (PAGES / name).read_bytes()
        body = "\n".join(known["body"])
        naive = html.fromstring(raw).text_content()
        naive_clean = clean_article(naive, fallback_title=Path(name).stem)
        page = read_html(raw)
        stored = clean_article(page.text, fallback_title=Path(name).stem, title=page.title)
        runs = [
            ("naive", naive, None, None),
            ("naive+clean", naive_clean.body, naive_clean.title, naive_clean.date),
            ("trafilatura", page.text, page.title, page.date),
            ("stored", stored.body, stored.title, page.date or stored.date),
        ]
        for method, text, title, date in runs:
            p, r, f = prf(text, body)
            ok_title = "-" if method == "naive" else verdict(title, known["title"])
            ok_date = "-" if method == "naive" else verdict(date, known["date"])
            out.append(row(name.removesuffix(".html"), method, sum(words(text).values()),
                           f"{p:.2f}", f"{r:.2f}", f"{f:.2f}", ok_title, ok_date))
    return out


def files_table() -> list[str]:
    suez = [source.SUEZ_TITLE, source.SUEZ_DATELINE] + [p for page in source.SUEZ_PAGES for p in page]
    metro = ([source.METRO_TITLE, source.METRO_DATELINE] + source.METRO_BODY + [source.METRO_HEADING]
             + source.METRO_MORE + [" | ".join(cells) for cells in source.METRO_TABLE])
    known = {"suez_canal_ar.pdf": suez, "reshaped_ar.pdf": [source.RESHAPED],
             "baku_en.pdf": [source.BAKU_TITLE] + source.BAKU_BODY, "riyadh_metro_en.docx": metro}
    out = [row("file", "words", "P", "R", "F1", "paragraphs verbatim"), row(*["---"] * 6)]
    for name, paragraphs in known.items():
        text = extract(Path(name).suffix, (FILES / name).read_bytes()).text
        p, r, f = prf(text, "\n".join(paragraphs))
        verbatim = sum(paragraph in text.split("\n") for paragraph in paragraphs)
        out.append(row(name, sum(words(text).values()), f"{p:.2f}", f"{r:.2f}", f"{f:.2f}",
                       f"{verbatim}/{len(paragraphs)}"))
    return out


def main() -> None:
    print("\n".join(pages_table()))
    print()
    print("\n".join(files_table()))


if __name__ == "__main__":
    main()
