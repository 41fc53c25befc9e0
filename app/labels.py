"""Every word the UI shows, in Arabic and English, in one place (pure: no gradio).

Two uses, two helpers. Controls that every reader shares (buttons, settings, panels) carry
both languages at once, ``both("ask")`` -> "Ask · اسأل" (each half isolated, see ``pair``), because the UI cannot know a reader's
language before they type. Messages that belong to one question (progress states, a withdrawn
draft, a stopped answer) speak that question's language only: ``say("writing", "ar")``.
The trade-off: bilingual labels are longer than one-language ones, which costs width on a phone;
we keep each label short instead of adding a language switch the reader must find first.

>>> both("ask").replace("\u2068", "<").replace("\u2069", ">"), say("searching", "ar"), say("searching", "fr")
('<Ask> · <اسأل>', 'أبحث في المقالات…', 'Searching the articles…')
>>> articles_indexed(5, "ar"), articles_indexed(1, "en")
('المقالات المفهرسة: 5', '1 article indexed')
"""

from __future__ import annotations

TEXT: dict[str, dict[str, str]] = {
    # controls
    "title": {"en": "Ask the news", "ar": "اسأل الأخبار"},
    "ask": {"en": "Ask", "ar": "اسأل"},
    "stop": {"en": "Stop", "ar": "إيقاف"},
    "clear": {"en": "Clear", "ar": "مسح"},
    "placeholder": {"en": "Ask in Arabic or English (Enter sends, Shift+Enter adds a line)",
                    "ar": "اسأل بالعربية أو بالإنجليزية (Enter للإرسال، Shift+Enter لسطر جديد)"},
    "examples": {"en": "Examples", "ar": "أمثلة"},
    "conversation": {"en": "Conversation", "ar": "المحادثة"},
    "conversations": {"en": "Conversations", "ar": "المحادثات"},
    "new_conversation": {"en": "New chat", "ar": "محادثة جديدة"},
    "delete_conversation": {"en": "Delete this conversation", "ar": "حذف هذه المحادثة"},
    "settings": {"en": "Settings", "ar": "الإعدادات"},
    "passages": {"en": "How many passages to read", "ar": "عدد المقاطع التي تُقرأ"},
    "answer_language": {"en": "Answer language", "ar": "لغة الإجابة"},
    "model": {"en": "Model that writes the answers", "ar": "النموذج الذي يكتب الإجابات"},
    "search_articles": {"en": "Search titles", "ar": "ابحث في العناوين"},
    "add_articles": {"en": "Add articles", "ar": "إضافة مقالات"},
    "delete_article": {"en": "Delete the chosen article", "ar": "حذف المقال المختار"},
    "choose_article": {"en": "Article to delete", "ar": "المقال المراد حذفه"},
    "article_title": {"en": "Title", "ar": "العنوان"},
    "article_date": {"en": "Date", "ar": "التاريخ"},
    "scope": {"en": "Ask within", "ar": "اسأل ضمن"},
    "scope_articles": {"en": "Only these articles", "ar": "هذه المقالات فقط"},
    "since": {"en": "From (date)", "ar": "من تاريخ"},
    "until": {"en": "To (date)", "ar": "إلى تاريخ"},
    "add_link": {"en": "Add a link: a news page or an RSS/Atom feed", "ar": "أضف رابطا: صفحة خبر أو موجز RSS/Atom"},
    "add_link_button": {"en": "Add the link", "ar": "أضف الرابط"},
    "export": {"en": "Export as Markdown", "ar": "تصدير بصيغة Markdown"},
    "exported": {"en": "Conversation file", "ar": "ملف المحادثة"},
    # one question's messages
    "searching": {"en": "Searching the articles…", "ar": "أبحث في المقالات…"},
    "writing": {"en": "Writing the answer…", "ar": "أكتب الإجابة…"},
    "checking": {"en": "Checking the answer against the sources…", "ar": "أتحقق من الإجابة في المصادر…"},
    "draft": {"en": "Draft, not checked yet", "ar": "مسودة لم يُتحقق منها بعد"},
    "stopped": {"en": "Stopped: this answer was not finished.", "ar": "أُوقفت: لم تكتمل هذه الإجابة."},
    "withdrawn": {"en": "The draft answer could not be verified against the sources, so it was withdrawn.",
                  "ar": "تعذّر التحقق من مسودة الإجابة في المصادر، فسُحبت."},
    "reading": {"en": "The model is reading these passages (the answer's sources appear once it is checked)",
                "ar": "يقرأ النموذج هذه المقاطع (تظهر مصادر الإجابة بعد التحقق منها)"},
    "closest": {"en": "Closest passages found (they may not answer the question)",
                "ar": "أقرب المقاطع التي وُجدت (قد لا تجيب عن السؤال)"},
    "sources": {"en": "Sources", "ar": "المصادر"},
}


def say(key: str, lang: str | None) -> str:
    """One language: Arabic for "ar", English otherwise."""
    entry = TEXT[key]
    return entry["ar"] if lang == "ar" else entry["en"]


def pair(en: str, ar: str) -> str:
    """English and Arabic in one label, each half a bidi isolate (U+2068 ... U+2069) so neither
    reorders the other: brackets, "Shift+Enter" or a number stay where each language puts them."""
    return f"\u2068{en}\u2069 · \u2068{ar}\u2069"


def both(key: str) -> str:
    return pair(TEXT[key]["en"], TEXT[key]["ar"])


def articles_indexed(n: int, lang: str) -> str:
    if lang == "ar":  # "indexed articles: N" reads right for every N (Arabic plurals depend on it)
        return f"المقالات المفهرسة: {n}"
    return f"{n} article{'s' if n != 1 else ''} indexed"


def within(articles: list[str] | None, since: str | None, until: str | None, lang: str) -> str:
    """The scope a question was asked within, in the question's language ("" for everything).

    >>> within(["a", "b"], "2024-03", None, "en"), within(None, None, "2024", "ar")
    ('Within 2 chosen articles, from 2024-03', 'ضمن المقالات حتى 2024')
    """
    n = len(articles or [])
    since, until = (since or "").strip(), (until or "").strip()
    if not n and not since and not until:
        return ""
    if lang == "ar":
        parts = [f"ضمن {n} من المقالات المختارة" if n else "ضمن المقالات"]
        parts += [f"من {since}"] if since else []
        parts += [f"حتى {until}"] if until else []
        return " ".join(parts)
    parts = [f"Within {n} chosen article{'s' if n != 1 else ''}" if n else "Within the articles"]
    parts += [f"from {since}"] if since else []
    parts += [f"to {until}"] if until else []
    return ", ".join(parts)
