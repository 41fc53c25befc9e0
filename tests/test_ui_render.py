"""Unit tests of app/render.py: escaping, clickable markers, highlights, direction, refusals."""

import re

import pytest

from app import render

BODY = ("First paragraph about Baku.\n"
        "Stoltenberg thanked Aliyev. Azerbaijani soldiers secured Kabul airport. More text.\n"
        "<script>alert('x')</script> a hostile line.")
START = BODY.index("Azerbaijani soldiers")
END = BODY.index("airport.") + len("airport.")


def answered(**extra):
    answer = {
        "text": "They secured Kabul airport. [1]\nIt was in Afghanistan. [1][2]",
        "answered": True, "language": "en",
        "citations": [
            {"number": 1, "article_id": "a1", "title": "NATO <b>chief</b> in Baku", "quote": BODY[START:END],
             "start": START, "end": END, "score": 0.8},
            {"number": 2, "article_id": "a2", "title": "Second", "quote": "Other quote.", "start": 0,
             "end": 12, "score": 0.6},
        ],
        "sources": [{"number": 1, "article_id": "a1", "title": "NATO <b>chief</b> in Baku", "date": "2024-03-18",
                     "texts": []},
                    {"number": 2, "article_id": "a2", "title": "Second", "date": "", "texts": []}],
    }
    answer.update(extra)
    return answer


ARTICLES = {"a1": (BODY, {"title": "NATO <b>chief</b> in Baku", "date": "2024-03-18"}),
            "a2": ("Other quote. And more.", {"title": "Second", "date": ""})}


def test_script_in_answer_is_escaped():
    html = render.answer_html(answered(text="<script>alert(1)</script> Kabul. [1]"), turn=0)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_script_in_article_is_escaped_in_sources():
    answer = answered(citations=[{"number": 1, "article_id": "a1", "title": "<script>t()</script>",
                                  "quote": "", "start": BODY.index("<script>"), "end": len(BODY), "score": 1}])
    html = render.sources_html(answer, ARTICLES, turn=0)
    assert "<script>" not in html
    assert "&lt;script&gt;t()&lt;/script&gt;" in html
    assert "<mark>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; a hostile line.</mark>" in html


def test_question_and_error_are_escaped():
    assert "<img" not in render.user_html('<img src=x onerror="boom()">', 0)
    assert "<b>" not in render.error_html("<b>bad</b>")
    assert "<i>" not in render.articles_html([{"article_id": "x", "title": "<i>t</i>", "chunks": 2}])
    assert "<u>" not in render.status_html("<u>llm</u>", {"articles": 1, "chunks": 2}, "<u>down</u>")


def test_markers_become_clickable_anchors():
    html = render.answer_html(answered(), turn=3)
    anchors = re.findall(r'<a class="cite cite-(\d) turn-3"[^>]* href="#src-(\d)"[^>]*>\[(\d)\]</a>', html)
    assert anchors == [("1", "1", "1"), ("1", "1", "1"), ("2", "2", "2")]
    assert "[" not in re.sub(r"<a [^>]*>\[\d\]</a>", "", html)


def test_marker_without_citation_stays_text():
    html = render.answer_html(answered(text="Kabul. [1] Also [7]."), turn=0)
    assert 'href="#src-7"' not in html and "[7]" in html
    assert 'href="#src-1"' in html


def test_message_direction_and_dir_auto_paragraphs():
    html = render.answer_html(answered(), turn=0)
    assert html.startswith('<div class="answer turn-0" dir="ltr" lang="en"')
    assert html.count('<p dir="auto">') == 2
    question = render.user_html("كم يوما تستغرق الزيارة؟\nsecond line", 1)
    assert 'class="question turn-1" dir="rtl"' in question and question.count('<p dir="auto">') == 2
    arabic = render.answer_html(answered(text="2024: المطار هو كابول (Kabul). [1]", language="ar"), turn=5)
    assert arabic.startswith('<div class="answer turn-5" dir="rtl" lang="ar"')
    assert 'dir="rtl"' in render.streaming_html("هو كابول") and 'dir="auto"' in render.streaming_html("")
    sources = render.sources_html(answered(), ARTICLES, 0)
    assert '<span class="title" dir="auto">' in sources
    assert '<p class="passage" dir="auto">' in sources


def test_refusal_has_its_own_class_and_no_sources():
    refusal = {"text": "لم أجد إجابة عن هذا السؤال في المقالات المتاحة.", "answered": False, "language": "ar",
               "citations": [], "sources": []}
    html = render.answer_html(refusal, turn=2)
    assert 'class="answer refusal turn-2"' in html and 'lang="ar"' in html
    assert "cite" not in html
    panel = render.sources_html(refusal, {}, 2)
    assert "no-sources" in panel and 'class="source"' not in panel and "<mark>" not in panel


def test_highlight_inside_its_paragraph():
    html = render.sources_html(answered(), ARTICLES, turn=0)
    assert 'id="src-1"' in html and 'id="src-2"' in html
    passage = re.search(r'<section class="source" id="src-1".*?<p class="passage" dir="auto">(.*?)</p>', html).group(1)
    assert passage == ("Stoltenberg thanked Aliyev. <mark>Azerbaijani soldiers secured Kabul airport.</mark>"
                       " More text.")
    assert "First paragraph" not in passage
    assert "NATO &lt;b&gt;chief&lt;/b&gt; in Baku" in html and "2024-03-18" in html


def test_whole_article_can_be_opened_with_the_same_highlight():
    html = render.sources_html(answered(), ARTICLES, turn=0)
    article = re.search(r'<details class="article">.*?</details>', html).group(0)
    assert "<summary>" in article
    assert article.count('<p dir="auto">') == 3
    assert "<mark>Azerbaijani soldiers secured Kabul airport.</mark>" in article


def test_stale_offsets_fall_back_to_the_quote():
    answer = answered(citations=[{"number": 1, "article_id": "a1", "title": "T", "quote": "Not in body.",
                                  "start": 0, "end": 12, "score": 1}])
    html = render.sources_html(answer, ARTICLES, turn=0)
    assert '<p class="passage" dir="auto"><mark>Not in body.</mark></p>' in html
    missing = render.sources_html(answer, {}, turn=0)
    assert "<mark>Not in body.</mark>" in missing and "<details" not in missing


@pytest.mark.parametrize("text, expected", [
    ("ما المطار؟", "rtl"), ("Which airport?", "ltr"), ("«2024» كابول Kabul", "rtl"), ("(Kabul) كابول", "ltr"),
    ("[1] 2024 …", "auto"), ("", "auto"), ("שלום", "rtl"),
])
def test_text_dir_uses_first_strong_letter(text, expected):
    assert render.text_dir(text) == expected


@pytest.mark.parametrize("spans, expected", [
    ([(0, 1), (2, 3)], "<mark>a</mark>b<mark>c</mark>d"),
    ([(0, 3), (1, 2)], "<mark>abc</mark>d"),  # nested span: no broken markup
    ([(1, 3), (2, 4)], "a<mark>bc</mark><mark>d</mark>"),  # overlap: contiguous, never nested
    ([(3, 9)], "abc<mark>d</mark>"),  # clipped to the text
])
def test_highlight_spans(spans, expected):
    assert render.highlight("abcd", spans) == expected


def test_streaming_and_empty_panel():
    assert 'class="answer streaming" dir="ltr"' in render.streaming_html("Kabul <x> [1")
    assert "&lt;x&gt;" in render.streaming_html("Kabul <x> [1")
    assert 'data-turn="-1"' in render.sources_html(None, {}, -1)


def test_every_message_says_its_language_for_screen_readers():
    from app.render import error_html, streaming_html, user_html

    assert 'lang="ar"' in user_html("ما المطار الذي ساهم جنود أذربيجان في تأمينه؟", 0)
    assert 'lang="en"' in user_html("Which airport?", 0)
    assert 'lang="ar"' in streaming_html("ساهم الجنود في تأمين مطار كابول")
    assert 'lang="en"' in error_html("Ollama is not running")


def test_citation_tooltips_preview_the_cited_sentence_escaped():
    html = render.answer_html({"text": "He met him [1].", "answered": True, "language": "en", "citations": [
        {"number": 1, "title": "الناتو", "quote": 'التقى "الأمين العام" <script>x</script>'}]}, turn=2)
    assert 'title="[1] الناتو: التقى &quot;الأمين العام&quot; &lt;script&gt;x&lt;/script&gt;"' in html
    assert "<script>" not in html
