"""What the Settings panel says about the model and the index, in plain words (no gradio).

A reader needs one fact on the first screen: whether questions can be answered now. The rest
(which model, whether Ollama runs, where the index lives) belongs in Settings, written for a
reader rather than for whoever installed the tool. :func:`diagnose` probes the backends once
(the factory caches the Ollama probe for a few seconds) and returns both.
"""

from __future__ import annotations

from app.labels import pair
from rag import RAG, RagError

BACKEND_CHOICES = [(pair("Automatic: Ollama if it runs, else built-in", "تلقائي"), "auto"),
                   (pair("Built-in model on this computer", "النموذج المدمج"), "llamacpp"),
                   ("Ollama", "ollama"),
                   (pair("OpenAI-compatible server", "خادم متوافق"), "openai-like"),
                   ("llama-index LLM", "llama-index")]


def backend_choices(available: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(label, value) for label, value in BACKEND_CHOICES if value in available]


def diagnose(rag: RAG, choice: str | None) -> tuple[list[tuple[str, str]], str]:
    """(Settings lines, the problem that stops answers or ""), for the backend ``choice``."""
    name = choice or rag.settings.backend
    lines: list[tuple[str, str]] = []
    problem = ""
    ollama_ok, reason = rag.backends.probe_ollama() if name in ("auto", "ollama") else (False, "")
    if name in ("auto", "ollama"):
        lines.append(("Ollama", f"running, with {rag.settings.ollama_model}" if ollama_ok
                      else f"not used: {reason}"))
    if name == "ollama" and not ollama_ok:
        problem = f"Ollama cannot answer: {reason}"
    else:
        try:
            backend = rag.backends.get(name)
            kind = {"ollama": "Ollama", "llamacpp": "the built-in model (on this computer)"}.get(backend.name,
                                                                                               backend.name)
            lines.insert(0, ("Answers are written by", f"{kind}: {backend.model}"))
        except RagError as exc:
            problem = f"The model cannot answer: {exc}"
    try:
        stats = rag.stats()
        lines.append(("Articles", f"{stats['articles']} articles in {stats['chunks']} passages, "
                                  f"stored in {stats['location']}"))
    except Exception as exc:  # the panel must render even with a broken store
        problem = problem or f"The article index cannot be read: {exc}"
    return lines, problem
