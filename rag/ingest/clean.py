"""Turn a scraped news page into (title, date, cleaned body). Pure functions, no I/O.

Scraped pages carry UI debris (share buttons, ad labels, "read also" links, category words,
photo captions that repeat the headline). The rules are data, not code paths: a list of
patterns matched against a *normalised* line (tashkeel, tatweel and alef variants removed), so
"وصــل حديــثا" and "وصل حديثاً" are the same rule. The trade-off is recall over precision at
the edges: a short label line in the page header is dropped even if we have no rule for it,
because a 1-3 word line before the first paragraph is almost never content.

>>> a = clean_article("Close ad\\n\\nعنوان الخبر الرئيسي هنا اليوم\\n\\n18-3-2024 | 16:11\\nنص الخبر.\\nإعلان")
>>> (a.title, a.date, a.body)
('عنوان الخبر الرئيسي هنا اليوم', '2024-03-18', 'نص الخبر.')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.dates import find_date
from rag.text.normalize import normalize

# Whole-line debris, matched against normalize(line) with trailing punctuation stripped.
_DEBRIS_LINES = [
    r"close ad", r"advertisement", r"ad", r"share", r"share this( article)?", r"on", r"by",
    r"tweet", r"print", r"email", r"comments?", r"related( articles| topics)?",
    r"tags?", r"published", r"updated", r"home",
    r"تم النشر", r"نشر في", r"اعلان", r"حصه هذه الماده", r"شارك( هذا| هذه)?( الخبر| المقال)?",
    r"مشاركه", r"طباعه", r"موضوعات مقترحه", r"مواضيع ذات صله", r"اخبار ذات صله", r"كلمات البحث",
    r"الكلمات المفتاحيه", r"وسوم", r"وصل حديثا", r"الاكثر قراءه", r"الرئيسيه",
    r"[\u0621-\u064a](?: [\u0621-\u064a]){1,3}",  # agency initials such as "أ ش أ"
]
_DEBRIS = re.compile(r"^(?:" + "|".join(_DEBRIS_LINES) + r")$")
# Debris that starts a short line (<= 12 words) and may carry a link text or a date after it.
_DEBRIS_STARTS = re.compile(
    r"^(?:اقرا ايضا|اقرا المزيد|شاهد ايضا|طالع ايضا|اتصل بنا|تابعونا|تابعنا|تاريخ النشر|نشر في|"
    r"read more|read also|see also|related|published|updated|follow us|subscribe)\b"
)

# Debris glued to the start of a content line.
_GLUED_PREFIX = re.compile(r"^\s*(?:وص\u0640*ل\u0640*\s+ح\u0640*د\u0640*ي\u0640*ث\u0640*اً?|Close ad|SHARE:)\s*")

_DATE_ONLY_LINE = re.compile(r"^[\d\s\-/.|:،,صمampAMP]+$")


@dataclass(frozen=True)
class CleanArticle:
    title: str
    date: str | None  # ISO yyyy-mm-dd when the page carries a date
    body: str  # paragraphs separated by "\n"


def _key(line: str) -> str:
    """Normalised form used for rule matching and duplicate detection."""
    return re.sub(r"[\s:|.\-–—…!؟?،,\"'«»“”]+", " ", normalize(line)).strip()


def is_debris(line: str) -> bool:
    """Whole-line debris test on the normalised line.

    >>> is_debris("SHARE:"), is_debris("اقرأ أيضًا | خبر آخر"), is_debris("نص حقيقي طويل")
    (True, True, False)
    """
    key = _key(line)
    return bool(_DEBRIS.match(key)) or (len(key.split()) <= 12 and bool(_DEBRIS_STARTS.match(key)))


_SENTENCE_END = re.compile(r"[.!?؟…][\"'»”)\]]*$")


def _is_title_candidate(line: str) -> bool:
    """A headline: 4-35 words, not debris, and not a long line ending like a sentence (the lead
    paragraph of an encyclopedic article, "نهر النيل هو أطول أنهار العالم، ... كيلومترًا.")."""
    n_words = len(line.split())
    sentence = n_words >= 12 and bool(_SENTENCE_END.search(line))
    return 4 <= n_words <= 35 and not sentence and not is_debris(line)


def _short_title(lines: list[str]) -> int | None:
    """Index of a 1-3 word title line ("نهر النيل", "ابن سينا"), for pages whose header holds
    no longer headline: the first such line that is not a bare date."""
    return next((i for i, line in enumerate(lines) if len(line.split()) <= 3 and not find_date(line)), None)


def clean_article(raw: str, fallback_title: str = "", title: str | None = None) -> CleanArticle:
    """``title``: the headline when the file states it (page metadata, document properties); it
    is kept as is, and no other line is taken for the headline and dropped from the body.

    >>> page = "The pound fell sharply on Wednesday\\nTraders blamed the rate decision."
    >>> clean_article(page).body, clean_article(page, title="Pound falls").body
    ('Traders blamed the rate decision.', 'The pound fell sharply on Wednesday\\nTraders blamed the rate decision.')
    """
    raw_lines = [_GLUED_PREFIX.sub("", line).strip() for line in raw.replace("\r\n", "\n").split("\n")]
    raw_lines = [line for line in raw_lines if line]
    lines = [line for line in raw_lines if not is_debris(line)]

    # Header zone: everything before the first real paragraph (>= 12 words).
    first_para = next((i for i, line in enumerate(lines) if len(line.split()) >= 12), len(lines))
    title = (title or "").strip()
    if title:
        title_at = next((i for i, line in enumerate(lines) if _key(line) == _key(title)), None)
    else:
        title_at = next((i for i, line in enumerate(lines[: first_para + 1]) if _is_title_candidate(line)), None)
        if title_at is None and first_para < len(lines):
            title_at = _short_title(lines[:first_para])
        title = lines[title_at] if title_at is not None else ""
    header_end = first_para if first_para < len(lines) else (title_at or 0)
    # The date sits in the page header, sometimes on a debris line ("Published: ...").
    raw_para = next((i for i, line in enumerate(raw_lines) if len(line.split()) >= 12), len(raw_lines))
    date = next((d for d in map(find_date, raw_lines[: raw_para + 2]) if d), None)

    title_key = _key(title)
    body: list[str] = []
    seen: set[str] = set()
    for i, line in enumerate(lines):
        key = _key(line)
        if line == title and title_key not in seen:
            seen.add(title_key)
            continue
        if title_key and key.startswith(title_key) and len(key.split()) - len(title_key.split()) <= 8:
            continue  # a caption repeating the headline (a lead paragraph that starts with it stays)
        if i < header_end and len(line.split()) <= 3:  # category labels in the header
            continue
        if _DATE_ONLY_LINE.match(line) and find_date(line):
            continue
        if key in seen and len(line.split()) < 12:  # repeated short lines
            continue
        seen.add(key)
        body.append(line)

    if not title:
        title = fallback_title or (body[0][:80] if body else "")
    return CleanArticle(title=title, date=date, body="\n".join(body))
