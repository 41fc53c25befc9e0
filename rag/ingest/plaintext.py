"""A plain-text file's bytes (.txt, .md) -> article text, or a reason it is refused: too large,
binary, in an encoding we do not read. The .html/.pdf/.docx readers live in ``formats.py``.

Plain text comes in whatever encoding the archive used. A byte-order mark decides (UTF-8,
UTF-16, UTF-32); then bytes that are valid UTF-8 are UTF-8. Without a BOM, NUL bytes mean
UTF-16 (every space, newline, digit and Latin letter has a NUL high byte, and neither UTF-8 text
nor Windows-1256 has NULs): the side the NULs are on gives the byte order. That is a rule of our
own because charset-normalizer picked the wrong byte order for short Latin lines (3 of 66 seed
lines, "SHARE:", "on"). Anything else is tried as Windows-1256 (cp1256, the encoding of older
Arabic archives) and charset-normalizer's mess detector decides whether that reading is text.
NUL bytes in no UTF-16 pattern, or control characters in the decoded text, mean a binary file
renamed .txt.

The trade-off: candidates are restricted to UTF-8, UTF-16 and cp1256, refusing more files to
misread fewer. With every encoding open the detector read 5 of 66 cp1256 seed paragraphs as
UTF-16 and others as cp932 or big5; restricted it decodes all 66 exactly. So Latin-1 French
comes through (cp1256 has its accented letters) while German, Spanish or Cyrillic single-byte
files are refused with a reason ("save it as UTF-8") rather than guessed.

HTML inside .txt/.md (a pasted embed, a ``<script>``) is markup, not article text: script,
style and similar elements are dropped with their content, other tags are removed and their
text kept. lxml's HTML parser does it, but only on what are HTML tags by lxml's own list of
element names: any other ``<`` ("a <b", "<3", Markdown autolinks ``<https://...>``) is escaped
first, so Markdown and prose around the markup come through unchanged.

The size limit (``too_large``) is checked on the file's size, before any byte is read, for
every file type (ingest and uploads).
"""

from __future__ import annotations

import codecs
import re

from rag.errors import IngestError

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
