"""The chat controls in headless Chromium, against the real UI server: Stop mid-answer, Copy as
plain text, a conversation that survives a reload (follow-up context included), the phone
layout, and a draft the checks withdraw shown as such. Each fails without its feature."""

from __future__ import annotations

import re

import pytest

from tests.test_ui_e2e import ANSWER_TIMEOUT_MS, AR_QUESTION, CITED_TITLE, EN_QUESTION, ask, clear
from tests.test_ui_harness import ARTIFACTS, browser_page, data_dir_of, server_log, start_server, ui_server  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.ui]

LONG_QUESTION = "What did Stoltenberg say about Azerbaijan's contributions to NATO missions, in detail?"


@pytest.fixture(scope="module")
def page(ui_server, chromium):  # noqa: F811
    with browser_page(chromium, ui_server, permissions=["clipboard-read", "clipboard-write"]) as page:
        yield page


def test_stop_ends_the_answer_keeps_the_conversation_and_the_model_stops(page):
    clear(page)
    log = server_log()
    stops_before = log.read_text().count("generation stopped early")
    page.fill("#question textarea", LONG_QUESTION)
    page.click("#ask")
    page.wait_for_selector("#chat .answer.streaming", timeout=30_000)
    assert page.is_visible("#stop") and not page.is_visible("#ask")  # Ask became Stop
    page.wait_for_selector("#chat .answer.streaming.stage-writing", timeout=ANSWER_TIMEOUT_MS)
    page.click("#stop")
    stopped = page.wait_for_selector("#chat .answer.stopped", timeout=60_000)
    assert "Stopped" in stopped.inner_text()
    assert page.is_visible("#ask") and not page.is_visible("#stop")
    written = stopped.inner_text()
    page.wait_for_timeout(3000)
    assert page.inner_text("#chat .answer.stopped") == written  # nothing more arrives
    assert log.read_text().count("generation stopped early") == stops_before + 1  # the model itself stopped
    assert page.input_value("#question textarea") == LONG_QUESTION  # back in the box, to resend or edit
    page.fill("#question textarea", "")

    answer = ask(page, EN_QUESTION, 1)  # the next question is answered normally, after the first
    assert "kabul" in answer.inner_text().lower()
    assert page.query_selector("#chat .question.turn-0") and page.query_selector("#chat .answer.stopped")


def test_copy_gives_the_answer_and_its_sources_as_plain_text(page):
    clear(page)  # its own conversation: the test passes alone and in any order
    answer = ask(page, EN_QUESTION, 0)
    answer.hover()
    buttons = page.locator("#chat button[aria-label*='opy'], #chat button[title*='opy']")
    buttons.last.click()
    page.wait_for_timeout(800)
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "<" not in copied and "class=" not in copied, copied
    lines = copied.splitlines()
    assert "kabul" in lines[0].lower() and re.search(r"\[\d\]", lines[0])
    assert "Sources:" in lines and any(line.startswith("[") and CITED_TITLE in line for line in lines), copied

    # regenerate: the retry button under the last answer asks its question again, in place
    answer.hover()
    page.locator("#chat button[aria-label='Retry']").last.click()
    page.wait_for_selector("#chat .answer.streaming", timeout=30_000)
    again = page.wait_for_selector("#chat .answer.turn-0", timeout=ANSWER_TIMEOUT_MS)
    assert "kabul" in again.inner_text().lower()
    assert len(page.query_selector_all("#chat .question")) == 1  # replaced, not appended


def test_reload_keeps_the_conversation_and_its_follow_up_context(page):
    clear(page)
    ask(page, "متى انضمت أذربيجان إلى شراكة الناتو من أجل السلام؟", 0)
    before = page.inner_text("#chat .answer.turn-0")
    page.reload()
    page.wait_for_selector("#chat .answer.turn-0", timeout=60_000)
    assert page.inner_text("#chat .answer.turn-0") == before
    assert "متى انضمت أذربيجان" in page.text_content("#conversation-list")  # (the closed panel hides it)
    follow_up = ask(page, "ومن هو وزير دفاعها؟", 1)  # "its": Azerbaijan, known only from the restored turn
    assert "حسنوف" in follow_up.inner_text(), follow_up.inner_text()

    # the list of past conversations: reopen one after a new chat, then delete it
    clear(page)
    page.click("#history-bar .toggle-button")
    page.locator("#conversation-list").get_by_text(re.compile("متى انضمت أذربيجان")).click()
    page.wait_for_selector("#chat .answer.turn-1", timeout=15_000)
    assert "حسنوف" in page.inner_text("#chat .answer.turn-1")
    page.click("#delete-conversation")
    page.wait_for_function("() => !document.querySelector('#chat .answer')", timeout=15_000)
    page.wait_for_function("() => !document.querySelector('#conversation-list').innerText.includes('متى انضمت')",
                           timeout=15_000)
    page.reload()  # deleted from the browser's storage too, not only from the page
    page.wait_for_selector("#library", timeout=60_000)
    page.wait_for_timeout(2000)
    assert "متى انضمت" not in page.text_content("#conversation-list") and not page.query_selector("#chat .answer")


# How many lines each text of a control or its label takes (buttons, labels, summaries; not the
# messages or the example questions): distinct line tops of the text's own boxes.
LABEL_LINES = """() => {
  const found = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const text = walk.currentNode, el = text.parentElement;
    if (!text.textContent.trim() || !el.closest('button, label, summary, [data-testid="block-info"]')) continue;
    if (el.closest('#chat .message, #examples') || getComputedStyle(el).visibility === 'hidden') continue;
    const range = document.createRange(); range.selectNodeContents(text);
    const tops = [];
    for (const box of range.getClientRects()) {
      if (box.width > 0 && !tops.some(y => Math.abs(y - box.top) < box.height / 2)) tops.push(box.top);
    }
    if (tops.length) found.push([(el.closest('[id]') || {}).id || el.tagName, tops.length, text.textContent.trim()]);
  }
  return found;
}"""


def test_the_conversation_label_never_covers_a_message(page):
    """After several turns, scroll each message's first line to the top of the conversation: it is
    what shows there, not the "Conversation" label drawn over it."""
    clear(page)
    for turn, question in enumerate(["Who painted the Mona Lisa?", "ما عاصمة البيرو؟", "What is the boiling point of mercury?"]):
        ask(page, question, turn)  # refused at once: nothing about them is in the articles
    covered = page.evaluate("""() => {
        const scroller = document.querySelector('#chat .bubble-wrap'), hidden = [];
        document.querySelector('#chat').scrollIntoView({block: 'center'});
        for (const msg of document.querySelectorAll('#chat .question, #chat .answer')) {
            const bubble = msg.parentElement;  // its first line at the top of the conversation's scroll area
            scroller.scrollTop += bubble.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
            const box = msg.getBoundingClientRect();
            for (const o of document.querySelectorAll('#chat .wrapper > :not(.bubble-wrap)')) {  // label, icons
                const b = o.getBoundingClientRect();
                if (b.width && b.height && b.left < box.right && box.left < b.right && b.top < box.bottom && box.top < b.bottom)
                    hidden.push([msg.innerText.slice(0, 30), o.tagName + '.' + o.className]);
            }
        }
        return hidden; }""")
    assert not covered, covered


def test_phone_layout_keeps_ask_and_the_cited_source_in_view(ui_server, chromium):  # noqa: F811
    with browser_page(chromium, ui_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True) as phone:
        box = phone.locator("#ask").bounding_box()
        assert box and box["y"] + box["height"] <= 844, box  # Ask on the first screen
        phone.screenshot(path=str(ARTIFACTS / "ui-phone-start.png"))
        phone.fill("#question textarea", AR_QUESTION)
        phone.click("#ask")  # sources first on the phone too: under the progress state, while the model writes
        reading = phone.wait_for_selector("#chat .answer.streaming .inline-reading li", state="visible",
                                          timeout=ANSWER_TIMEOUT_MS)
        assert "يقرأ النموذج هذه المقاطع" in phone.inner_text("#chat .answer.streaming .inline-reading summary")
        assert reading.inner_text().startswith("[")
        answer = phone.wait_for_selector("#chat .answer.turn-0", timeout=ANSWER_TIMEOUT_MS)
        assert not answer.query_selector(".inline-reading")  # the checked answer lists its cited sources instead
        marker = answer.query_selector("a.cite")
        marker.scroll_into_view_if_needed()
        marker.click()
        item = phone.wait_for_selector("#chat .inline-sources li.active", timeout=10_000)
        phone.wait_for_timeout(800)  # the smooth scroll
        top, bottom = item.evaluate("e => [e.getBoundingClientRect().top, e.getBoundingClientRect().bottom]")
        assert 0 <= top and bottom <= 844, (top, bottom)
        assert CITED_TITLE in item.inner_text()
        phone.screenshot(path=str(ARTIFACTS / "ui-phone-answer.png"))
        toggle = phone.locator("#history-bar .toggle-button")  # the saved conversations: a labelled button
        assert toggle.get_attribute("aria-label") == "Conversations · المحادثات"
        toggle.click()
        phone.wait_for_selector("#conversation-list", state="visible", timeout=5_000)
        toggle.click()
        for width in (360, 390, 430):
            phone.set_viewport_size({"width": width, "height": 800})
            phone.wait_for_timeout(300)
            overflow = phone.evaluate("() => document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 1, f"{overflow}px of horizontal overflow at {width}px"
            tall = [(where, n, text) for where, n, text in phone.evaluate(LABEL_LINES) if n > 2]
            assert not tall, f"control labels on more than two lines at {width}px: {tall}"


def test_a_withdrawn_draft_is_shown_as_such_with_the_closest_passages(ui_server, chromium, request):  # noqa: F811
    # A second server over the same index whose anchor check accepts nothing: the model writes a
    # draft, the checks withdraw it. The UI must say so, not claim the articles lack the answer.
    strict = start_server(request.config, data_dir_of(request.config), "strict",
                          {"RAG_MIN_ANCHOR": "0.99", "RAG_MIN_ANCHOR_CROSS_SCRIPT": "0.99"})
    with browser_page(chromium, strict) as page:
        page.fill("#question textarea", EN_QUESTION)
        page.click("#ask")
        page.wait_for_selector("#chat .answer.streaming .draft", timeout=ANSWER_TIMEOUT_MS)  # the draft showed
        answer = page.wait_for_selector("#chat .answer.turn-0", timeout=ANSWER_TIMEOUT_MS)
        text = answer.inner_text()
        assert "withdrawn" in answer.get_attribute("class"), text
        assert "could not be verified against the sources" in text and "could not find" not in text.lower()
        assert answer.query_selector_all(".closest li"), "no closest passages shown"
        assert "مطار كابول" in text
        assert page.query_selector("#sources .sources.withdrawn .source")
        page.screenshot(path=str(ARTIFACTS / "ui-withdrawn.png"), full_page=True)


@pytest.mark.parametrize(("question", "label"), [(EN_QUESTION, "The model is reading these passages"),
                                                 (AR_QUESTION, "يقرأ النموذج هذه المقاطع")])
def test_the_passages_being_read_show_while_the_model_writes_then_the_cited_sources(page, question, label):
    """Sources first: the panel shows what the model reads, labelled in the question's language,
    before any draft word; once the checks pass it holds the answer's cited sources instead."""
    clear(page)
    page.evaluate("""() => { window.__firstUseful = null; window.__asked = performance.now();
        new MutationObserver((_, obs) => {
            if (document.querySelector('#sources .sources.reading .passage')) {
                window.__firstUseful = performance.now() - window.__asked; obs.disconnect(); }
        }).observe(document.querySelector('#sources'), {childList: true, subtree: true}); }""")
    page.fill("#question textarea", question)
    page.click("#ask")
    reading = page.wait_for_selector("#sources .sources.reading", timeout=ANSWER_TIMEOUT_MS)
    assert label in reading.inner_text() and reading.query_selector(".passage")
    assert page.query_selector("#chat .answer.streaming"), "the passages came only after the answer"
    page.wait_for_selector("#chat .answer.turn-0", timeout=ANSWER_TIMEOUT_MS)
    page.wait_for_selector("#sources .sources:not(.reading) .source", timeout=15_000)
    assert not page.query_selector("#sources .sources.reading")
    assert CITED_TITLE in page.inner_text("#sources")
    print(f"\nfirst useful content ({question[:20]}…): {page.evaluate('window.__firstUseful') / 1000:.1f} s")
