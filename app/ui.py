"""The Gradio Blocks app: chat with streamed, cited answers; a sources panel; uploads; settings.

``main()`` builds the one ``RAG`` object and hands it to :func:`build_ui`; callbacks close over
it, and per-user state (the conversation and its answers) lives in a ``gr.State``, so there is
no module-level mutable state. All HTML comes from :mod:`app.render`, which escapes article
and model text. Model calls share one concurrency group (``model``) so an upload and an answer
never run the CPU-bound models at the same time, and the queue makes a second user wait.
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import re
import sys
from importlib import resources
from pathlib import Path

import gradio as gr
from gradio.route_utils import FnIndexInferError
from pydantic import ValidationError

from app import render
from rag import RAG, RagError, Settings
from rag.ingest.formats import SUFFIXES
from rag.ingest.plaintext import MB
from rag.ingest.uploads import save_upload
from rag.settings import BACKENDS

log = logging.getLogger(__name__)

ASSETS = resources.files("app")  # package data: the CSS and JS ship in the wheel
SEEDS = Path(__file__).resolve().parent.parent / "seeds"  # a checkout's seeds (absent from a wheel)
LANGUAGES = {"auto": None, "Arabic / العربية": "ar", "English": "en"}
EXAMPLES = [
    "كم يوما تستغرق زيارة ستولتنبرج إلى باكو؟",
    "من هو وزير الخارجية الأذربيجاني؟",
    "Which airport did Azerbaijani soldiers help secure?",
    "Where was the fourth EU-Azerbaijan security dialogue held?",
]
ANSWER_KEYS = ("question", "text", "answered", "language", "citations", "sources", "backend", "model",
               "refusal_reason", "timings")


def backend_status(rag: RAG, choice: str | None) -> tuple[str, str]:
    """(label of the backend that will answer, problem the user should know about or "")."""
    name = choice or rag.settings.backend
    note = ""
    try:
        if name in ("auto", "ollama"):
            ok, reason = rag.backends.probe_ollama()
            if not ok and name == "ollama":
                return f"Ollama {rag.settings.ollama_model}", reason
            if not ok:
                note = f" (Ollama not used: {reason})"
        backend = rag.backends.get(name)
    except RagError as exc:
        return name, str(exc)
    kind = {"ollama": "Ollama", "llamacpp": "embedded llama.cpp"}.get(backend.name, backend.name)
    return f"{kind} {backend.model}{note}", ""


def history_of(turns: list[dict]) -> list[dict]:
    """Messages-format history of the finished turns, plain text, for follow-up questions."""
    messages = []
    for turn in turns:
        if turn.get("answer"):
            messages += [{"role": "user", "content": turn["question"]},
                         {"role": "assistant", "content": turn["answer"]["text"]}]
    return messages


def chat_messages(turns: list[dict]) -> list[dict]:
    messages = []
    for i, turn in enumerate(turns):
        messages.append({"role": "user", "content": render.user_html(turn["question"], i)})
        if turn.get("answer"):
            content = render.answer_html(turn["answer"], i)
        elif turn.get("error"):
            content = render.error_html(turn["error"])
        else:
            content = render.streaming_html(turn.get("partial", ""))
        messages.append({"role": "assistant", "content": content})
    return messages


def answer_dict(answer) -> dict:
    data = answer.to_dict()
    return {key: data[key] for key in ANSWER_KEYS}


def build_ui(rag: RAG, settings: Settings) -> gr.Blocks:
    def status(choice: str | None = None, extra: str = "") -> str:
        label, problem = backend_status(rag, choice)
        try:
            stats = rag.stats()
        except Exception as exc:  # the status line must render even with a broken store
            stats, problem = None, problem or f"index unavailable: {exc}"
        return render.status_html(label + extra, stats, problem)

    def sources_for(turns: list[dict], index: int) -> str:
        if not 0 <= index < len(turns) or not turns[index].get("answer"):
            return render.sources_html(None, {}, -1)
        answer = turns[index]["answer"]
        ids = {c["article_id"] for c in answer["citations"]}
        return render.sources_html(answer, {aid: rag.article_text(aid) for aid in ids}, index)

    def respond(question: str, turns: list[dict], k: int, language: str, backend: str):
        question = (question or "").strip()
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        history = history_of(turns)
        turns = turns + [{"question": question, "partial": ""}]
        turn, index = turns[-1], len(turns) - 1
        yield chat_messages(turns), "", turns, gr.skip(), gr.skip()
        try:
            for event in rag.stream(question, history, backend=backend, language=LANGUAGES.get(language), k=int(k)):
                if event.delta:
                    turn["partial"] += event.delta
                    yield chat_messages(turns), gr.skip(), turns, gr.skip(), gr.skip()
                if event.answer is not None:
                    turn["answer"] = answer_dict(event.answer)
        except (RagError, ValueError) as exc:
            log.warning("answer failed: %s", exc)
            turn["error"] = str(exc)
        except Exception as exc:  # never a traceback in the page; the log has it
            log.exception("answer failed")
            turn["error"] = f"internal error ({type(exc).__name__}); see the server log"
        if turn.get("answer"):
            total = turn["answer"]["timings"].get("total", 0.0)
            yield (chat_messages(turns), gr.skip(), turns, sources_for(turns, index),
                   status(backend, f" · last answer {total:.1f} s"))
        else:
            turn.setdefault("error", "no answer was produced")
            yield chat_messages(turns), gr.skip(), turns, gr.skip(), render.status_html(
                backend_status(rag, backend)[0], rag.stats(), turn["error"])

    def select_answer(turns: list[dict], evt: gr.SelectData):
        match = re.search(r"turn-(\d+)", str(evt.value))
        position = evt.index[0] if isinstance(evt.index, (list, tuple)) else evt.index
        index = int(match.group(1)) if match else (position if isinstance(position, int) else -1) // 2
        return sources_for(turns, index)

    def add_files(files, progress=gr.Progress()):  # noqa: B008 (Gradio passes its tracker through this default)
        if not files:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
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
        return "\n".join(lines), render.articles_html(rag.articles()), status(), None

    with gr.Blocks(title="News QA · أسئلة الأخبار") as demo:
        turns = gr.State([])
        gr.Markdown("## Ask the news · اسأل الأخبار", elem_id="title")
        status_line = gr.HTML(elem_id="status")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(elem_id="chat", label="Conversation", height=520, render_markdown=False,
                                     feedback_options=None, buttons=["copy"], group_consecutive_messages=False)
                question = gr.Textbox(elem_id="question", show_label=False, lines=2, max_lines=6,
                                      placeholder="Ask in Arabic or English (Enter sends, Shift+Enter adds a line) · "
                                                  "اسأل بالعربية أو بالإنجليزية (Enter للإرسال، Shift+Enter لسطر جديد)")
                with gr.Row():
                    ask = gr.Button("Ask · اسأل", variant="primary", elem_id="ask", scale=3)
                    clear = gr.Button("Clear · مسح", elem_id="clear", scale=1)
                examples = gr.Examples(EXAMPLES, inputs=[question], label="Examples · أمثلة")
            with gr.Column(scale=2):
                sources = gr.HTML(render.sources_html(None, {}, -1), elem_id="sources", label="Sources")
        with gr.Accordion("Settings · الإعدادات", open=False, elem_id="settings"):
            with gr.Row():
                k = gr.Slider(1, 20, value=settings.top_k, step=1, label="Passages to retrieve (k)")
                language = gr.Radio(list(LANGUAGES), value="auto", label="Answer language")
                backend = gr.Radio(list(BACKENDS), value=settings.backend, label="Backend")
        with gr.Accordion("Add articles · إضافة مقالات", open=False, elem_id="add-articles"):
            files = gr.File(label=f"Upload articles ({' '.join(SUFFIXES)})", file_count="multiple",
                            file_types=list(SUFFIXES), type="filepath", elem_id="upload")
            ingest_log = gr.Markdown(elem_id="ingest-log")
            article_list = gr.HTML(elem_id="articles")

        chat_io = dict(inputs=[question, turns, k, language, backend],
                       outputs=[chatbot, question, turns, sources, status_line],
                       concurrency_id="model", show_progress="hidden", api_visibility="undocumented")
        submitted = question.submit(respond, **chat_io)
        clicked = ask.click(respond, **chat_io)
        picked = examples.load_input_event.then(respond, **chat_io)  # an example is asked at once
        cleared = dict(outputs=[chatbot, turns, sources, question], cancels=[submitted, clicked, picked],
                       api_visibility="undocumented")
        clear.click(lambda: ([], [], render.sources_html(None, {}, -1), ""), **cleared)
        chatbot.clear(lambda: ([], [], render.sources_html(None, {}, -1), ""), **cleared)
        chatbot.select(select_answer, inputs=[turns], outputs=[sources], show_progress="hidden",
                       api_visibility="undocumented")
        backend.change(status, inputs=[backend], outputs=[status_line], api_visibility="undocumented")
        files.upload(add_files, inputs=[files], outputs=[ingest_log, article_list, status_line, files],
                     concurrency_id="model", api_visibility="undocumented")
        demo.load(lambda choice: (status(choice), render.articles_html(rag.articles())), inputs=[backend],
                  outputs=[status_line, article_list], api_visibility="undocumented")

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


def exposure_warning(settings: Settings) -> str:
    """A warning when the UI listens beyond this machine without a login ("" otherwise).

    >>> exposure_warning(Settings(ui_host="0.0.0.0"))[:40]
    'the UI listens on 0.0.0.0, reachable fro'
    >>> exposure_warning(Settings(ui_host="127.0.0.1")), exposure_warning(Settings(ui_host="0.0.0.0", ui_auth="a:b"))
    ('', '')
    """
    host = settings.ui_host.strip("[]")
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback or settings.ui_auth:
        return ""
    return (f"the UI listens on {settings.ui_host}, reachable from other machines, without a login: anyone "
            "who can reach it can read the articles and upload files; set RAG_UI_AUTH=user:password")


def launch_options(settings: Settings) -> dict:
    auth = tuple(settings.ui_auth.split(":", 1)) if settings.ui_auth else None
    return {"server_name": settings.ui_host, "server_port": settings.ui_port, "auth": auth,
            "css": ASSETS.joinpath("assets.css").read_text(encoding="utf-8"),
            "js": ASSETS.joinpath("assets.js").read_text(encoding="utf-8"),
            "footer_links": ["api"], "app_kwargs": {"exception_handlers": {FnIndexInferError: unknown_endpoint}}}


async def unknown_endpoint(request, exc: Exception):
    """A call to an API name the app does not have is the caller's error (404), not a 500."""
    from fastapi.responses import JSONResponse

    return JSONResponse({"error": f"no such endpoint: {request.url.path}; the API is /ask"}, status_code=404)


def prepare(rag: RAG, seed: bool = True, warm: bool = True) -> None:
    """Index seeds/ into an empty index (so a fresh checkout has something to ask about) and
    load the models now rather than in the first user's answer."""
    if seed and rag.stats()["articles"] == 0 and SEEDS.is_dir():
        log.info("the index is empty: indexing %s", SEEDS)
        print(f"indexing {SEEDS} …", flush=True)
        print(rag.ingest([SEEDS], prune=False).summary(), flush=True)
    if warm:
        try:
            rag.embed_query("warm up")
            backend = rag.backends.get()
            if backend.name == "llamacpp":
                backend.llm  # noqa: B018 - loads the GGUF
        except RagError as exc:  # the status line will say it again
            log.warning("model warm-up: %s", exc)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app", description="Web UI for bilingual news QA.")
    parser.add_argument("--no-seed", action="store_true", help="do not index seeds/ when the index is empty")
    parser.add_argument("--no-warmup", action="store_true", help="load models on the first question")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = Settings()
        rag = RAG.from_settings(settings)
        prepare(rag, seed=not args.no_seed, warm=not args.no_warmup)
    except ValidationError as exc:
        print(f"error: invalid setting: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}", file=sys.stderr)
        return 2
    except RagError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if warning := exposure_warning(settings):
        log.warning(warning)
        print(f"warning: {warning}", file=sys.stderr, flush=True)
    demo = build_ui(rag, settings)
    demo.queue(default_concurrency_limit=settings.ui_concurrency)
    demo.launch(**launch_options(settings))
    return 0
