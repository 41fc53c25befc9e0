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

Plain text (.txt, .md) comes in whatever encoding the archive used. A byte-order mark decides
(UTF-8, UTF-16, UTF-32); then bytes that are valid UTF-8 are UTF-8. Without a BOM, NUL bytes
mean UTF-16 (every space, newline, digit and Latin letter has a NUL high byte, and neither
UTF-8 text nor Windows-1256 has NULs): the side the NULs are on gives the byte order. That is a
rule of our own because charset-normalizer picked the wrong byte order for short Latin lines
(3 of 66 seed lines, "SHARE:", "on"). Anything else is tried as Windows-1256 (cp1256, the
encoding of older Arabic archives) and charset-normalizer's mess detector decides whether that
reading is text. Candidates are restricted to UTF-8, UTF-16 and cp1256: with every encoding
open the detector read 5 of 66 cp1256 seed paragraphs as UTF-16 and others as cp932 or big5,
and restricted it decodes all 66 exactly. So Latin-1 French comes through (cp1256 has its
accented letters) while German, Spanish or Cyrillic single-byte files are refused with a
reason ("save it as UTF-8") rather than guessed. NUL bytes in no UTF-16 pattern, or control
characters in the decoded text, mean a binary file renamed .txt.

HTML inside .txt/.md (a pasted embed, a ``<script>``) is markup, not article text: script,
style and similar elements are dropped with their content, other tags are removed and their
text kept. lxml's HTML parser does it, but only on what are HTML tags by lxml's own list of
element names: any other ``<`` ("a <b", "<3", Markdown autolinks ``<https://...>``) is escaped
first, so Markdown and prose around the markup come through unchanged.
"""

from __future__ import annotations

import codecs
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

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extracted:
    text: str  # one paragraph a line
    title: str | None = None  # as the file states it (page metadata, document properties)
    date: str | None = None  # ISO yyyy-mm-dd, as the file states it


MB = 1024 * 1024


def too_large(size: int, max_bytes: int) -> str | None:
    """Why a file of ``size`` bytes is refused, or None when it is within the limit.

    >>> too_large(30 * MB, 20 * MB), too_large(MB, MB)
    ('file too large: 30.0 MB, the limit is 20.0 MB (setting RAG_MAX_ARTICLE_MB)', None)
    """
    if size <= max_bytes:
        return None
    return f"file too large: {_size(size)}, the limit is {_size(max_bytes)} (setting RAG_MAX_ARTICLE_MB)"


def _size(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{n / 1024:.1f} KB"


_BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]  # UTF-32 LE before UTF-16 LE
_TRIED = "tried UTF-8, UTF-16 and Windows-1256 (Arabic): save it as UTF-8"
_BINARY = "a binary file, not text"
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")  # C0 controls other than tab, newlines, form feed


def _binary(text: str) -> bool:
    """Control characters in more than 0.1% of the (first 64k) characters: not text."""
    head = text[:65536]
    return len(_CONTROL.findall(head)) > max(1, len(head) // 1000)


def decode_text(raw: bytes) -> str:
    """The text of a plain-text file's bytes (see the module docstring for the order), or
    IngestError saying it is binary or which encodings were tried.

    >>> decode_text("خبر عاجل".encode("utf-16-le")), decode_text("خبر عاجل".encode("cp1256"))
    ('خبر عاجل', 'خبر عاجل')
    """
    codec = next((codec for mark, codec in _BOMS if raw.startswith(mark)), None)
    guessed = codec is None and b"\0" in raw
    if guessed:
        codec = _utf16_order(raw)
        if codec is None:
            raise IngestError(_BINARY)
    try:
        text = raw.decode(codec or "utf-8")
    except UnicodeDecodeError as exc:
        if guessed:  # NULs on one side only, yet not UTF-16: binary data
            raise IngestError(_BINARY) from exc
        if codec:  # a BOM said which: the file is damaged, not in another encoding
            raise IngestError(f"not valid {codec.removesuffix('-sig').upper()} (byte {exc.start}); {_TRIED}") from exc
        text = _cp1256(raw, exc.start)
    if _binary(text):
        raise IngestError(_BINARY)
    return text


def _utf16_order(raw: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when the NUL bytes all sit on one side of the 2-byte units."""
    if len(raw) % 2:
        return None
    even, odd = raw[0::2].count(0), raw[1::2].count(0)
    return "utf-16-le" if odd and not even else "utf-16-be" if even and not odd else None


def _cp1256(raw: bytes, bad_byte: int) -> str:
    """Windows-1256, if charset-normalizer's mess detector finds that reading plausible."""
    from charset_normalizer import from_bytes

    best = from_bytes(raw, cp_isolation=["cp1256"]).best()
    if best is None:
        if _binary(raw.decode("latin-1")):
            raise IngestError(_BINARY)
        raise IngestError(f"not valid UTF-8 (byte {bad_byte}) and not Arabic Windows-1256 text; {_TRIED}")
    return str(best)


_TAG_START = re.compile(r"<(?:/?([A-Za-z][A-Za-z0-9]*)(?=[\s/>])|!--|!\[CDATA\[|!doctype\b|\?)", re.IGNORECASE)
_DROPPED = ("script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math", "head", "title")
_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table",
           "section", "article", "header", "footer", "figure", "figcaption", "hr", "ul", "ol", "dd", "dt")


def strip_markup(text: str) -> str:
    """Plain text with any HTML in it turned to text: script/style content dropped, tags
    removed, their text kept; text without tags is returned as it is.

    >>> strip_markup("# عنوان\\n<script>alert(1)</script>نص <b>الخبر</b><img src=x onerror=alert(1)> x < y, <3")
    '# عنوان\\nنص الخبر x < y, <3'
    """
    from lxml import etree, html
    from lxml.html.defs import tags

    def markup(match: re.Match[str]) -> bool:  # an HTML tag by lxml's list, a comment, a doctype
        return match.group(1) is None or match.group(1).lower() in tags

    if not any(markup(m) for m in _TAG_START.finditer(text)):
        return text
    # every other "<" is text ("a < b", "<3", Markdown's <https://...>): escaped so lxml keeps it
    escaped = re.sub("<", lambda m: "<" if (t := _TAG_START.match(text, m.start())) and markup(t) else "&lt;", text)
    root = html.fragment_fromstring(escaped, create_parent="div")
    etree.strip_elements(root, *_DROPPED, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    for element in root.iterdescendants(*_BLOCKS):  # a block starts and ends a line
        element.text, element.tail = "\n" + (element.text or ""), "\n" + (element.tail or "")
    return "\n".join(line.rstrip() for line in root.text_content().split("\n"))


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
