"""From selected evidence to a grounded, cited answer in the question's language.

The path (the query engine, query_engine.py, runs steps 1-2 and hands over):
1. *evidence*: the stored sentence segments of the retrieved articles are scored against the
   question and the best few become numbered sources (selector.py, rag/retrieval/evidence.py);
2. the ``relevance`` check there may refuse without calling the model;
3. the model answers from the sources (streamed; a leading ``NOT_FOUND`` is held back);
4. the checks that run after it (``checks.CHECK_ORDER`` after ``relevance``) pass the reply, ask
   for one retry, or refuse;
5. English answers get the Arabic source spelling after each name (spellings.py).

A 1.5B model will happily invent a cited answer to "Who won the 2022 World Cup?", so the
refusals are made in code, by the checks, never left to the prompt alone. Retry rule: at most
one per answer. A check that asks for a retry with ``keep`` (``language``) lets the first reply
stand when the retry fails; one without (``reply``) refuses.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Iterator

from rag.answer import prompts
from rag.answer.citations import cited_numbers, parse_answer, render
from rag.answer.selector import Evidence
from rag.answer.spellings import add_arabic_names, drop_unsourced_arabic
from rag.answer.types import Answer, Citation, StreamEvent
from rag.answer.verdicts import SENTINEL, Check, Draft, Reason, Verdict
from rag.backends.base import ChatBackend
from rag.embedder import SentenceEmbedder
from rag.retrieval.passage import Passage
from rag.settings import Settings
from rag.text.language import answer_language, detect_language

log = logging.getLogger(__name__)

__all__ = ["Answer", "Answerer", "Citation", "StreamEvent"]


class Answerer:
    def __init__(self, settings: Settings, embedder: SentenceEmbedder, after_model: list[Check]):
        self.settings, self.embedder = settings, embedder
        self.prompts = prompts.PromptSet(settings.prompts_dir)
        self.after = after_model  # build_checks(...).after_model; relevance runs in the selector

    # --- answering -----------------------------------------------------------------------
    def run(self, question: str, standalone: str, passages: list[Passage], evidence: Evidence,
            llm: ChatBackend, *, language: str | None = None, started: float | None = None,
            retrieval_s: float = 0.0) -> Iterator[StreamEvent]:
        """Answer from the selected evidence (the query engine retrieved and selected it with
        this ``llm``'s token counter), as events: stages, draft deltas, then the Answer. The
        checks before the model already ran in the selector."""
        started = started or time.perf_counter()
        forced = language if language in ("ar", "en") else self.settings.language
        lang = forced if forced in ("ar", "en") else detect_language(question)
        answer = Answer(question=question, text="", answered=False, language=lang, answer_language=lang,
                        passages=passages, standalone_question=standalone)
        answer.timings = {"retrieval": retrieval_s, "first_token": 0.0, "total": 0.0}

        answer.backend, answer.model = llm.name, llm.model
        sources, answer.relevance = evidence.sources, evidence.relevance
        answer.sources = [{"number": x.number, "article_id": x.article_id, "title": x.title, "date": x.date,
                           "texts": x.texts} for x in sources]
        draft = Draft(question, standalone, lang, sources, answer.relevance)
        for name, verdict in evidence.verdicts:
            self._trace(answer, name, verdict)
            if verdict.action == "refuse":
                yield from self._refuse(answer, name, verdict, started)
                return

        messages = self.prompts.answer_messages(lang, standalone, [(x.title, x.date, x.texts) for x in sources])
        answer.question_tokens = llm.count_tokens(messages[-1]["content"])
        yield StreamEvent(stage="writing", sources=answer.sources)
        draft.raw = yield from self._generate(llm, messages, answer, started, logprobs=draft.logprobs)
        answer.draft = draft.raw
        yield StreamEvent(stage="checking")
        refusal = yield from self._run_checks(draft, llm, messages, answer, started)
        answer.confidence, answer.signals = draft.confidence, draft.signals
        answer.repairs = list(draft.grounding.repairs)
        if refusal is not None:
            if refusal[0] == "confidence":  # what would have been said, for the eval's risk-coverage curve
                answer.withheld = render(draft.sentences)
            yield from self._refuse(answer, *refusal, started)
            return

        if lang == "en":
            self._spell_names(draft)
        answer.citations = self._citations(draft)
        answer.text = render(draft.sentences)
        answer.answered = True
        answer.answer_language = answer_language(answer.text)
        answer.timings["total"] = time.perf_counter() - started
        yield StreamEvent(answer=answer)

    def _spell_names(self, draft: Draft) -> None:
        """Names from Arabic sources get their source spelling after them in an English answer
        (spellings.py): a rewrite after the checks, never a refusal."""
        texts = {x.number: " ".join([x.title, *x.texts]) for x in draft.sources}
        for sentence in draft.sentences:
            passage = " ".join(texts[n] for n in sentence.numbers)
            sentence.text = add_arabic_names(drop_unsourced_arabic(sentence.text, passage), passage,
                                             known=draft.standalone, min_similarity=self.settings.name_similarity)

    def _run_checks(self, draft: Draft, llm, messages: list[dict], answer: Answer,
                    started: float) -> Generator[StreamEvent, None, tuple[str, Verdict] | None]:
        """Run the after-model checks in order, with at most one retry; return (check, verdict)
        of the refusal, or None when the draft passed them all."""
        retried, kept, i = False, None, 0
        kept_logprobs: list[float] = []
        draft.sentences = parse_answer(draft.raw.replace(SENTINEL, ""), len(draft.sources))
        while i < len(self.after):
            check = self.after[i]
            verdict = check.run(draft)
            self._trace(answer, check.name, verdict)
            if verdict.action == "pass":
                i += 1
                continue
            if kept is not None and i <= kept[0]:  # the retry failed where the first reply passed
                i, (_, draft.raw, draft.sentences) = kept[0] + 1, kept
                draft.logprobs[:] = kept_logprobs
                kept = None
                continue
            if verdict.action == "refuse" or retried:
                if verdict.action == "retry" and verdict.keep:  # a soft check: the reply stands
                    i += 1
                    continue
                return check.name, verdict
            retried = True
            if verdict.keep:
                kept = (i, draft.raw, list(draft.sentences))
                kept_logprobs = list(draft.logprobs)
            log.info("reply %r: %s check asks again (%s)", draft.raw[:120], check.name, verdict.detail)
            retry = [messages[0], messages[-1], {"role": "assistant", "content": draft.raw},
                     {"role": "user", "content": self.prompts.render(verdict.prompt, draft.lang, words=verdict.words)}]
            draft.logprobs.clear()
            draft.raw = yield from self._generate(llm, retry, answer, started, quiet=True, logprobs=draft.logprobs)
            draft.sentences, i = parse_answer(draft.raw.replace(SENTINEL, ""), len(draft.sources)), 0
        return None

    def _generate(self, llm, messages: list[dict], answer: Answer, started: float, quiet: bool = False,
                  logprobs: list[float] | None = None) -> Generator[StreamEvent, None, str]:
        """Stream the model's deltas (held back while the reply could still be the NOT_FOUND
        sentinel); return the whole raw reply."""
        raw, held, streaming = "", "", False
        for delta in llm.stream_chat(messages, self.settings.max_new_tokens, self.settings.temperature,
                                     logprobs=logprobs):
            if not answer.timings["first_token"]:
                answer.timings["first_token"] = time.perf_counter() - started
            raw += delta
            if quiet:
                yield StreamEvent()  # a heartbeat: the consumer may stop here
                continue
            if streaming:
                yield StreamEvent(delta=delta)
                continue
            held += delta
            head = held.lstrip()[: len(SENTINEL)]
            if head and not SENTINEL.startswith(head.upper()):
                streaming = True
                yield StreamEvent(delta=held)
            else:
                yield StreamEvent()
        answer.prompt_tokens = max(answer.prompt_tokens, llm.last_prompt_tokens)
        return raw

    @staticmethod
    def _citations(draft: Draft) -> list[Citation]:
        """One citation per (source, quoted segment), in the order the answer cites them."""
        by_number = {x.number: x for x in draft.sources}
        found: dict[tuple[int, int], Citation] = {}
        for link in draft.grounding.links:
            seg, src = link.segment, by_number[link.number]
            key = (link.number, seg.start)
            if key not in found or found[key].score < link.score:
                found[key] = Citation(link.number, src.article_id, src.title, seg.text, seg.start, seg.end,
                                      round(link.score, 3))
        order = cited_numbers(draft.sentences)
        return sorted((c for c in found.values() if c.number in order),
                      key=lambda c: (order.index(c.number), c.start))

    @staticmethod
    def _trace(answer: Answer, check: str, verdict: Verdict) -> None:
        answer.checks.append({"check": check, "action": verdict.action, "detail": verdict.detail})

    def _refuse(self, answer: Answer, check: str, verdict: Verdict, started: float) -> Iterator[StreamEvent]:
        reason = (verdict.reason or Reason.NO_ANSWER_SENTENCE).value
        answer.refusal_reason = f"{reason}: {verdict.detail}" if verdict.detail else reason
        answer.refused_by = check
        log.info("refusing %r (%s): %s", answer.question, check, answer.refusal_reason)
        answer.answered = False
        answer.text = self.prompts.load("refusal", answer.language)
        answer.answer_language = answer.language
        answer.citations = []
        answer.timings["total"] = time.perf_counter() - started
        yield StreamEvent(answer=answer)
