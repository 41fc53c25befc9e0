"""What the answering stage returns: the answer, its citations, and the stream events. Pure
dataclasses, shared by the answerer, the UI, the CLI and the eval harness."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from rag.retrieval.hybrid import Passage


@dataclass
class Citation:
    number: int
    article_id: str
    title: str
    quote: str
    start: int
    end: int
    score: float
    url: str = ""  # the article's link when it was added by link or feed (filled by RAG.stream)


@dataclass
class Answer:
    question: str
    text: str
    answered: bool
    language: str  # language of the question (the language the answer must be in)
    answer_language: str  # language detected in the final text
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    sources: list[dict] = field(default_factory=list)  # the numbered sources the model saw
    standalone_question: str = ""
    backend: str = ""
    model: str = ""
    prompt_tokens: int = 0  # the whole prompt: system rules + worked examples + sources and question
    question_tokens: int = 0  # its per-question part (sources + question); the rest stays in llama.cpp's KV cache
    refusal_reason: str = ""  # one of rag.answer.checks.Reason, with the check's detail after ": "
    refused_by: str = ""  # the name of the check that refused ("relevance", "grounding", ...)
    draft: str = ""  # the model's reply before the checks (empty when the model was not called)
    checks: list[dict] = field(default_factory=list)  # each check run: {"check", "action", "detail"}
    relevance: float = 0.0
    confidence: float | None = None  # calibrated P(right) of an answer that passed the other checks
    signals: dict = field(default_factory=dict)  # what the confidence was computed from
    repairs: list[str] = field(default_factory=list)  # details grounding cut from the draft
    withheld: str = ""  # an answer refused only for its low confidence (for the eval)
    timings: dict[str, float] = field(default_factory=dict)  # retrieval, first_token, total (s)
    kind: str = "fact"  # rag.kinds.router.KINDS: fact, overview, summary, timeline, comparison

    def to_dict(self) -> dict:
        return asdict(self)


STAGES = ("searching", "writing", "checking")  # what a stream reports before its answer is ready


@dataclass
class StreamEvent:
    """One step of an answer being made. ``delta``: draft text to show; ``stage``: the model
    starts writing ("writing") or its reply is being checked ("checking"); ``answer``: the
    verified result, last. An event with none of them is a heartbeat (one per token the
    draft holds back), so a consumer that wants to stop can do so between any two tokens.
    The "writing" event carries ``sources``: what the model reads, to show before the draft."""

    delta: str | None = None
    answer: Answer | None = None
    stage: str | None = None
    sources: list[dict] | None = None  # with stage "writing": the numbered sources the model is reading
