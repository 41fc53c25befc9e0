"""A turn of the conversation as the page keeps it, and how turns become chat messages (pure).

A turn is a plain dict in ``gr.State`` (and, once finished, in the browser's saved conversations,
app/conversations.py): ``question``, ``lang``, ``scope``, then while the answer is made ``stage``,
``partial`` (the draft so far) and ``reading`` (the passages the model reads), and at the end one
of ``answer`` (``answer_dict``), ``stopped`` (the unfinished draft) or ``error``. Plain dicts,
not ``Answer`` objects, because the browser stores JSON; ``answer_from_dict`` turns a saved answer
back into an ``Answer`` where the API needs one (the Markdown export).
"""

from __future__ import annotations

from app import render
from rag import Answer, Citation

ANSWER_KEYS = ("question", "text", "answered", "language", "citations", "sources", "backend", "model",
               "refusal_reason", "refused_by", "draft", "timings")


def chat_messages(turns: list[dict]) -> list[dict]:
    """The turns as the Chatbot's messages: each question, then its answer in whatever state it is."""
    messages = []
    for i, turn in enumerate(turns):
        messages.append({"role": "user", "content": render.user_html(turn["question"], i, turn.get("scope", ""))})
        if turn.get("answer"):
            content = render.answer_html(turn["answer"], i)
        elif turn.get("error"):
            content = render.error_html(turn["error"])
        elif "stopped" in turn:
            content = render.stopped_html(turn["stopped"], turn.get("lang"))
        else:
            content = render.streaming_html(turn.get("partial", ""), turn.get("stage", "searching"), turn.get("lang"),
                                            turn.get("reading"))
        messages.append({"role": "assistant", "content": content})
    return messages


def answer_dict(answer) -> dict:
    """What the page keeps of an ``Answer``."""
    data = answer.to_dict()
    return {key: data[key] for key in ANSWER_KEYS}


def answer_from_dict(data: dict) -> Answer:
    """A saved answer (``answer_dict``) back as an ``Answer`` for the Markdown export."""
    citations = [Citation(**{k: c[k] for k in ("number", "article_id", "title", "quote", "start", "end", "score")},
                          url=c.get("url", "")) for c in data.get("citations", [])]
    return Answer(question=data["question"], text=data["text"], answered=data["answered"], language=data["language"],
                  answer_language=data["language"], citations=citations)
