"""What each control of the chat UI does: the callbacks app/ui.py wires to its components.

One ``Callbacks`` object per app holds the ``RAG`` object, the settings and the registry of
running answers (app/runs.py); every method takes the reader's state as inputs and returns the
new state as outputs, so nothing about a reader lives here. The answer is a generator
(:meth:`Callbacks.respond`): a first update with the question and "searching", one per stage
and draft token, and a last one with the checked answer (or the stopped draft, or the error),
which the UI then saves in the browser (:meth:`Callbacks.persist`).
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import gradio as gr

from app import conversations, panels, render
from app.diagnostics import diagnose
from app.ingest_messages import ingest_message
from app.labels import within
from app.runs import Runs
from app.turns import answer_dict, answer_from_dict, chat_messages
from rag import RAG, RagError, Settings
from rag.ingest.plaintext import MB
from rag.ingest.uploads import save_upload
from rag.text.language import detect_language

log = logging.getLogger(__name__)

LANGUAGES = {"auto": None, "ar": "ar", "en": "en"}
IDLE = (gr.update(visible=True), gr.update(visible=False))  # (Ask, Stop)
BUSY = (gr.update(visible=False), gr.update(visible=True))


class Callbacks:
    def __init__(self, rag: RAG, settings: Settings):
        self.rag, self.settings, self.runs = rag, settings, Runs()

    def overview(self, choice: str | None = None, query: str = ""):
        """Status line, library label, article list, delete choices, Settings report and the
        articles a question can be limited to."""
        lines, problem = diagnose(self.rag, choice)
        try:
            stats, articles = self.rag.stats(), self.rag.articles()
        except Exception:  # diagnose already says the index cannot be read
            stats, articles = None, []
        delete_choices = [(f"{a.get('title') or a['article_id']} ({a['article_id']})", a["article_id"])
                          for a in articles]
        return (panels.status_html(problem), gr.update(label=panels.library_label(stats)),
                panels.articles_html(articles, query), gr.update(choices=delete_choices, value=None),
                panels.diagnostics_html(lines), gr.update(choices=delete_choices), panels.collection_html(articles))

    def sources_for(self, turns: list[dict], index: int) -> str:
        if not 0 <= index < len(turns) or not turns[index].get("answer"):
            return panels.EMPTY_PANEL
        answer = turns[index]["answer"]
        ids = {c["article_id"] for c in answer["citations"]}
        return panels.sources_html(answer, {aid: self.rag.article_text(aid) for aid in ids}, index)

    def respond(self, question: str, turns: list[dict], k: int, language: str, backend: str,
                articles: list[str] | None, since: str, until: str, request: gr.Request):
        question = (question or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), *IDLE
            return
        session = request.session_hash or "api"
        run = self.runs.start(session)
        history = conversations.history_of(turns)
        forced = LANGUAGES.get(language)
        turns = turns + [{"question": question, "partial": "", "stage": "searching",
                          "lang": forced or detect_language(question)}]
        turns[-1]["scope"] = within(articles, since, until, turns[-1]["lang"])
        turn, index = turns[-1], len(turns) - 1
        yield chat_messages(turns), "", turns, gr.skip(), gr.skip(), *BUSY
        events = self.rag.stream(question, history, backend=backend, language=forced, k=int(k),
                                 articles=articles or None, since=(since or "").strip() or None,
                                 until=(until or "").strip() or None)
        try:
            for event in events:
                if run.stopped.is_set():
                    events.close()  # in this thread: the model stops and releases its lock now
                    turn["stopped"] = turn.pop("partial", "")
                    log.info("answer stopped by the reader after %d characters", len(turn["stopped"]))
                    break
                if event.stage:
                    turn["stage"] = event.stage
                if event.delta:
                    turn["partial"] += event.delta
                if event.answer is not None:
                    turn["answer"] = answer_dict(event.answer)
                reading = gr.skip()
                if event.sources:
                    turn["reading"] = event.sources
                    reading = panels.reading_html(event.sources, turn["lang"], index)
                if event.stage or event.delta:
                    yield chat_messages(turns), gr.skip(), turns, reading, gr.skip(), *BUSY
        except (RagError, ValueError) as exc:
            log.warning("answer failed: %s", exc)
            turn["error"] = str(exc)
        except Exception as exc:  # never a traceback in the page; the log has it
            log.exception("answer failed")
            turn["error"] = f"internal error ({type(exc).__name__}); see the server log"
        finally:
            self.runs.finish(session, run)
        if run.discard:  # New chat or another conversation took over: leave what it shows
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), *IDLE
            return
        turn.pop("reading", None)
        if turn.get("answer") or "stopped" in turn:
            turn.pop("partial", None)
            again = question if "stopped" in turn else gr.skip()  # after Stop, the question is back to resend or edit
            yield chat_messages(turns), again, turns, self.sources_for(turns, index), panels.status_html(), *IDLE
        else:
            turn.setdefault("error", "no answer was produced")
            yield (chat_messages(turns), gr.skip(), turns, panels.EMPTY_PANEL,
                   panels.status_html(diagnose(self.rag, backend)[1] or turn["error"]), *IDLE)

    def regenerate(self, turns: list[dict], k: int, language: str, backend: str, articles: list[str] | None,
                   since: str, until: str, request: gr.Request):
        """The last question asked again (Gradio's retry button under the last answer)."""
        if not turns:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), *IDLE
            return
        yield from self.respond(turns[-1]["question"], turns[:-1], k, language, backend, articles, since, until,
                                request)

    def stop(self, request: gr.Request):
        self.runs.stop(request.session_hash or "api")

    def persist(self, turns: list[dict], conv_id: str, saved: dict):
        """Save the live conversation in the browser (after an answer ends)."""
        conv_id = conv_id or conversations.new_id()
        saved = conversations.save(saved, conv_id, turns, time.time())
        return saved, gr.update(choices=conversations.choices(saved), value=conv_id), conv_id

    def new_chat(self, saved: dict, request: gr.Request):
        self.runs.stop(request.session_hash or "api", discard=True)
        saved = conversations.valid(saved)
        saved["current"] = ""
        return ([], [], panels.EMPTY_PANEL, "", conversations.new_id(), saved,
                gr.update(choices=conversations.choices(saved), value=None), *IDLE)

    def open_conversation(self, conv_id: str, saved: dict, request: gr.Request):
        self.runs.stop(request.session_hash or "api", discard=True)
        turns = conversations.turns_of(saved, conv_id)
        saved = {**conversations.valid(saved), "current": conv_id if turns else ""}
        last = len(turns) - 1
        return chat_messages(turns), turns, self.sources_for(turns, last), conv_id, saved, *IDLE

    def delete_conversation(self, conv_id: str, saved: dict, request: gr.Request):
        saved = conversations.delete(saved, conv_id)
        return self.new_chat(saved, request)

    def restore(self, saved: dict, choice: str):
        """The first screen: the library and status, and the conversation open before a reload."""
        saved = conversations.valid(saved)
        conv_id = saved["current"]
        turns = conversations.turns_of(saved, conv_id) if conv_id else []
        return (chat_messages(turns), turns, self.sources_for(turns, len(turns) - 1), conv_id or conversations.new_id(),
                gr.update(choices=conversations.choices(saved), value=conv_id or None), *self.overview(choice))

    def select_answer(self, turns: list[dict], evt: gr.SelectData):
        match = re.search(r"turn-(\d+)", str(evt.value))
        position = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        index = int(match.group(1)) if match else (position if isinstance(position, int) else -1) // 2
        return self.sources_for(turns, index)

    def add_files(self, files, choice: str, query: str, progress=gr.Progress()):  # noqa: B008 (Gradio's tracker)
        if not files:
            return gr.skip(), None, *self.overview(choice, query)
        lines = []
        limit = int(self.settings.max_article_mb * MB)
        for i, upload in enumerate(files):
            name = Path(str(upload)).name.replace("`", "'")  # Gradio keeps the browser's base name
            progress((i, len(files)), desc=f"indexing {name}")
            try:
                target = save_upload(Path(str(upload)), name, self.settings.uploads_dir, limit)
                saved = "" if target.name == name else f" (saved as `{target.name}`)"
                report = self.rag.ingest([target], prune=False)
                lines.append(f"- `{name}`{saved}: {render.esc(ingest_message(report, self._titles()))}")
            except (RagError, OSError) as exc:
                lines.append(f"- `{name}`: not indexed: {exc}")
        progress((len(files), len(files)), desc="done")
        return "\n".join(lines), None, *self.overview(choice, query)

    def delete_article(self, article_id: str | None, choice: str, query: str):
        if not article_id:
            return "Choose an article first · اختر مقالا أولا", *self.overview(choice, query)
        try:
            message = self.rag.delete_article(article_id)
        except RagError as exc:
            message = f"not deleted: {exc}"
        return message, *self.overview(choice, query)

    def _titles(self) -> dict[str, str]:
        return {a["article_id"]: a.get("title") or a["article_id"] for a in self.rag.articles()}

    def add_link(self, url: str, choice: str, query: str):
        """A news page or a feed, fetched and indexed (rag/ingest/web.py); the message says what
        became of it in plain words."""
        url = (url or "").strip()
        if not url:
            return "Paste a link first · الصق رابطا أولا", gr.skip(), *self.overview(choice, query)
        try:
            message = render.esc(ingest_message(self.rag.ingest([url], prune=False), self._titles()))
        except RagError as exc:
            message = render.esc(f"could not read {url}: {exc}")
        return message, "", *self.overview(choice, query)

    def export(self, turns: list[dict]):
        """The conversation as a Markdown file (questions, answers, sources), offered for download."""
        answers = [answer_from_dict(t["answer"]) for t in turns if t.get("answer")]
        if not answers:
            return gr.update(value=None, visible=False)
        folder = self.settings.data_dir / "exports"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"conversation-{time.strftime('%Y%m%d-%H%M%S')}.md"
        path.write_text(self.rag.export_markdown(answers), encoding="utf-8")
        return gr.update(value=str(path), visible=True)
