"""Unit tests of app/render.py and app/panels.py: escaping, clickable markers, highlights, direction,
refusals, withdrawn drafts, progress states, the plain text Copy gives."""

import re

import pytest

from app import panels, render

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
    html = panels.sources_html(answer, ARTICLES, turn=0)
    assert "<script>" not in html
    assert "&lt;script&gt;t()&lt;/script&gt;" in html
    assert "<mark>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; a hostile line.</mark>" in html


def test_question_and_error_are_escaped():
    assert "<img" not in render.user_html('<img src=x onerror="boom()">', 0)
    assert "<b>" not in render.error_html("<b>bad</b>")
    assert "<i>" not in panels.articles_html([{"article_id": "x", "title": "<i>t</i>", "chunks": 2}])
    assert "<u>" not in panels.status_html("<u>down</u>")
    assert "<u>" not in panels.diagnostics_html([("<u>model</u>", "<u>x</u>")])


def test_markers_become_clickable_anchors():
    html = render.answer_html(answered(), turn=3).split("<details")[0]  # the answer text, not its source list
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
    assert 'dir="rtl"' in render.streaming_html("هو كابول") and 'dir="ltr"' in render.streaming_html("")
    sources = panels.sources_html(answered(), ARTICLES, 0)
    assert '<span class="title" dir="auto">' in sources
    assert '<p class="passage" dir="auto">' in sources


def test_refusal_has_its_own_class_and_no_sources():
    refusal = {"text": "لم أجد إجابة عن هذا السؤال في المقالات المتاحة.", "answered": False, "language": "ar",
               "citations": [], "sources": []}
    html = render.answer_html(refusal, turn=2)
    assert 'class="answer refusal turn-2"' in html and 'lang="ar"' in html
    assert "cite" not in html
    panel = panels.sources_html(refusal, {}, 2)
    assert "no-sources" in panel and 'class="source"' not in panel and "<mark>" not in panel


def test_highlight_inside_its_paragraph():
    html = panels.sources_html(answered(), ARTICLES, turn=0)
    assert 'id="src-1"' in html and 'id="src-2"' in html
    passage = re.search(r'<section class="source" id="src-1".*?<p class="passage" dir="auto">(.*?)</p>', html).group(1)
    assert passage == ("Stoltenberg thanked Aliyev. <mark>Azerbaijani soldiers secured Kabul airport.</mark>"
                       " More text.")
    assert "First paragraph" not in passage
    assert "NATO &lt;b&gt;chief&lt;/b&gt; in Baku" in html and "2024-03-18" in html


def test_whole_article_can_be_opened_with_the_same_highlight():
    html = panels.sources_html(answered(), ARTICLES, turn=0)
    article = re.search(r'<details class="article">.*?</details>', html).group(0)
    assert "<summary>" in article
    assert article.count('<p dir="auto">') == 3
    assert "<mark>Azerbaijani soldiers secured Kabul airport.</mark>" in article


def test_stale_offsets_fall_back_to_the_quote():
    answer = answered(citations=[{"number": 1, "article_id": "a1", "title": "T", "quote": "Not in body.",
                                  "start": 0, "end": 12, "score": 1}])
    html = panels.sources_html(answer, ARTICLES, turn=0)
    assert '<p class="passage" dir="auto"><mark>Not in body.</mark></p>' in html
    missing = panels.sources_html(answer, {}, turn=0)
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
    assert panels.highlight("abcd", spans) == expected


def test_streaming_and_empty_panel():
    assert 'class="answer streaming stage-writing" dir="ltr"' in render.streaming_html("Kabul <x> [1")
    assert "&lt;x&gt;" in render.streaming_html("Kabul <x> [1")
    assert 'data-turn="-1"' in panels.sources_html(None, {}, -1)


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


def test_progress_states_speak_the_question_language():
    searching = render.streaming_html("", "searching", "ar")
    assert 'lang="ar"' in searching and "أبحث في المقالات" in searching and 'role="status"' in searching
    assert "draft" not in searching  # nothing written yet: no empty draft box
    writing = render.streaming_html("Kabul <b>airport</b> [1", "writing", "en")
    assert "Writing the answer" in writing and "Draft, not checked yet" in writing
    assert "&lt;b&gt;" in writing and "<a " not in writing  # markers are not links before the checks
    assert "Checking the answer" in render.streaming_html("Kabul", "checking", "en")


def test_the_passages_being_read_show_under_the_progress_state_escaped():
    sources = [{"number": 2, "title": "الناتو <i>", "texts": ["زار ستولتنبرغ باكو " * 20, "second"]}]
    html = render.streaming_html("", "writing", "ar", sources)
    assert "يقرأ النموذج هذه المقاطع" in html and "[2]" in html and "الناتو &lt;i&gt;" in html
    assert "second" not in html and "…" in html  # the first passage, shortened
    assert html.index('class="stage"') < html.index("inline-reading")
    assert "inline-reading" not in render.streaming_html("", "writing", "ar")


def withdrawn_answer(**extra):
    answer = {"text": "لم أجد إجابة عن هذا السؤال في المقالات المتاحة.", "answered": False, "language": "ar",
              "citations": [], "refused_by": "grounding", "draft": "التقى ستولتنبرغ بالوزير. [1]",
              "sources": [{"number": 1, "article_id": "a1", "title": "الناتو <i>", "date": "",
                           "texts": ["زار ستولتنبرغ باكو.", "<script>x</script>"]}]}
    answer.update(extra)
    return answer


def test_a_withdrawn_draft_says_so_and_shows_the_closest_passages():
    html = render.answer_html(withdrawn_answer(), turn=1)
    assert "withdrawn" in html and "تعذّر التحقق من مسودة الإجابة في المصادر" in html
    assert "لم أجد إجابة" not in html  # not the claim that the articles lack it
    assert "زار ستولتنبرغ باكو." in html and "<script>" not in html and "الناتو &lt;i&gt;" in html
    panel = panels.sources_html(withdrawn_answer(), {}, 1)
    assert 'class="sources withdrawn"' in panel and "زار ستولتنبرغ باكو." in panel
    # no draft, or the model itself declined, or nothing relevant: the plain refusal
    for extra in ({"draft": ""}, {"refused_by": "declined"}, {"refused_by": "relevance"}):
        plain = render.answer_html(withdrawn_answer(**extra), turn=1)
        assert "withdrawn" not in plain and "لم أجد إجابة" in plain
    assert "no-sources" in panels.sources_html(withdrawn_answer(refused_by="relevance"), {}, 1)


def test_copy_text_is_the_answer_then_numbered_sources_without_markup():
    html = render.answer_html(answered(), turn=0)
    copied = re.search(r'<div class="plain-text">(.*?)</div>', html, re.S).group(1)
    assert "<" not in copied.replace("&lt;", "")  # escaped text only, no tags
    text = render.plain_text(answered())
    assert text.splitlines()[:3] == ["They secured Kabul airport. [1]", "It was in Afghanistan. [1][2]", ""]
    assert "[1] NATO <b>chief</b> in Baku (2024-03-18): Azerbaijani soldiers secured Kabul airport." in text
    assert text.splitlines()[-1] == "[2] Second: Other quote."
    assert render.plain_text(withdrawn_answer()).startswith("تعذّر التحقق")


def test_sources_under_each_answer_for_narrow_screens():
    html = render.answer_html(answered(), turn=2)
    inline = re.search(r'<details class="inline-sources">.*?</details>', html).group(0)
    assert re.findall(r'<li class="src-(\d) turn-2">', inline) == ["1", "2"]
    assert "NATO &lt;b&gt;chief&lt;/b&gt; in Baku" in inline and "2024-03-18" in inline


def test_a_stopped_answer_keeps_what_was_written():
    html = render.stopped_html("He met <the> minister", "en")
    assert "Stopped" in html and "He met &lt;the&gt; minister" in html and "cursor" not in html
    assert 'lang="ar"' in render.stopped_html("", "ar") and "أُوقفت" in render.stopped_html("", "ar")


def test_library_lists_titles_and_dates_newest_first_and_filters():
    articles = [{"article_id": "001", "title": "NATO chief in Baku", "date": "2024-03-18"},
                {"article_id": "002", "title": "وزير الخارجية", "date": "2024-05-01"}]
    html = panels.articles_html(articles)
    assert html.index("وزير الخارجية") < html.index("NATO chief") and "2024-03-18" in html
    assert "NATO" not in panels.articles_html(articles, "وزير") and "وزير" in panels.articles_html(articles, "وزير")
    assert "No title matches" in panels.articles_html(articles, "<zzz>") and "<zzz>" not in panels.articles_html(articles, "<zzz>")
    assert panels.library_label({"articles": 5, "chunks": 33}) == "\u20685 articles indexed\u2069 · \u2068المقالات المفهرسة: 5\u2069"
