"""Follow-up questions: "When did he arrive?" rewritten to stand alone before retrieval.

One home for the rule, used by both ``RAG.stream(question, history)`` and the llama-index chat
engine (chat_engine.py). The model rewrites with prompts/rewrite.txt; the result is kept only
when it is one short line *in the follow-up's own language*: a 1.5B model sometimes answers
instead of rewriting, or slips into English, and an English standalone question would make the
answer English too. Otherwise the fallback is the previous user turn plus the follow-up, which
retrieval handles well (both are in the user's words). The trade-off: the fallback can carry a
stale topic word into retrieval; it never changes the language or invents a name.
"""

from __future__ import annotations

import logging

from rag.answer.prompts import PromptSet, render_history
from rag.backends.base import ChatBackend
from rag.text.language import detect_language

log = logging.getLogger(__name__)


def accept_rewrite(question: str, rewritten: str) -> bool:
    """Keep the model's rewrite only when it is one short line in the question's language.

    >>> accept_rewrite("When did he arrive?", "When did Stoltenberg arrive in Baku?")
    True
    >>> accept_rewrite("متى وصل؟", "When did Stoltenberg arrive in Baku?")
    False
    """
    if not rewritten or len(rewritten) > 3 * len(question) + 150:
        return False
    return detect_language(rewritten) == detect_language(question)


def condense(question: str, history: list[dict], llm: ChatBackend, prompts: PromptSet) -> str:
    """A standalone version of a follow-up question (unchanged when there is no history).
    ``history`` is messages-format: ``[{"role": "user"|"assistant", "content": ...}, ...]``."""
    turns = [m for m in history if m.get("role") in ("user", "assistant") and m.get("content")]
    if not turns:
        return question
    prompt = prompts.render("rewrite", history=render_history(turns), question=question)
    text = "".join(llm.stream_chat([{"role": "user", "content": prompt}], 64, 0.0)).strip()
    text = text.splitlines()[0].strip().strip('"«»“”') if text else ""
    if not accept_rewrite(question, text):
        last_user = next((m["content"] for m in reversed(turns) if m["role"] == "user"), "")
        log.info("follow-up %r: rewrite %r not kept, using the previous question too", question, text)
        return f"{last_user} {question}".strip()
    log.info("rewrote follow-up %r -> %r", question, text)
    return text
