"""The Gradio Blocks app: its layout, and which callback each control triggers.

``build_ui(rag, settings)`` lays out the chat, the sources panel, the article library and the
settings, and wires them to one ``Callbacks`` object (app/callbacks.py) that holds the ``RAG``
object; nothing is module-level. Per-reader state has two homes: ``gr.State`` for the live
conversation, and ``gr.BrowserState`` for the saved ones (app/conversations.py), written after
each finished answer so a reload or a closed tab reopens where the reader was. All HTML comes
from app/render.py and app/panels.py, which escape article and model text; all words from
app/labels.py. Model calls share one concurrency group (``model``), so an upload and an answer
never run the CPU-bound models at the same time; Stop and New chat are not queued, so they act
at once.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import gradio as gr

from app import conversations, panels
from app.callbacks import Callbacks, answer_dict
from app.diagnostics import backend_choices
from app.labels import both
from rag import RAG, RagError, Settings
from rag.ingest.formats import SUFFIXES
from rag.settings import BACKENDS

log = logging.getLogger(__name__)

LANGUAGE_CHOICES = [("Same as the question · لغة السؤال", "auto"), ("العربية · Arabic", "ar"),
                    ("English · الإنجليزية", "en")]
EXAMPLES = [
    "كم يوما تستغرق زيارة ستولتنبرج إلى باكو؟",
    "من هو وزير الخارجية الأذربيجاني؟",
    "Which airport did Azerbaijani soldiers help secure?",
    "Where was the fourth EU-Azerbaijan security dialogue held?",
]


def build_ui(rag: RAG, settings: Settings, browser_secret: str | None = None) -> gr.Blocks:
    do = Callbacks(rag, settings)
    secret = browser_secret or secrets.token_hex(32)

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
        saving: dict[str, Any] = dict(fn=do.persist, inputs=[turns, conv_id, saved], outputs=[saved, conv_list, conv_id],
                      show_progress="hidden", api_visibility="undocumented")
        question.submit(do.respond, **chat_io).then(**saving)
        ask.click(do.respond, **chat_io).then(**saving)
        examples.load_input_event.then(do.respond, **chat_io).then(**saving)  # an example is asked at once
        chatbot.retry(do.regenerate, inputs=[turns, k, language, backend], outputs=answer_out, concurrency_id="model",
                      show_progress="hidden", api_visibility="undocumented").then(**saving)
        halt.click(do.stop, queue=False, api_visibility="undocumented")
        # not queued: a New chat clicked just before Ask must be done before that answer starts
        # (else its stop, meant for the previous answer, would end the new one)
        fresh: dict[str, Any] = dict(inputs=[saved], outputs=[chatbot, turns, sources, question, conv_id, saved, conv_list,
                                                         ask, halt], queue=False, api_visibility="undocumented")
        clear.click(do.new_chat, **fresh)
        chatbot.clear(do.new_chat, **fresh)
        reopened = [chatbot, turns, sources, conv_id, saved, ask, halt]
        conv_list.input(do.open_conversation, inputs=[conv_list, saved], outputs=reopened, queue=False,
                        api_visibility="undocumented")
        drop_conv.click(do.delete_conversation, inputs=[conv_id, saved], queue=False,
                        outputs=[chatbot, turns, sources, question, conv_id, saved, conv_list, ask, halt],
                        api_visibility="undocumented")
        chatbot.select(do.select_answer, inputs=[turns], outputs=[sources], show_progress="hidden",
                       api_visibility="undocumented")
        backend.change(do.overview, inputs=[backend, search], outputs=listing, api_visibility="undocumented")
        search.change(lambda q: panels.articles_html(rag.articles(), q), inputs=[search], outputs=[article_list],
                      show_progress="hidden", api_visibility="undocumented")
        files.upload(do.add_files, inputs=[files, backend, search], outputs=[ingest_log, files, *listing],
                     concurrency_id="model", api_visibility="undocumented")
        delete.click(do.delete_article, inputs=[to_delete, backend, search], outputs=[delete_log, *listing],
                     concurrency_id="model", api_visibility="undocumented")
        demo.load(do.restore, inputs=[saved, backend], outputs=[chatbot, turns, sources, conv_id, conv_list, *listing],
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
