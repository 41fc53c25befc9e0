"""Accessibility of the real page: axe-core (pinned, fetched from npm by scripts/setup.sh) on the
desktop and the phone, on the first screen and after an Arabic and an English answer, must find
no serious or critical violation; and with the keyboard alone every control is reached and
shows where the focus is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_ui_harness import browser_page, ui_server  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.ui]

AXE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "bilingual-rag/axe-core-4.11.0/axe.min.js"
VIEWPORTS = {"desktop": {"width": 1400, "height": 1000}, "phone": {"width": 390, "height": 844}}
QUESTIONS = {"ar": "عن ماذا تتحدث المقالات؟", "en": "What are these articles about?"}  # answered with sources


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']})).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)""")
    return list(found)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_axe_finds_no_serious_violation_in_either_language(ui_server, chromium, viewport):  # noqa: F811
    assert AXE.is_file(), f"axe-core is missing at {AXE}: run scripts/setup.sh (it fetches it from npm)"
    with browser_page(chromium, ui_server, viewport=VIEWPORTS[viewport]) as page:
        page.wait_for_function("() => !document.querySelector('.pending')", timeout=30_000)
        page.wait_for_timeout(1000)  # the first screen's load event has finished fading its outputs in
        found = {"first screen": violations(page)}
        for turn, (lang, question) in enumerate(QUESTIONS.items()):
            page.fill("#question textarea", question)
            page.click("#ask")
            page.wait_for_selector(f"#chat .answer.turn-{turn}:not(.streaming)", timeout=120_000)
            page.wait_for_timeout(500)
            found[f"after the {lang} answer"] = violations(page)
        assert not any(found.values()), found


def test_the_keyboard_reaches_every_control_and_shows_the_focus(ui_server, chromium):  # noqa: F811
    with browser_page(chromium, ui_server) as page:
        reached, unseen = set(), []
        for _ in range(30):
            page.keyboard.press("Tab")
            where, tag, visible, shown = page.evaluate("""() => { const e = document.activeElement;
                const s = getComputedStyle(e); const r = e.getBoundingClientRect();
                return [(e.closest('[id]') || {}).id || '', e.tagName, r.width > 0 && r.height > 0,
                        s.outlineStyle !== 'none' || s.boxShadow !== 'none']; }""")
            if tag == "BODY":
                continue
            reached.add(where)
            if not (visible and shown):
                unseen.append((where, tag, visible, shown))
        wanted = {"history-bar", "library", "question", "ask", "clear", "scope-articles", "since", "until", "export",
                  "settings"}
        assert wanted <= reached, wanted - reached
        assert not unseen, f"focused without a visible focus mark (or while hidden): {unseen}"
        assert page.get_attribute("#history-bar .toggle-button", "aria-label") == "Conversations · المحادثات"
        assert page.get_attribute("#question textarea", "aria-label") == "Question · السؤال"
