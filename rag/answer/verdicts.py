"""What a check looks at and what it says: the ``Draft`` (question, sources, the model's reply
as sentences), the ``Verdict`` (pass, retry with a prompt file, or refuse with a ``Reason`` from a
fixed set) and the ``Check`` base class. Pure. The checks themselves and their order are in
checks.py; the selector and the answerer only need this vocabulary.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

from rag.answer.citations import AnswerSentence
from rag.answer.grounder import GroundingReport
from rag.retrieval.evidence import Source

SENTINEL = "NOT_FOUND"


class Reason(str, Enum):
    """Why an answer was refused: the fixed set every check draws from."""

    NO_RELEVANT_PASSAGE = "no relevant passage"
    MODEL_DECLINED = "the model found no answer in the sources"
    NO_ANSWER_SENTENCE = "the reply holds no answer sentence"
    UNGROUNDED = "no answer sentence is grounded in the sources"
    OFF_QUESTION = "the cited sources are not about what the question asks"
    COUNT_WITHOUT_NUMBER = "a count question answered with no number"
    ECHO = "the answer only repeats the question"
    LOW_CONFIDENCE = "the answer's confidence is below the threshold"


@dataclass(frozen=True)
class Verdict:
    action: Literal["pass", "retry", "refuse"]
    reason: Reason | None = None
    prompt: str = ""  # retry: the prompt file (prompts/<name>.<lang>.txt) that asks again
    keep: bool = False  # retry: the current reply stands when the retry is no better
    detail: str = ""  # for the log and the eval report
    words: str = ""  # retry: fills the prompt's {words} (what the sources do not support)


PASS = Verdict("pass")


def refuse(reason: Reason, detail: str = "") -> Verdict:
    return Verdict("refuse", reason, detail=detail)


@dataclass
class Draft:
    """What the checks see and edit."""

    question: str  # as asked (a follow-up may be short)
    standalone: str  # the follow-up rewritten to stand alone: what retrieval and checks read
    lang: str  # the language the answer must be in
    sources: list[Source]
    relevance: float = 0.0  # best question-segment cosine of the candidates
    relevance_floor: float = 0.0  # what the relevance check compared it with
    raw: str = ""  # the model's reply
    sentences: list[AnswerSentence] = field(default_factory=list)
    grounding: GroundingReport = field(default_factory=GroundingReport)  # what grounding found and did
    logprobs: list[float] = field(default_factory=list)  # the reply's token log-probabilities (llama.cpp)
    anchor: float | None = None  # cosine of the cited sentence closest to the question (None: not checked)
    confidence: float | None = None
    signals: dict = field(default_factory=dict)  # what the confidence was computed from

    def answer_text(self) -> str:
        return " ".join(s.text for s in self.sentences)


def not_found(reply: str) -> bool:
    """The model's signal that the sources lack the answer.

    >>> not_found(" not_found"), not_found("Baku [1]")
    (True, False)
    """
    return reply.strip().upper().startswith(SENTINEL)


class Check(ABC):
    name = ""
    before_model = False  # runs before the LLM is called (on the sources only)

    @abstractmethod
    def run(self, draft: Draft) -> Verdict:
        """Pass, ask for a retry, or refuse; may edit the draft."""
