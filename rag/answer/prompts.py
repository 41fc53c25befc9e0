"""Prompt templates live in ``prompts/`` as text files; this module loads and fills them. Pure
apart from reading those files.

Templates use ``{name}`` placeholders (``str.format``); a missing file or placeholder raises at
load/render time, not halfway through an answer. Language-specific files are named
``<name>.<lang>.txt`` (``system.ar.txt``). ``prompt_hash`` fingerprints the whole folder so an
evaluation report records exactly which prompts produced it.

>>> render_sources([("Title A", "2024-03-18", ["First sentence.", "Second."])])
'[1] Title A (2024-03-18)\\nFirst sentence. Second.'
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

# Package data: rag/prompts links to the top-level prompts/ in a checkout; a wheel holds the files.
PROMPTS_DIR = Path(str(files("rag").joinpath("prompts")))


@lru_cache(maxsize=64)
def load(name: str, lang: str | None = None, folder: Path = PROMPTS_DIR) -> str:
    path = folder / (f"{name}.{lang}.txt" if lang else f"{name}.txt")
    if not path.is_file():
        raise FileNotFoundError(f"prompt template missing: {path}")
    return path.read_text(encoding="utf-8").strip()


def render(name: str, lang: str | None = None, **values: str) -> str:
    return load(name, lang).format(**values)


def render_sources(sources: list[tuple[str, str, list[str]]]) -> str:
    """Number sources [1]..[n], each with its title, its date when known, and its sentences."""
    return "\n\n".join(f"[{i}] {title}{f' ({date})' if date else ''}\n{' '.join(texts)}"
                        for i, (title, date, texts) in enumerate(sources, 1))


def render_history(history: list[dict], max_turns: int = 4, max_chars: int = 300) -> str:
    """Last turns of a messages-format history as 'User: ...' / 'Assistant: ...' lines."""
    lines = []
    for msg in history[-max_turns:]:
        role = "User" if msg.get("role") == "user" else "Assistant"
        content = str(msg.get("content", "")).strip().replace("\n", " ")
        lines.append(f"{role}: {content[:max_chars]}")
    return "\n".join(lines)


def parse_turns(text: str) -> list[dict]:
    r"""Chat turns from a ``### user`` / ``### assistant`` file (worked examples for the model).

    >>> parse_turns("### user\nQ?\n### assistant\nA [1].")
    [{'role': 'user', 'content': 'Q?'}, {'role': 'assistant', 'content': 'A [1].'}]
    """
    turns: list[dict] = []
    for line in text.splitlines():
        header = line.strip().lower()
        if header in ("### user", "### assistant"):
            turns.append({"role": header[4:], "content": ""})
        elif turns:
            turns[-1]["content"] += line + "\n"
        elif line.strip():
            raise ValueError(f"text before the first '### user' header: {line[:60]!r}")
    for turn in turns:
        turn["content"] = turn["content"].strip()
        if not turn["content"]:
            raise ValueError(f"empty {turn['role']} turn")
    return turns


def examples(lang: str) -> list[dict]:
    """The worked example turns placed between the system rules and the real question. They are
    the same for every question, so llama.cpp keeps their KV state: they cost time only once."""
    return parse_turns(load("examples", lang))


def prompt_hash(folder: Path = PROMPTS_DIR) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.txt")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


class PromptSet:
    """The prompt files of one folder: ``Settings.prompts_dir``, by default the packaged
    ``prompts/``. A copy of that folder with edited files changes the bot's wording without
    touching code (every file must be there: a missing one fails at the first question)."""

    def __init__(self, folder: Path | str | None = None):
        self.folder = Path(folder).expanduser() if folder else PROMPTS_DIR

    def load(self, name: str, lang: str | None = None) -> str:
        return load(name, lang, self.folder)

    def render(self, name: str, lang: str | None = None, **values: str) -> str:
        return self.load(name, lang).format(**values)

    def examples(self, lang: str) -> list[dict]:
        return parse_turns(self.load("examples", lang))

    def hash(self) -> str:
        return prompt_hash(self.folder)

    def answer_messages(self, lang: str, question: str, sources: list[tuple[str, str, list[str]]]) -> list[dict]:
        """The chat the model answers: the system prompt, the worked examples, then the
        numbered ``(title, date, sentences)`` sources and the question."""
        return [
            {"role": "system", "content": self.load("system", lang)},
            *self.examples(lang),
            {"role": "user", "content": self.render("answer", lang, question=question,
                                                    sources=render_sources(sources))},
        ]
