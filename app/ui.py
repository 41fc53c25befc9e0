"""The Gradio Blocks app: a chat with cited answers, its sources, the article library, settings.

``build_ui(rag, settings)`` wires components to callbacks that close over the one ``RAG``
object; nothing is module-level. Per-reader state has two homes: ``gr.State`` for the live
conversation, and ``gr.BrowserState`` for the saved ones (app/conversations.py), written after
each finished answer so a reload or a closed tab reopens where the reader was. An answer runs
as a generator that shows each stage (searching, writing with the draft, checking) and ends
with the verified answer; Stop and New chat end it through app/runs.py. All HTML comes from
app/render.py and app/panels.py, which escape article and model text; all words from
app/labels.py. Model calls share one concurrency group (``model``), so an upload and an answer
never run the CPU-bound models at the same time.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from pathlib import Path
from typing import Any

import gradio as gr

from app import conversations, panels, render
from app.diagnostics import backend_choices, diagnose
from app.labels import both
from app.runs import Runs
from rag import RAG, RagError, Settings
from rag.ingest.formats import SUFFIXES
from rag.ingest.plaintext import MB
from rag.ingest.uploads import save_upload
from rag.settings import BACKENDS
from rag.text.language import detect_language

log = logging.getLogger(__name__)

LANGUAGES = {"auto": None, "ar": "ar", "en": "en"}
LANGUAGE_CHOICES = [("Same as the question · لغة السؤال", "auto"), ("العربية · Arabic", "ar"),
                    ("English · الإنجليزية", "en")]
EXAMPLES = [
    "كم يوما تستغرق زيارة ستولتنبرج إلى باكو؟",
    "من هو وزير الخارجية الأذربيجاني؟",
    "Which airport did Azerbaijani soldiers help secure?",
    "Where was the fourth EU-Azerbaijan security dialogue held?",
]
ANSWER_KEYS = ("question", "text", "answered", "language", "citations", "sources", "backend", "model",
               "refusal_reason", "refused_by", "draft", "timings")
IDLE = (gr.update(visible=True), gr.update(visible=False))  # (Ask, Stop)
BUSY = (gr.update(visible=False), gr.update(visible=True))


def chat_messages(turns: list[dict]) -> list[dict]:
    messages = []
    for i, turn in enumerate(turns):
        messages.append({"role": "user", "content": render.user_html(turn["question"], i)})
        if turn.get("answer"):
            content = render.answer_html(turn["answer"], i)
        elif turn.get("error"):
            content = render.error_html(turn["error"])
        elif "stopped" in turn:
            content = render.stopped_html(turn["stopped"], turn.get("lang"))
        else:
            content = render.streaming_html(turn.get("partial", ""), turn.get("stage", "searching"), turn.get("lang"))
        messages.append({"role": "assistant", "content": content})
    return messages


def answer_dict(answer) -> dict:
    data = answer.to_dict()
    return {key: data[key] for key in ANSWER_KEYS}


def build_ui(rag: RAG, settings: Settings, browser_secret: str | None = None) -> gr.Blocks:
    runs = Runs()
    secret = browser_secret or secrets.token_hex(32)

    def overview(choice: str | None = None, query: str = ""):
        """Status line, library label, article list, delete choices and Settings report."""
        lines, problem = diagnose(rag, choice)
        try:
            stats, articles = rag.stats(), rag.articles()
        except Exception:  # diagnose already says the index cannot be read
            stats, articles = None, []
        delete_choices = [(f"{a.get('title') or a['article_id']} ({a['article_id']})", a["article_id"])
                          for a in articles]
        return (panels.status_html(problem), gr.update(label=panels.library_label(stats)),
                panels.articles_html(articles, query), gr.update(choices=delete_choices, value=None),
                panels.diagnostics_html(lines))

    def sources_for(turns: list[dict], index: int) -> str:
        if not 0 <= index < len(turns) or not turns[index].get("answer"):
            return panels.EMPTY_PANEL
        answer = turns[index]["answer"]
        ids = {c["article_id"] for c in answer["citations"]}
        return panels.sources_html(answer, {aid: rag.article_text(aid) for aid in ids}, index)

    def respond(question: str, turns: list[dict], k: int, language: str, backend: str, request: gr.Request):
        question = (question or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), *IDLE
            return
        session = request.session_hash or "api"
        run = runs.start(session)
        history = conversations.history_of(turns)
        forced = LANGUAGES.get(language)
        turns = turns + [{"question": question, "partial": "", "stage": "searching",
                          "lang": forced or detect_language(question)}]
        turn, index = turns[-1], len(turns) - 1
        yield chat_messages(turns), "", turns, gr.skip(), gr.skip(), *BUSY
        events = rag.stream(question, history, backend=backend, language=forced, k=int(k))
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
                if event.stage or event.delta:
                    yield chat_messages(turns), gr.skip(), turns, gr.skip(), gr.skip(), *BUSY
        except (RagError, ValueError) as exc:
            log.warning("answer failed: %s", exc)
            turn["error"] = str(exc)
        except Exception as exc:  # never a traceback in the page; the log has it
            log.exception("answer failed")
            turn["error"] = f"internal error ({type(exc).__name__}); see the server log"
        finally:
            runs.finish(session, run)
        if run.discard:  # New chat or another conversation took over: leave what it shows
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), *IDLE
            return
        if turn.get("answer") or "stopped" in turn:
            turn.pop("partial", None)
            yield chat_messages(turns), gr.skip(), turns, sources_for(turns, index), panels.status_html(), *IDLE
        else:
            turn.setdefault("error", "no answer was produced")
            yield (chat_messages(turns), gr.skip(), turns, gr.skip(),
                   panels.status_html(diagnose(rag, backend)[1] or turn["error"]), *IDLE)

    def regenerate(turns: list[dict], k: int, language: str, backend: str, request: gr.Request):
        """The last question asked again (Gradio's retry button under the last answer)."""
        if not turns:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), *IDLE
            return
        yield from respond(turns[-1]["question"], turns[:-1], k, language, backend, request)

    def stop(request: gr.Request):
        runs.stop(request.session_hash or "api")

    def persist(turns: list[dict], conv_id: str, saved: dict):
        """Save the live conversation in the browser (after an answer ends)."""
        conv_id = conv_id or conversations.new_id()
        saved = conversations.save(saved, conv_id, turns, time.time())
        return saved, gr.update(choices=conversations.choices(saved), value=conv_id), conv_id

    def new_chat(saved: dict, request: gr.Request):
        runs.stop(request.session_hash or "api", discard=True)
        saved = conversations.valid(saved)
        saved["current"] = ""
        return ([], [], panels.EMPTY_PANEL, "", conversations.new_id(), saved,
                gr.update(choices=conversations.choices(saved), value=None), *IDLE)

    def open_conversation(conv_id: str, saved: dict, request: gr.Request):
        runs.stop(request.session_hash or "api", discard=True)
        turns = conversations.turns_of(saved, conv_id)
        saved = {**conversations.valid(saved), "current": conv_id if turns else ""}
        last = len(turns) - 1
        return chat_messages(turns), turns, sources_for(turns, last), conv_id, saved, *IDLE

    def delete_conversation(conv_id: str, saved: dict, request: gr.Request):
        saved = conversations.delete(saved, conv_id)
        return new_chat(saved, request)

    def restore(saved: dict, choice: str):
        """The first screen: the library and status, and the conversation open before a reload."""
        saved = conversations.valid(saved)
        conv_id = saved["current"]
        turns = conversations.turns_of(saved, conv_id) if conv_id else []
        return (chat_messages(turns), turns, sources_for(turns, len(turns) - 1), conv_id or conversations.new_id(),
                gr.update(choices=conversations.choices(saved), value=conv_id or None), *overview(choice))

    def select_answer(turns: list[dict], evt: gr.SelectData):
        match = re.search(r"turn-(\d+)", str(evt.value))
        position = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        index = int(match.group(1)) if match else (position if isinstance(position, int) else -1) // 2
        return sources_for(turns, index)

    def add_files(files, choice: str, query: str, progress=gr.Progress()):  # noqa: B008 (Gradio's tracker)
        if not files:
            return gr.skip(), None, *overview(choice, query)
        lines = []
        limit = int(settings.max_article_mb * MB)
        for i, upload in enumerate(files):
            name = Path(str(upload)).name.replace("`", "'")  # Gradio keeps the browser's base name
            progress((i, len(files)), desc=f"indexing {name}")
            try:
                target = save_upload(Path(str(upload)), name, settings.uploads_dir, limit)
                saved = "" if target.name == name else f" (saved as `{target.name}`)"
                lines.append(f"- `{name}`{saved}: {rag.ingest([target], prune=False).summary()}")
            except (RagError, OSError) as exc:
                lines.append(f"- `{name}`: not indexed: {exc}")
        progress((len(files), len(files)), desc="done")
        return "\n".join(lines), None, *overview(choice, query)

    def delete_article(article_id: str | None, choice: str, query: str):
        if not article_id:
            return "Choose an article first · اختر مقالا أولا", *overview(choice, query)
        try:
            message = rag.delete_article(article_id)
        except RagError as exc:
            message = f"not deleted: {exc}"
        return message, *overview(choice, query)

    with gr.Blocks(title="News QA · أسئلة الأخبار") as demo:
        turns = gr.State([])
        conv_id = gr.State("")
        saved = gr.BrowserState(conversations.EMPTY, storage_key="news-qa-conversations", secret=secret)
        with gr.Sidebar(label=both("conversations"), open=False, elem_id="history-bar", position="left"):
            conv_list = gr.Radio([], label=both("conversations"), elem_id="conversation-list")
            drop_conv = gr.Button(both("delete_conversation"), size="sm", variant="stop", elem_id="delete-conversation")
        gr.Markdown(f"## {both('title')}", elem_id="title")
        status_line = gr.HTML(panels.status_html(), elem_id="status")
        with gr.Accordion(panels.library_label(None), open=False, elem_id="library") as library:
            search = gr.Textbox(label=both("search_articles"), elem_id="article-search", max_lines=1)
            article_list = gr.HTML(elem_id="articles")
            with gr.Row():
                to_delete = gr.Dropdown([], label=both("choose_article"), elem_id="article-to-delete", scale=3)
                delete = gr.Button(both("delete_article"), variant="stop", elem_id="delete-article", scale=1)
            delete_log = gr.Markdown(elem_id="delete-log")
            files = gr.File(label=f"{both('add_articles')} ({' '.join(SUFFIXES)})", file_count="multiple",
                            file_types=list(SUFFIXES), type="filepath", elem_id="upload")
            ingest_log = gr.Markdown(elem_id="ingest-log")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=300):
                chatbot = gr.Chatbot(elem_id="chat", label=both("conversation"), height=520, render_markdown=False,
                                     feedback_options=None, buttons=["copy"], group_consecutive_messages=False)
                question = gr.Textbox(elem_id="question", show_label=False, lines=2, max_lines=6,
                                      placeholder=both("placeholder"))
                with gr.Row(elem_id="send-row"):
                    ask = gr.Button(both("ask"), variant="primary", elem_id="ask", scale=3, min_width=100)
                    halt = gr.Button(both("stop"), variant="stop", elem_id="stop", scale=3, min_width=100, visible=False)
                    clear = gr.Button(both("new_conversation"), elem_id="clear", scale=2, min_width=100)
                with gr.Column(elem_id="examples"):
                    examples = gr.Examples(EXAMPLES, inputs=[question], label=both("examples"))
            with gr.Column(scale=2, min_width=300, elem_id="sources-col"):
                sources = gr.HTML(panels.EMPTY_PANEL, elem_id="sources")
        with gr.Accordion(both("settings"), open=False, elem_id="settings"):
            with gr.Row():
                k = gr.Slider(1, 20, value=settings.top_k, step=1, label=both("passages"))
                language = gr.Radio(LANGUAGE_CHOICES, value="auto", label=both("answer_language"))
                backend = gr.Radio(backend_choices(BACKENDS), value=settings.backend, label=both("model"),
                                   elem_id="backend")
            diagnostics = gr.HTML(elem_id="diagnostics")

        listing = [status_line, library, article_list, to_delete, diagnostics]
        answer_out = [chatbot, question, turns, sources, status_line, ask, halt]
        chat_io: dict[str, Any] = dict(inputs=[question, turns, k, language, backend], outputs=answer_out,
                       concurrency_id="model", show_progress="hidden", api_visibility="undocumented")
        saving: dict[str, Any] = dict(fn=persist, inputs=[turns, conv_id, saved], outputs=[saved, conv_list, conv_id],
                      show_progress="hidden", api_visibility="undocumented")
        question.submit(respond, **chat_io).then(**saving)
        ask.click(respond, **chat_io).then(**saving)
        examples.load_input_event.then(respond, **chat_io).then(**saving)  # an example is asked at once
        chatbot.retry(regenerate, inputs=[turns, k, language, backend], outputs=answer_out, concurrency_id="model",
                      show_progress="hidden", api_visibility="undocumented").then(**saving)
        halt.click(stop, queue=False, api_visibility="undocumented")
        # not queued: a New chat clicked just before Ask must be done before that answer starts
        # (else its stop, meant for the previous answer, would end the new one)
        fresh: dict[str, Any] = dict(inputs=[saved], outputs=[chatbot, turns, sources, question, conv_id, saved, conv_list,
                                                         ask, halt], queue=False, api_visibility="undocumented")
        clear.click(new_chat, **fresh)
        chatbot.clear(new_chat, **fresh)
        reopened = [chatbot, turns, sources, conv_id, saved, ask, halt]
        conv_list.input(open_conversation, inputs=[conv_list, saved], outputs=reopened, queue=False,
                        api_visibility="undocumented")
        drop_conv.click(delete_conversation, inputs=[conv_id, saved], queue=False,
                        outputs=[chatbot, turns, sources, question, conv_id, saved, conv_list, ask, halt],
                        api_visibility="undocumented")
        chatbot.select(select_answer, inputs=[turns], outputs=[sources], show_progress="hidden",
                       api_visibility="undocumented")
        backend.change(overview, inputs=[backend, search], outputs=listing, api_visibility="undocumented")
        search.change(lambda q: panels.articles_html(rag.articles(), q), inputs=[search], outputs=[article_list],
                      show_progress="hidden", api_visibility="undocumented")
        files.upload(add_files, inputs=[files, backend, search], outputs=[ingest_log, files, *listing],
                     concurrency_id="model", api_visibility="undocumented")
        delete.click(delete_article, inputs=[to_delete, backend, search], outputs=[delete_log, *listing],
                     concurrency_id="model", api_visibility="undocumented")
        demo.load(restore, inputs=[saved, backend], outputs=[chatbot, turns, sources, conv_id, conv_list, *listing],
                  api_visibility="undocumented")

        def ask_api(question: str, language: str = "auto") -> dict:
            """Answer one question from the indexed articles.

            Returns {"text", "answered", "language", "citations": [{number, article_id, title,
            quote, start, end, score}]}; ``language`` is auto, ar or en.
            """
            if language not in ("auto", "ar", "en"):
                raise gr.Error("language must be auto, ar or en")
            try:
                answer = rag.ask(question, language=None if language == "auto" else language)
            except (RagError, ValueError) as exc:
                raise gr.Error(str(exc)) from exc
            except Exception as exc:  # never a traceback to the caller; the log has it
                log.exception("/ask failed")
                raise gr.Error(f"internal error ({type(exc).__name__}); see the server log") from exc
            data = answer_dict(answer)
            return {key: data[key] for key in ("text", "answered", "language", "citations")}

        gr.api(ask_api, api_name="ask", concurrency_id="model")
    return demo
