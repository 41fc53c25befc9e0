"""A news reader's tools in the real UI (headless Chromium, the real app over the seeds): asking
within chosen articles and dates, overview answers, adding an article by link (a local news
site: nothing reaches the internet), citations that link to the page, and the Markdown export."""

from __future__ import annotations

import urllib.request

import pytest

from tests.news_site import NewsSite
from tests.test_ui_harness import browser_page, ui_server  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.ui]

SEED_002 = "حاجييف"  # a word of the title of seeds/002 (and of no other seed)
CBE_TITLE = "البنك المركزي يرفع أسعار الفائدة"


@pytest.fixture(scope="module")
def page(ui_server, chromium):  # noqa: F811
    with browser_page(chromium, ui_server) as page:
        yield page


def choose(page, dropdown: str, text: str) -> None:
    """Pick the option of a Gradio dropdown whose label contains ``text``."""
    page.click(f"{dropdown} input")
    page.keyboard.type(text)
    page.wait_for_timeout(500)  # the options filter as the reader types
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    page.wait_for_function(
        """([sel, text]) => { const box = document.querySelector(sel);
            const tokens = [...box.querySelectorAll('.token')].map(t => t.innerText).join(' ');
            return tokens.includes(text) || (box.querySelector('input')?.value || '').includes(text); }""",
        arg=[dropdown, text], timeout=10_000)


def ask(page, question: str, turn: int):
    page.fill("#question textarea", question)
    page.click("#ask")
    return page.wait_for_selector(f"#chat .answer.turn-{turn}, #chat .answer.error", timeout=180_000)


def new_chat(page) -> None:
    page.click("#clear")
    page.wait_for_function("() => !document.querySelector('#chat .answer')", timeout=15_000)
    page.wait_for_timeout(500)


def clear_scope(page) -> None:
    for _ in range(10):  # each removal re-renders the chips: find the next one afresh
        chip = page.query_selector("#scope-articles .token .token-remove, #scope-articles .token [role='button']")
        if chip is None:
            break
        chip.click()
        page.wait_for_timeout(200)
    assert not page.query_selector("#scope-articles .token")
    page.fill("#since input", "")
    page.fill("#until input", "")


def test_an_overview_within_chosen_articles_is_labelled_and_exported(page):
    choose(page, "#scope-articles", SEED_002)
    answer = ask(page, "What are these articles about?", 0)
    assert "error" not in (answer.get_attribute("class") or "")
    assert "Within 1 chosen article" in page.inner_text("#chat .question.turn-0")
    lines = [ln for ln in answer.inner_text().splitlines() if ln.strip().startswith("-")]
    assert len(lines) == 1 and SEED_002 in lines[0], answer.inner_text()  # only the chosen article is listed
    assert page.query_selector("#sources .source .title") and SEED_002 in page.inner_text("#sources")
    page.click("#export")
    link = page.wait_for_selector("#export-file a", timeout=20_000)
    with urllib.request.urlopen(link.get_attribute("href")) as response:  # what the download gives
        markdown = response.read().decode("utf-8")
    assert markdown.startswith("# Conversation") and "## What are these articles about?" in markdown
    assert "Sources:" in markdown and SEED_002 in markdown and "> " in markdown
    clear_scope(page)
    new_chat(page)


def test_a_scope_with_no_article_is_a_message_not_a_refusal(page):
    page.fill("#since input", "2031-01-01")
    answer = ask(page, "Who met Stoltenberg?", 0)
    assert "error" in answer.get_attribute("class") and "no article is in the scope" in answer.inner_text()
    clear_scope(page)
    new_chat(page)


def test_an_article_added_by_link_is_cited_with_its_page_and_can_be_deleted(page):
    site = NewsSite()
    try:
        url = site.url("/news/youm_cbe_rates.html")
        page.click("#library > button, #library .label-wrap")
        page.fill("#link input", url)
        page.click("#add-link")
        page.wait_for_function(f"() => document.querySelector('#link-log')?.innerText.includes('added: {CBE_TITLE}')",
                               timeout=120_000)
        assert site.hits["/news/youm_cbe_rates.html"] == 1
        choose(page, "#scope-articles", "البنك المركزي")
        answer = ask(page, "ما المواضيع الرئيسية التي تتناولها المقالات؟", 0)
        assert CBE_TITLE in answer.inner_text() and "المقالات في النطاق (1)" in answer.inner_text()
        page_link = page.wait_for_selector("#sources .source a.page-link", timeout=15_000)
        assert page_link.get_attribute("href") == url and page_link.get_attribute("target") == "_blank"
        clear_scope(page)
        new_chat(page)
        choose(page, "#article-to-delete", "البنك المركزي")
        page.click("#delete-article")
        page.wait_for_function("() => document.querySelector('#delete-log')?.innerText.includes('deleted')",
                               timeout=60_000)
        assert CBE_TITLE not in page.inner_text("#articles")
    finally:
        site.close()


def test_the_first_screen_says_what_the_collection_is_and_where_to_add(ui_server, chromium):  # noqa: F811
    """Before anything is opened: the number of articles, their date range, the latest titles,
    each language in its own element; and the upload and link boxes on the page, not in a panel."""
    with browser_page(chromium, ui_server) as page:
        first = page.inner_text("#collection")
        assert "5 articles; 1 with a date: 2024-03-18" in first and "عدد المقالات: 5" in first
        assert "أمين الناتو: نتطلع لتعزيز الشراكة" in first  # the one dated seed is the latest
        assert len(page.query_selector_all("#collection li")) == 3  # undated titles fill the list
        assert {p.get_attribute("dir") for p in page.query_selector_all("#collection p")} == {"ltr", "rtl"}
        assert not page.is_visible("#articles")  # the article list is still closed...
        assert page.is_visible("#upload") and page.is_visible("#link input") and page.is_visible("#add-link")


def test_each_half_of_a_bilingual_label_keeps_its_own_direction(ui_server, chromium):  # noqa: F811
    """"RSS/Atom" ends the Arabic half of the add-a-link label, so it must be drawn at that half's
    left end, left of "موجز"; in one mixed-direction string it lands right of it instead. And every
    bilingual label and placeholder on the page is two isolated halves."""
    with browser_page(chromium, ui_server) as page:
        lefts = page.evaluate("""() => {
            const label = [...document.querySelectorAll('#link label span, #link [data-testid="block-info"]')]
                .find(e => e.textContent.includes('موجز'));
            const text = [...label.childNodes].find(n => n.nodeType === 3 && n.textContent.includes('موجز'));
            const at = (word, from) => { const r = document.createRange(), i = text.textContent.indexOf(word, from);
                r.setStart(text, i); r.setEnd(text, i + word.length); return r.getBoundingClientRect().left; };
            const arabic = text.textContent.indexOf('أضف');
            return [at('RSS/Atom', arabic), at('موجز', arabic)]; }""")
        assert lefts[0] < lefts[1], f"RSS/Atom drawn right of موجز: {lefts}"
        mixed = page.evaluate(r"""() => {
            const texts = [...document.querySelectorAll('button, label span, textarea, [data-testid="block-info"]')]
                .flatMap(e => [e.getAttribute('placeholder') || '', e.childNodes.length === 1 ? e.textContent : '']);
            return texts.filter(t => / · /.test(t) && /[\u0600-\u06FF]/.test(t) && /[A-Za-z]/.test(t)
                                     && !/\u2068[^\u2068\u2069]*\u2069 · \u2068[^\u2068\u2069]*\u2069/.test(t)); }""")
        assert not mixed, mixed
