"""Conversations kept in the reader's browser, so a reload or a closed tab loses nothing. Pure.

The UI stores one JSON value in the browser (Gradio's ``BrowserState``, encrypted with the
server's secret): ``{"current": id, "conversations": [{"id", "title", "updated", "turns"}]}``,
most recent first. A turn is ``{"question", "answer": Answer dict}`` (or ``"stopped"``/``"error"``
with what was written), so reopening a conversation rebuilds both what the reader sees and
the follow-up context the model gets (:func:`history_of`) from the same record. Nothing is kept
on the server: the trade-off is that history is per browser, not per user account, and is
bounded (``MAX_CONVERSATIONS``; the oldest go first) because browser storage is small.

>>> store = save(EMPTY, "c1", [{"question": "Who met Aliyev?", "answer": {"text": "Stoltenberg. [1]"}}], 10.0)
>>> choices(store), turns_of(store, "c1")[0]["question"], history_of(turns_of(store, "c1"))[1]["content"]
([('Who met Aliyev?', 'c1')], 'Who met Aliyev?', 'Stoltenberg. [1]')
>>> choices(delete(store, "c1"))
[]
"""

from __future__ import annotations

import uuid

EMPTY: dict = {"current": "", "conversations": []}
MAX_CONVERSATIONS = 30
TITLE_CHARS = 60
TURN_KEYS = ("question", "answer", "stopped", "error")


def new_id() -> str:
    return uuid.uuid4().hex[:12]


def valid(store: object) -> dict:
    """The store as saved, or an empty one when the browser holds something else (an older
    format, another app's value): never an error on the first screen."""
    if not isinstance(store, dict) or not isinstance(store.get("conversations"), list):
        return {"current": "", "conversations": []}
    kept = [c for c in store["conversations"]
            if isinstance(c, dict) and isinstance(c.get("id"), str) and isinstance(c.get("turns"), list)]
    return {"current": store.get("current") if isinstance(store.get("current"), str) else "", "conversations": kept}


def title_of(turns: list[dict]) -> str:
    question = " ".join(str(turns[0].get("question", "")).split()) if turns else ""
    return question if len(question) <= TITLE_CHARS else question[: TITLE_CHARS - 1].rstrip() + "…"


def storable(turns: list[dict]) -> list[dict]:
    """Finished turns only, with the keys worth keeping (the live draft is not)."""
    out = []
    for turn in turns:
        kept = {k: turn[k] for k in TURN_KEYS if turn.get(k) not in (None, "")}
        if kept.get("question") and len(kept) > 1:
            out.append(kept)
    return out


def save(store: object, conv_id: str, turns: list[dict], now: float) -> dict:
    """The store with ``conv_id`` holding ``turns`` (moved to the top), and made current."""
    store = valid(store)
    rest = [c for c in store["conversations"] if c["id"] != conv_id]
    kept = storable(turns)
    if not kept:
        return {"current": conv_id, "conversations": rest}
    entry = {"id": conv_id, "title": title_of(kept), "updated": now, "turns": kept}
    return {"current": conv_id, "conversations": [entry, *rest][:MAX_CONVERSATIONS]}


def delete(store: object, conv_id: str) -> dict:
    store = valid(store)
    rest = [c for c in store["conversations"] if c["id"] != conv_id]
    return {"current": "" if store["current"] == conv_id else store["current"], "conversations": rest}


def turns_of(store: object, conv_id: str) -> list[dict]:
    return next((list(c["turns"]) for c in valid(store)["conversations"] if c["id"] == conv_id), [])


def choices(store: object) -> list[tuple[str, str]]:
    """(title, id) pairs for the list, most recent first."""
    return [(c.get("title") or "…", c["id"]) for c in valid(store)["conversations"]]


def history_of(turns: list[dict]) -> list[dict]:
    """Messages-format history of the answered turns, plain text, for follow-up questions
    (a stopped or failed turn is not part of what the model is told was said)."""
    messages = []
    for turn in turns:
        if turn.get("answer"):
            messages += [{"role": "user", "content": turn["question"]},
                         {"role": "assistant", "content": turn["answer"]["text"]}]
    return messages
