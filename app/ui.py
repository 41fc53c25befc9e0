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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gradio as gr
from gradio.helpers import Examples

from app import conversations, panels
from app.callbacks import Callbacks
from app.diagnostics import backend_choices
from app.labels import both, pair
from app.turns import answer_dict
from rag import RAG, RagError, Settings
from rag.ingest.formats import SUFFIXES
from rag.settings import BACKENDS

log = logging.getLogger(__name__)

LANGUAGE_CHOICES = [(pair("Same as the question", "لغة السؤال"), "auto"), (pair("Arabic", "العربية"), "ar"),
                    (pair("English", "الإنجليزية"), "en")]
EXAMPLES = [
    "كم يوما تستغرق زيارة ستولتنبرج إلى باكو؟",
    "من هو وزير الخارجية الأذربيجاني؟",
    "Which airport did Azerbaijani soldiers help secure?",
    "Where was the fourth EU-Azerbaijan security dialogue held?",
]


@dataclass
class Page:
    """The controls of the page that callbacks read or write."""

    turns: gr.State
    conv_id: gr.State
    saved: gr.BrowserState
    conv_list: gr.Radio
    drop_conv: gr.Button
    status_line: gr.HTML
    collection: gr.HTML
    library: gr.Accordion
    search: gr.Textbox
    article_list: gr.HTML
    to_delete: gr.Dropdown
    delete: gr.Button
    delete_log: gr.Markdown
    files: gr.File
    ingest_log: gr.Markdown
    link: gr.Textbox
    add_link: gr.Button
    link_log: gr.Markdown
    chatbot: gr.Chatbot
    question: gr.Textbox
    ask: gr.Button
    halt: gr.Button
    clear: gr.Button
    examples: Examples
    scope_articles: gr.Dropdown
    since: gr.Textbox
    until: gr.Textbox
    export: gr.Button
    export_file: gr.File
    sources: gr.HTML
    k: gr.Slider
    language: gr.Radio
    backend: gr.Radio
    diagnostics: gr.HTML


def _layout(settings: Settings, secret: str) -> Page:
    """Every control of the page, in page order (called inside the ``gr.Blocks`` context)."""
    turns = gr.State([])
    conv_id = gr.State("")
    saved = gr.BrowserState(conversations.EMPTY, storage_key="news-qa-conversations", secret=secret)
    with gr.Sidebar(label=both("conversations"), open=False, elem_id="history-bar", position="left"):
        conv_list = gr.Radio([], label=both("conversations"), elem_id="conversation-list")
        drop_conv = gr.Button(both("delete_conversation"), size="sm", variant="stop", elem_id="delete-conversation")
    gr.Markdown(f"# {both('title')}", elem_id="title")
    status_line = gr.HTML(panels.status_html(), elem_id="status")
    collection = gr.HTML(elem_id="collection")
    with gr.Accordion(panels.library_label(None), open=False, elem_id="library") as library:
        search = gr.Textbox(label=both("search_articles"), elem_id="article-search", max_lines=1)
        article_list = gr.HTML(elem_id="articles")
        with gr.Row():
            to_delete = gr.Dropdown([], label=both("choose_article"), elem_id="article-to-delete", scale=3)
            delete = gr.Button(both("delete_article"), variant="stop", elem_id="delete-article", scale=1)
        delete_log = gr.Markdown(elem_id="delete-log")
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
            with gr.Row(elem_id="scope-row"):
                scope_articles = gr.Dropdown([], multiselect=True, label=f"{both('scope')}: {both('scope_articles')}",
                                             elem_id="scope-articles", scale=3)
                since = gr.Textbox(label=both("since"), placeholder="2024-03-01", max_lines=1, elem_id="since",
                                   scale=1, min_width=120)
                until = gr.Textbox(label=both("until"), placeholder="2024-05-31", max_lines=1, elem_id="until",
                                   scale=1, min_width=120)
            with gr.Column(elem_id="examples"):
                examples = gr.Examples(EXAMPLES, inputs=[question], label=both("examples"))
            with gr.Row(elem_id="export-row"):
                export = gr.Button(both("export"), size="sm", elem_id="export", scale=1)
                export_file = gr.File(label=both("exported"), visible=False, elem_id="export-file", scale=2)
        with gr.Column(scale=2, min_width=300, elem_id="sources-col"):
            sources = gr.HTML(panels.EMPTY_PANEL, elem_id="sources")
    with gr.Row(elem_id="add-row"):  # where to add articles: on the page, not in a closed panel
        files = gr.File(label=f"{both('add_articles')} ({' '.join(SUFFIXES)})", file_count="multiple",
                        file_types=list(SUFFIXES), type="filepath", elem_id="upload", height=110, scale=1)
        with gr.Column(scale=1):
            link = gr.Textbox(label=both("add_link"), placeholder="https://", max_lines=1, elem_id="link")
            add_link = gr.Button(both("add_link_button"), elem_id="add-link", size="sm")
    ingest_log = gr.Markdown(elem_id="ingest-log")
    link_log = gr.Markdown(elem_id="link-log")
    with gr.Accordion(both("settings"), open=False, elem_id="settings"):
        with gr.Row():
            k = gr.Slider(1, 20, value=settings.top_k, step=1, label=both("passages"))
            language = gr.Radio(LANGUAGE_CHOICES, value="auto", label=both("answer_language"))
            backend = gr.Radio(backend_choices(BACKENDS), value=settings.backend, label=both("model"),
                               elem_id="backend")
        diagnostics = gr.HTML(elem_id="diagnostics")

    return Page(turns, conv_id, saved, conv_list, drop_conv, status_line, collection, library, search, article_list,
                to_delete, delete, delete_log, files, ingest_log, link, add_link, link_log, chatbot, question, ask,
                halt, clear, examples, scope_articles, since, until, export, export_file, sources, k, language,
                backend, diagnostics)


def _wire(demo: gr.Blocks, w: Page, do: Callbacks, rag: RAG) -> None:
    """Which callback each control triggers (called inside the ``gr.Blocks`` context)."""
    quiet: dict[str, Any] = {"api_visibility": "undocumented"}
    listing = [w.status_line, w.library, w.article_list, w.to_delete, w.diagnostics, w.scope_articles, w.collection]
    scope = [w.scope_articles, w.since, w.until]
    answer_out = [w.chatbot, w.question, w.turns, w.sources, w.status_line, w.ask, w.halt]
    chat_io: dict[str, Any] = dict(inputs=[w.question, w.turns, w.k, w.language, w.backend, *scope], outputs=answer_out,
                                   concurrency_id="model", show_progress="hidden", **quiet)
    saving: dict[str, Any] = dict(fn=do.persist, inputs=[w.turns, w.conv_id, w.saved],
                                  outputs=[w.saved, w.conv_list, w.conv_id], show_progress="hidden", **quiet)
    w.question.submit(do.respond, **chat_io).then(**saving)
    w.ask.click(do.respond, **chat_io).then(**saving)
    w.examples.load_input_event.then(do.respond, **chat_io).then(**saving)  # an example is asked at once
    w.chatbot.retry(do.regenerate, inputs=[w.turns, w.k, w.language, w.backend, *scope], outputs=answer_out,
                    concurrency_id="model", show_progress="hidden", **quiet).then(**saving)
    w.halt.click(do.stop, queue=False, **quiet)
    # not queued: a New chat clicked just before Ask must be done before that answer starts
    # (else its stop, meant for the previous answer, would end the new one)
    emptied = [w.chatbot, w.turns, w.sources, w.question, w.conv_id, w.saved, w.conv_list, w.ask, w.halt]
    fresh: dict[str, Any] = dict(inputs=[w.saved], outputs=emptied, queue=False, **quiet)
    w.clear.click(do.new_chat, **fresh)
    w.chatbot.clear(do.new_chat, **fresh)
    reopened = [w.chatbot, w.turns, w.sources, w.conv_id, w.saved, w.ask, w.halt]
    w.conv_list.input(do.open_conversation, inputs=[w.conv_list, w.saved], outputs=reopened, queue=False, **quiet)
    w.drop_conv.click(do.delete_conversation, inputs=[w.conv_id, w.saved], outputs=emptied, queue=False, **quiet)
    w.chatbot.select(do.select_answer, inputs=[w.turns], outputs=[w.sources], show_progress="hidden", **quiet)
    w.backend.change(do.overview, inputs=[w.backend, w.search], outputs=listing, **quiet)
    w.search.change(lambda q: panels.articles_html(rag.articles(), q), inputs=[w.search], outputs=[w.article_list],
                    show_progress="hidden", **quiet)
    w.files.upload(do.add_files, inputs=[w.files, w.backend, w.search], outputs=[w.ingest_log, w.files, *listing],
                   concurrency_id="model", **quiet)
    w.add_link.click(do.add_link, inputs=[w.link, w.backend, w.search], outputs=[w.link_log, w.link, *listing],
                     concurrency_id="model", **quiet)
    w.link.submit(do.add_link, inputs=[w.link, w.backend, w.search], outputs=[w.link_log, w.link, *listing],
                  concurrency_id="model", **quiet)
    w.export.click(do.export, inputs=[w.turns], outputs=[w.export_file], **quiet)
    w.delete.click(do.delete_article, inputs=[w.to_delete, w.backend, w.search], outputs=[w.delete_log, *listing],
                   concurrency_id="model", **quiet)
    demo.load(do.restore, inputs=[w.saved, w.backend],
              outputs=[w.chatbot, w.turns, w.sources, w.conv_id, w.conv_list, *listing], **quiet)


def _ask_api(rag: RAG) -> Callable[[str, str], dict]:
    """The documented ``/ask`` endpoint of the Gradio API."""
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

    return ask_api


def build_ui(rag: RAG, settings: Settings, browser_secret: str | None = None) -> gr.Blocks:
    do = Callbacks(rag, settings)
    with gr.Blocks(title=pair("News QA", "أسئلة الأخبار")) as demo:
        widgets = _layout(settings, browser_secret or secrets.token_hex(32))
        _wire(demo, widgets, do, rag)
        gr.api(_ask_api(rag), api_name="ask", concurrency_id="model")
    return demo
