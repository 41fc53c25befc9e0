"""Bytes of an article file -> ``Extracted(text, title, date)``, one reader per file type.

A reader only turns a file into plain text with one paragraph a line, plus the title and date
when the file itself states them (page metadata, document properties). Everything after that is
the .txt path: ``clean_article`` (debris, headline, date in the text), splitting, offsets into
the cleaned body. So the index and the citations never know where the text came from.

The trade-off: maintained extractors instead of rules of our own (trafilatura finds the article
in a page, pypdf reads the text layer, python-docx the paragraphs), accepting what they miss and
leaving in-body debris ("اقرأ أيضا" lines, ad labels) to ``clean_article``. Layout tables are
dropped with the page chrome (``include_tables=False``), so a data table inside an article is
lost too. PDF text comes in pypdf's runs, in visual order with each Arabic run already in
reading order; an Arabic line's runs are put back in reading order here, and lines are joined
into paragraphs by their spacing. That assumes a producer that lays a line out left to right
(HarfBuzz-based ones, arabic-reshaper), and reads two columns side by side as the content
stream orders them. A PDF's title and date properties are not used (usually a file name and the
export date), nor a .docx's dates. Scanned PDFs are refused: there is no OCR here.

Plain text (.txt, .md) is decoded and stripped of markup by ``plaintext.py`` (``read_text``
below only wraps it), which also holds the size limit every file type is checked against.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from itertools import pairwise

from rag.errors import IngestError
from rag.ingest.plaintext import decode_text, strip_markup

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extracted:
    text: str  # one paragraph a line
    title: str | None = None  # as the file states it (page metadata, document properties)
    date: str | None = None  # ISO yyyy-mm-dd, as the file states it


def read_text(raw: bytes) -> Extracted:
    return Extracted(strip_markup(decode_text(raw)))


_EMBEDS = "//blockquote[contains(@class, 'twitter-tweet') or contains(@class, 'instagram-media')]"


def read_html(raw: bytes) -> Extracted:
    import trafilatura
    from lxml import html
    from trafilatura.settings import Document, set_date_params

    # dates from the markup only (meta, JSON-LD, <time>): htmldate's search of the text guesses
    # "2021-01-01" from "© 2021" and cannot read Arabic month names; clean_article reads those
    doc = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False, include_tables=False,
                                      prune_xpath=_EMBEDS, date_extraction_params=set_date_params(False))
    if not isinstance(doc, Document) or not (doc.text or "").strip():
        raise IngestError("no article text found in the page")
    title = doc.title
    parts = re.split(r"\s+[-|–—]\s+", title or "")
    if title and len(parts) > 1 and len(parts[0].split()) >= 3:  # "headline - section": keep the printed one
        body = html.fromstring(raw).find("body")
        printed = " ".join(body.text_content().split()) if body is not None else ""
        title = parts[0] if parts[0] in printed and title not in printed else title
    return Extracted(doc.text or "", title, doc.date)


_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_STRONG_LTR = re.compile(r"[A-Za-z\u00c0-\u024f0-9]")
_PRESENTATION = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]+")
_SENTENCE_END = re.compile(r"[.!?؟…:»\"”]$")


def _logical(runs: list[str], rtl: bool = False) -> str:
    """One PDF line from pypdf's runs, which come in visual (left-to-right) order with each
    Arabic run already in logical order: in a mostly Arabic line the runs are put back in
    reading order (a Latin or number run keeps its order: "Maersk", " and ", "MSC"). Arabic
    presentation forms become base letters (NFKC). ``rtl``: the page's direction, for a line
    with no letters ("%.46").

    >>> _logical(["% في يناير", "46 ", "قناة السويس: تراجع الإيرادات"])
    'قناة السويس: تراجع الإيرادات 46% في يناير'
    """
    text = "".join(runs)
    arabic, latin = len(_ARABIC.findall(text)), len(_LATIN.findall(text))
    if arabic > latin or (rtl and not arabic + latin):
        tokens: list[tuple[str, str]] = []  # (kind, text): R Arabic run, L Latin or digits, N neutral
        for run in runs:
            if _ARABIC.search(run) or not _STRONG_LTR.search(run):
                tokens.append(("R" if _ARABIC.search(run) else "N", run))
                continue
            head, core, tail = _split_neutrals(run)
            tokens += [(kind, part) for kind, part in (("N", head), ("L", core), ("N", tail)) if part]
        kinds = "".join(kind for kind, _ in tokens)
        groups = [[text for _, text in tokens[m.start():m.end()]] for m in re.finditer(r"L(?:N*L)*|.", kinds)]
        text = " ".join("".join(group) for group in reversed(groups))
        text = re.sub(r"(?<!\S)([وبلفك]) (?=[A-Za-z0-9])", r"\1", text)  # "و MSC" was "وMSC"
    else:  # a Latin line: neutrals pypdf put before an Arabic run stood after it ("Baku (باكو) ")
        text = "".join(_move_neutrals(run) if _ARABIC.search(run) else run for run in runs)
    text = re.sub(r"\s+([،,.:;؛!?؟%)\]»])", r"\1", re.sub(r"([(\[«])\s+", r"\1", text))
    text = _PRESENTATION.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
    return " ".join(text.split())


_NEUTRAL_EDGES = re.compile(r"(\W*)(.*?)(\W*)", re.DOTALL)


def _split_neutrals(run: str) -> tuple[str, str, str]:
    """(leading neutrals, the rest, trailing neutrals) of a run."""
    match = _NEUTRAL_EDGES.fullmatch(run)
    assert match is not None  # every string matches
    head, core, tail = match.groups()
    return head, core, tail


def _move_neutrals(run: str) -> str:
    head, core, tail = _split_neutrals(run)
    return core + tail + head[::-1]


def _pdf_lines(page) -> list[tuple[str, float, float]]:
    """(text, y, font size) of each line of a page, from pypdf's runs."""
    lines: list[list] = [[[], None, 0.0]]

    def visit(text, cm, tm, font, size):
        for i, piece in enumerate(text.split("\n")):
            if i:
                lines.append([[], None, 0.0])
            if piece.strip() and lines[-1][1] is None:
                lines[-1][1:] = [tm[5] * cm[3] + cm[5], abs(size * tm[3] * cm[3]) or size]
            lines[-1][0].append(piece)

    page.extract_text(visitor_text=visit)
    text = "".join(piece for runs, _, _ in lines for piece in runs)
    rtl = len(_ARABIC.findall(text)) > len(_LATIN.findall(text))
    return [(_logical(runs, rtl), y, size) for runs, y, size in lines if "".join(runs).strip()]


def read_pdf(raw: bytes) -> Extracted:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(raw))
    if reader.is_encrypted and not reader.decrypt(""):
        raise IngestError("the PDF is password-protected: save a copy without a password")
    pages = [_pdf_lines(page) for page in reader.pages]
    if not any(pages):
        raise IngestError("no text layer (a scanned PDF?): run OCR first, e.g. "
                          "`ocrmypdf scan.pdf scan-ocr.pdf`, then add the OCR'd file")
    # running headers and page footers: a line (digits aside) on most pages
    seen = Counter(key for page in pages for key in {re.sub(r"\d+", "#", text) for text, _, _ in page})
    pages = [[line for line in page if len(pages) < 2 or seen[re.sub(r"\d+", "#", line[0])] <= len(pages) / 2]
             for page in pages]
    # line pitch (baseline gap / font size) inside a paragraph; a wider gap or a new size starts one
    ratios = sorted(r for page in pages for a, b in pairwise(page) if (r := (a[1] - b[1]) / (b[2] or 1)) >= 0.8)
    pitch = ratios[len(ratios) // 5] if ratios else 1.2
    paragraphs: list[str] = []
    for page in pages:
        for i, (text, y, size) in enumerate(page):
            prev = page[i - 1] if i else None
            joined = (prev and abs(prev[2] - size) < 0.1 * size and 0 < prev[1] - y <= 1.3 * pitch * size) \
                or (not i and paragraphs and not _SENTENCE_END.search(paragraphs[-1]))  # runs on a page
            if joined:
                paragraphs[-1] += " " + text
            else:
                paragraphs.append(text)
    return Extracted("\n".join(paragraphs))


def read_docx(raw: bytes) -> Extracted:
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(raw))
    lines, heading = [], None
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines += [" | ".join(dict.fromkeys(c.text.strip() for c in row.cells if c.text.strip()))
                      for row in block.rows]
            continue
        style = block.style.name if block.style is not None else ""
        if heading is None and block.text.strip() and (style == "Title" or style.startswith("Heading")):
            heading = block.text.strip()
        lines.append(block.text.strip())
    text = "\n".join(line for line in lines if line)
    if not text:
        raise IngestError("the document has no text")
    return Extracted(text, (document.core_properties.title or "").strip() or heading)


@dataclass(frozen=True)
class Format:
    read: Callable[[bytes], Extracted]
    version: str  # part of the content hash: a new reader or library version re-reads the file


_HTML = Format(read_html, f"html-1 trafilatura-{version('trafilatura')}")
_PDF = Format(read_pdf, f"pdf-1 pypdf-{version('pypdf')}")
_DOCX = Format(read_docx, f"docx-1 python-docx-{version('python-docx')}")
SUFFIXES: dict[str, Format] = {".txt": Format(read_text, ""), ".md": Format(read_text, ""),
                               ".html": _HTML, ".htm": _HTML, ".pdf": _PDF, ".docx": _DOCX}


def extract(suffix: str, raw: bytes) -> Extracted:
    """Text, title and date of a file's bytes, or IngestError with a reason a person can act on."""
    try:
        return SUFFIXES[suffix.lower()].read(raw)
    except IngestError:
        raise
    except Exception as exc:  # parsers of arbitrary files raise anything; a bad file is a report line
        log.debug("reading a %s file failed", suffix, exc_info=True)
        raise IngestError(f"not a readable {suffix.lower()} file ({type(exc).__name__}: {exc})") from exc
