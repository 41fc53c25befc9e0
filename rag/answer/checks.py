"""The answer path as an ordered list of named checks. Pure apart from the embedder some use.

Each check looks at a :class:`Draft` (question, sources, the model's reply as sentences) and
returns a :class:`Verdict` (both, and the ``Check`` base, are in verdicts.py): pass, ask the model once more (with a prompt file from prompts/), or
refuse with a :class:`Reason` from a fixed set. The answerer (answerer.py) runs the list in
order; a check may also edit the draft (drop an ungrounded sentence, fix a citation number).
Every check can be switched off by name (``RAG_DISABLED_CHECKS=echo,count``), which is how the
README's ablation table is measured.

Order matters and is chosen so that no check redoes another's work. ``CHECK_ORDER`` (at the end
of this file) is the one list; ``build_checks`` builds it from settings, and the settings
validation, the ablation and the README test read their names from it. In that order:
``relevance`` (before the model is called), ``declined``, ``reply`` (cleaning; retry when only
prompt furniture is left), ``language`` (retry a bare "5 [1]."), ``grounding`` (each sentence's
numbers and names must be in what it cites), ``anchor`` (what it cites must be about the
question), ``count`` ("how many" needs a number), ``echo`` (an answer that adds nothing to the
question), ``confidence`` (the calibrated score of what is left). The Arabic spelling added after
names in English answers (spellings.py) is a rewrite, not a check: it runs after the list and
never refuses.

The trade-off: checks are deliberately blunt, each a few lines over pure text rules, so that
each one's effect can be measured alone (the ablation) and dropped when it does not earn its
keep on outside data; no check knows about any particular question.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag.answer.confidence import load_weights, score, signals
from rag.answer.grounder import Grounder
from rag.answer.reply import answer_sentences
from rag.answer.verdicts import PASS, SENTINEL, Check, Draft, Reason, Verdict, not_found, refuse
from rag.answer.wording import asks_for_count, echoes_question, states_asked_kind, states_quantity
from rag.errors import SettingsError
from rag.text.arabic import other_script
from rag.text.language import foreign_script, written_in

if TYPE_CHECKING:
    from rag.embedder import SentenceEmbedder
    from rag.settings import Settings

class Relevance(Check):
    """Refuse without calling the model when no candidate sentence is close to the question.

    A question in another script than its sources (English over Arabic) has lower cosines for
    the same relevance, so it has its own floor; both are calibrated on the public dev sets
    (README) to refuse almost no answerable question: this check only stops the clearly
    unrelated, the later checks do the rest."""

    name, before_model = "relevance", True

    def __init__(self, floor: float, cross_script_floor: float):
        self.floor, self.cross_script_floor = floor, cross_script_floor

    def run(self, draft: Draft) -> Verdict:
        text = " ".join(t for s in draft.sources for t in s.texts)
        cross = other_script(draft.standalone, text)
        floor = self.cross_script_floor if cross else self.floor
        draft.relevance_floor = floor
        if not draft.sources or draft.relevance < floor:
            return refuse(Reason.NO_RELEVANT_PASSAGE, f"best similarity {draft.relevance:.2f} < {floor:.2f}")
        return PASS


class Declined(Check):
    """The model said NOT_FOUND, or nothing."""

    name = "declined"

    def run(self, draft: Draft) -> Verdict:
        if not draft.raw.strip() or not_found(draft.raw):
            return refuse(Reason.MODEL_DECLINED)
        return PASS


class Reply(Check):
    """Clean prompt furniture (labels, copied source headers, the question repeated) off the
    reply's sentences; a reply that held nothing else is asked for again, without the worked
    examples. (Switched off, the reply's sentences are taken as the model wrote them.)"""

    name = "reply"

    def run(self, draft: Draft) -> Verdict:
        headers = [(s.title, s.date) for s in draft.sources]
        draft.sentences = answer_sentences(draft.raw.replace(SENTINEL, ""), headers, len(draft.sources))
        if not draft.sentences:
            return Verdict("retry", Reason.NO_ANSWER_SENTENCE, prompt="nudge", detail="only prompt furniture")
        return PASS


class Language(Check):
    """An answer with no word in the question's language ("5 [1]." to an Arabic question) is
    asked for once more as a full sentence; if the retry is no better, the first reply stands.
    An answer with words in a third script (Chinese in an Arabic sentence, Cyrillic) is asked
    for once more in the question's language, and refused if the retry has them too."""

    name = "language"

    def run(self, draft: Draft) -> Verdict:
        text = draft.answer_text()
        if foreign_script(text):
            return Verdict("retry", Reason.NO_ANSWER_SENTENCE, prompt="script", detail="a third script in the reply")
        if written_in(text, draft.lang):
            return PASS
        return Verdict("retry", prompt="terse", keep=True, detail="no word in the question's language")


class Grounding(Check):
    """Every answer sentence must be grounded in what it cites (see grounder.py): an unsupported
    detail is cut, an ungrounded sentence dropped, a wrong citation number moved. When none is
    left, or none of what is left states what the question asks (a date for "when": the short
    answer "2023 [1]." was dropped and only the supporting sentence is left), the model is asked
    once more, told which words the sources do not support; a second ungrounded reply is refused."""

    name = "grounding"

    def __init__(self, grounder: Grounder):
        self.grounder = grounder

    def run(self, draft: Draft) -> Verdict:
        asked = draft.answer_text()
        kept, dropped = self.grounder.ground(draft)
        if kept and states_asked_kind(asked, draft.standalone) and not states_asked_kind(draft.answer_text(),
                                                                                            draft.standalone):
            kept = []  # what the question asked for ("2023 [1].") was dropped; the rest is not an answer
            dropped.append("the sentence stating what the question asks has no support")
        if not kept and draft.grounding.unsupported:  # ask once more, told what the sources do not say
            return Verdict("retry", Reason.UNGROUNDED, prompt="unsupported", detail="; ".join(dropped),
                           words=", ".join(draft.grounding.unsupported[:4]))
        if not kept:
            return refuse(Reason.UNGROUNDED, "; ".join(dropped))
        return PASS


class Anchor(Check):
    """The sources an answer cites must be about what the question asks: the cited sentence
    closest to the question must be near it (embedding cosine, the measure relevance uses, but
    on what the answer cites instead of on every candidate). An answer drawn from a passage
    about something else (a population figure for Japan to a question about China; an English
    answer citing a source unrelated to its question) is grounded in what it cites, but what it
    cites is far from the question. Like relevance, a question in another script than its
    sources has its own floor; both are calibrated on the public dev sets (README)."""

    name = "anchor"

    def __init__(self, floor: float, cross_script_floor: float):
        self.floor, self.cross_script_floor = floor, cross_script_floor

    def run(self, draft: Draft) -> Verdict:
        cited = {n for s in draft.sentences for n in s.numbers}
        segments = [seg for s in draft.sources if s.number in cited for seg in s.segments]
        if not segments:
            return PASS
        text = " ".join(seg.text for seg in segments)
        cross = other_script(draft.standalone, text)
        floor = self.cross_script_floor if cross else self.floor
        best = max(seg.cosine for seg in segments)
        draft.anchor = best
        if best < floor:
            return refuse(Reason.OFF_QUESTION, f"closest cited sentence {best:.2f} < {floor:.2f}")
        return PASS


class Count(Check):
    """A "how many" question (كم، بكم، ما عدد) answered with no number at all is refused."""

    name = "count"

    def run(self, draft: Draft) -> Verdict:
        if asks_for_count(draft.standalone) and not states_quantity(draft.answer_text(), draft.standalone):
            return refuse(Reason.COUNT_WITHOUT_NUMBER)
        return PASS


class Echo(Check):
    """An answer made only of the question's own terms names nothing new ("Azerbaijan." to
    "which city after Azerbaijan?")."""

    name = "echo"

    def run(self, draft: Draft) -> Verdict:
        if echoes_question(draft.answer_text(), draft.standalone, draft.lang):
            return refuse(Reason.ECHO)
        return PASS


class Confidence(Check):
    """The answer's calibrated confidence (confidence.py) must reach ``RAG_MIN_CONFIDENCE``. It
    runs last, on an answer every other check passed, and always records the score."""

    name = "confidence"

    def __init__(self, threshold: float | None, weights: dict):
        self.threshold = weights.get("threshold", 0.0) if threshold is None else threshold
        self.weights = weights

    def run(self, draft: Draft) -> Verdict:
        texts = " ".join(t for s in draft.sources for t in s.texts)
        cross = other_script(draft.standalone, texts)
        draft.signals = signals(draft.logprobs, draft.grounding.support, bool(draft.grounding.repairs),
                                draft.relevance, draft.anchor, cross,
                                states_asked_kind(draft.answer_text(), draft.standalone), cross and draft.lang == "ar")
        draft.confidence = score(draft.signals, self.weights)
        if draft.confidence < self.threshold:
            return refuse(Reason.LOW_CONFIDENCE, f"{draft.confidence:.2f} < {self.threshold:.2f}")
        return PASS


CHECK_ORDER: tuple[type[Check], ...] = (Relevance, Declined, Reply, Language, Grounding, Anchor, Count, Echo,
                                        Confidence)
"""The one order of the checks: the docstring above says why, everything else reads it from here."""
CHECK_NAMES = tuple(c.name for c in CHECK_ORDER)


@dataclass
class CheckList:
    before_model: list[Check]  # run by the selector, on the sources alone (relevance)
    after_model: list[Check]  # run by the answerer, in order, on the model's reply


def build_checks(settings: Settings, embedder: SentenceEmbedder) -> CheckList:
    """Every check in ``CHECK_ORDER`` that ``settings`` does not switch off, built from its settings."""
    make: dict[type[Check], Callable[[], Check]] = {
        Relevance: lambda: Relevance(settings.min_relevance, settings.min_relevance_cross_script),
        Grounding: lambda: Grounding(Grounder(settings, embedder)),
        Anchor: lambda: Anchor(settings.min_anchor, settings.min_anchor_cross_script),
        Confidence: lambda: Confidence(settings.min_confidence, load_weights()),  # None: the fitted threshold
    }
    off = settings.disabled_check_names
    if unknown := sorted(off - set(CHECK_NAMES)):
        raise SettingsError(f"RAG_DISABLED_CHECKS: unknown check {', '.join(unknown)}; known: {', '.join(CHECK_NAMES)}")
    built = [make.get(kind, kind)() for kind in CHECK_ORDER if kind.name not in off]
    return CheckList([c for c in built if c.before_model], [c for c in built if not c.before_model])
