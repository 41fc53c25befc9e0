"""Articles by link and by feed: fetch a page (bounded), check that an article can be read from
it, save it under ``Settings.web_dir`` and let the ordinary pipeline index the saved file.

The trade-off: saving the page and indexing the file (instead of indexing straight from
memory) costs a few kilobytes on disk, but one code path then cleans, splits, hashes and
re-indexes every article whatever its origin, a re-run is incremental for free, and the page
is still there to read when the site is gone. The URL goes in a ``<file>.url`` beside it,
which the pipeline stores with the article so citations can link to it.

Bounded on purpose: only http(s); a timeout per request (``web_timeout_s``); at most
``web_max_redirects`` redirects; a body over ``max_article_mb`` is refused while it streams
(never read whole); a feed yields at most ``feed_max_entries`` entries, and an entry whose
page was saved before is not fetched again. Every failure is a ``(url, reason)`` a person can
act on: unreachable, an HTTP error, too big, not an article, nothing extracted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import httpx

from rag.errors import IngestError
from rag.ingest.formats import read_html
from rag.ingest.plaintext import MB, too_large
from rag.settings import Settings

log = logging.getLogger(__name__)

PAGE_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml")
USER_AGENT = "bilingual-news-rag/0.1 (+local reader)"


def is_link(text: str | os.PathLike) -> bool:
    """True for something that looks like a URL (``scheme://``), so ingest treats it as a link.

    >>> is_link("https://example.com/a"), is_link("seeds"), is_link("ftp://x/y")
    (True, False, True)
    """
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", str(text)))


def saved_path(settings: Settings, url: str) -> Path:
    """Where the page of ``url`` is saved: ``<host>-<12 hex of sha256(url)>.html`` (its article id)."""
    host = re.sub(r"[^A-Za-z0-9-]+", "-", urlparse(url).hostname or "page").strip("-")[:40] or "page"
    return settings.web_dir / f"{host}-{hashlib.sha256(url.encode()).hexdigest()[:12]}.html"


def source_url(path: Path) -> str:
    """The URL recorded beside a saved page ("" for a file that did not come from a link)."""
    marker = path.with_name(path.name + ".url")
    try:
        return marker.read_text(encoding="utf-8").strip() if marker.is_file() else ""
    except OSError:
        return ""


@dataclass
class Fetched:
    url: str  # after redirects
    content_type: str
    body: bytes


def fetch(url: str, settings: Settings) -> Fetched:
    """The body of ``url`` within the limits (module docstring), or IngestError saying why not."""
    scheme = urlparse(url).scheme.lower()
    if scheme not in ("http", "https") or not urlparse(url).hostname:
        raise IngestError(f"only http(s) links can be added, not {scheme or 'this'}: {url}")
    limit = int(settings.max_article_mb * MB)
    try:
        with httpx.Client(follow_redirects=True, max_redirects=settings.web_max_redirects,
                          timeout=settings.web_timeout_s, headers={"User-Agent": USER_AGENT}) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise IngestError(f"the site answered {response.status_code} {response.reason_phrase}")
                declared = int(response.headers.get("content-length") or 0)
                if too_large(declared, limit):
                    raise IngestError(f"too big: {too_large(declared, limit)}")
                body = bytearray()
                for part in response.iter_bytes():
                    body.extend(part)
                    if too_large(len(body), limit):
                        raise IngestError(f"too big: more than {settings.max_article_mb:g} MB (setting RAG_MAX_ARTICLE_MB)")
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                return Fetched(str(response.url), kind, bytes(body))
    except httpx.TooManyRedirects:
        raise IngestError(f"more than {settings.web_max_redirects} redirects") from None
    except httpx.TimeoutException:
        raise IngestError(f"unreachable: no answer within {settings.web_timeout_s:g} s") from None
    except httpx.HTTPError as exc:
        raise IngestError(f"unreachable: {exc}") from None


def feed_links(fetched: Fetched, limit: int) -> list[str] | None:
    """The entry links of a feed (newest first, at most ``limit``), or None when it is no feed."""
    if fetched.content_type in PAGE_TYPES:
        return None
    import feedparser

    parsed = feedparser.parse(fetched.body)
    if not parsed.get("version") or parsed.get("bozo") and not parsed.entries:
        return None
    links = [e.get("link", "") for e in parsed.entries if str(e.get("link", "")).startswith(("http://", "https://"))]
    return list(dict.fromkeys(links))[:limit]


def save_page(settings: Settings, url: str, fetched: Fetched) -> Path:
    """Check an article can be read from the page, then save it and its URL (atomically)."""
    if fetched.content_type and fetched.content_type not in PAGE_TYPES:
        raise IngestError(f"not an article: the link serves {fetched.content_type}")
    try:
        read_html(fetched.body)
    except IngestError:
        raise IngestError("nothing could be extracted from the page (behind a paywall, or built by script?)") from None
    path = saved_path(settings, url)
    path.parent.mkdir(parents=True, exist_ok=True)
    for target, data in ((path.with_name(path.name + ".url"), fetched.url.encode()), (path, fetched.body)):
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(data)
        os.replace(tmp.name, target)
    return path


def collect(links: list[str], settings: Settings) -> tuple[list[Path], list[tuple[str, str]]]:
    """Fetch pages and feeds: (saved page files to ingest, (url, reason) for each failure).
    A feed entry saved by an earlier run is not fetched again (its file is still ingested,
    which reports it unchanged)."""
    paths: list[Path] = []
    failed: list[tuple[str, str]] = []
    for link in links:
        try:
            fetched = fetch(link, settings)
            entries = feed_links(fetched, settings.feed_max_entries)
            if entries is None:
                paths.append(save_page(settings, link, fetched))
                continue
            if not entries:
                failed.append((link, "a feed with no entry links"))
            for entry in entries:
                known = saved_path(settings, entry)
                if known.is_file():
                    paths.append(known)
                    continue
                try:
                    paths.append(save_page(settings, entry, fetch(entry, settings)))
                except IngestError as exc:
                    failed.append((entry, str(exc)))
        except IngestError as exc:
            failed.append((link, str(exc)))
    log.info("web: %d pages to index, %d links failed", len(paths), len(failed))
    return paths, failed
