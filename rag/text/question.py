"""What a question must be before any model sees it. Pure: no I/O, no models.

``clean_question`` is called by every way in (``RAG.ask/stream/retrieve``, the query engine, so
the CLI, the UI, ``/ask`` and llama-index users alike) and either returns the question as it
will be searched or raises ``QuestionError`` with a message in the question's own language.

The trade-off: invisible characters are *removed* silently (NUL and other control characters,
bidirectional marks and isolates, zero-width joiners, byte-order marks), because they carry
no meaning and a user pasting from a web page or a PDF cannot see them; while a question that is
empty, too long, or has no word at all is *refused at once* with a specific message, because
guessing would cost 20 s of embedding (50,000 characters) or an answer to nothing. Mixed
scripts, digits-only words and very long words are allowed: they are real questions
("What did جيهون بيراموف say?", "2024؟", a URL), and the length limit bounds the cost.

>>> clean_question("  \\u200fمن التقى\\x00 الوزير؟\\u200e ", 1000)
'من التقى الوزير؟'
>>> clean_question("؟؟؟ 🙂", 1000)
Traceback (most recent call last):
...
rag.errors.QuestionError: السؤال لا يحوي كلمات يمكن البحث عنها.
"""

from __future__ import annotations

import re
import unicodedata

from rag.errors import QuestionError
from rag.text.language import detect_language

# Cc (controls, incl. NUL; \t \n kept as spaces) and the invisible format characters people
# paste by accident: bidi marks/embeddings/isolates, zero-width space/joiners, BOM, soft hyphen.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_WORD = re.compile(r"[^\W_]", re.UNICODE)  # a letter or a digit in any script


_MESSAGES = {
    "empty": {"en": "Please type a question.", "ar": "اكتب سؤالًا من فضلك."},
    "long": {"en": "The question is {n:,} characters long; the limit is {limit:,} (RAG_MAX_QUESTION_CHARS). "
                   "Please ask a shorter question.",
             "ar": "طول السؤال {n:,} حرفًا والحد {limit:,} (RAG_MAX_QUESTION_CHARS). اكتب سؤالًا أقصر من فضلك."},
    "words": {"en": "The question has no words to search for.", "ar": "السؤال لا يحوي كلمات يمكن البحث عنها."},
}


def _refuse(kind: str, text: str, **values: int) -> QuestionError:
    language = detect_language(text, default="ar" if re.search("[\u0600-\u06ff]", text) else "en")
    return QuestionError(_MESSAGES[kind][language].format(**values))


def strip_invisible(text: str) -> str:
    """Controls become spaces (a NUL or tab between words still separates them), invisible
    format characters vanish, runs of whitespace become one space.

    >>> strip_invisible("a\\x00b\\u200fc\\td")
    'a bc d'
    """
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text)
    return " ".join(_INVISIBLE.sub("", text).split())


def clean_question(question: str | None, max_chars: int) -> str:
    """The question as it will be searched, or ``QuestionError`` saying what is wrong."""
    raw = question if isinstance(question, str) else ""
    if len(raw) > max_chars * 4:  # refuse a huge paste before even scanning it character by character
        raise _refuse("long", raw[:2000], n=len(raw), limit=max_chars)
    text = strip_invisible(raw)
    if not text:
        raise _refuse("empty", raw)
    if len(text) > max_chars:
        raise _refuse("long", text[:2000], n=len(text), limit=max_chars)
    if not _WORD.search(text):
        raise _refuse("words", text)
    return text
