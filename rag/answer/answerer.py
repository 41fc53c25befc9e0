"""From retrieved passages to a grounded, cited answer in the question's language.

The path, in one place:
1. *evidence*: the stored sentence segments of the retrieved articles are scored against the
   question and the best few become numbered sources (rag/retrieval/evidence.py);
2. the checks that run before the model (``relevance``) may refuse without calling it;
3. the model answers from the sources (streamed; a leading ``NOT_FOUND`` is held back);
4. the checks that run after it (checks.py: ``declined``, ``reply``, ``language``,
   ``grounding``, ``count``, ``echo``) pass the reply, ask for one retry, or refuse;
5. English answers get the Arabic source spelling after each name (spellings.py).

A 1.5B model will happily invent a cited answer to "Who won the 2022 World Cup?", so the
refusals are made in code, by the checks, never left to the prompt alone. Retry rule: at most
one per answer. A check that asks for a retry with ``keep`` (``language``) lets the first reply
stand when the retry fails; one without (``reply``) refuses.
"""

from __future__ import annotations

import logging
import time
from typing import Generator, Iterator

from rag.answer import prompts
from rag.answer.checks import (SENTINEL, Anchor, Check, Count, Declined, Draft, Echo, Grounding, Language, Reason,
                               Relevance, Reply, Verdict)
from rag.answer.citations import cited_numbers, parse_answer, render
from rag.answer.grounding import Grounder
from rag.answer.spellings import add_arabic_names, drop_unsourced_arabic
from rag.answer.types import Answer, Citation, StreamEvent
from rag.backends import BackendFactory
from rag.embedder import SentenceEmbedder
from rag.retrieval.evidence import Segment, Source, approx_tokens, score_segments, select_sources
from rag.retrieval.hybrid import Passage
from rag.settings import Settings
from rag.store import ChunkStore
from rag.text.arabic import arabic_ratio
from rag.text.language import answer_language, detect_language

log = logging.getLogger(__name__)

__all__ = ["Answer", "Answerer", "Citation", "StreamEvent"]


class Answerer:
    def __init__(self, settings: Settings, store: ChunkStore, embedder: SentenceEmbedder, backends: BackendFactory):
        self.settings, self.store, self.embedder, self.backends = settings, store, embedder, backends
        self.prompts = prompts.PromptSet(settings.prompts_dir)
        every: list[Check] = [Relevance(settings.min_relevance, settings.min_relevance_cross_script), Declined(),
                              Reply(), Language(), Grounding(Grounder(settings, embedder)),
                              Anchor(settings.min_anchor, settings.min_anchor_cross_script), Count(), Echo()]
        off = settings.disabled_check_names
        self.before = [c for c in every if c.before_model and c.name not in off]
        self.after = [c for c in every if not c.before_model and c.name not in off]

    # --- follow-ups ----------------------------------------------------------------------
    def rewrite(self, question: str, history: list[dict], backend: str | None = None) -> str:
        """A standalone version of a follow-up question (unchanged when there is no history)."""
        turns = [m for m in history if m.get("role") in ("user", "assistant") and m.get("content")]
        if not turns:
            return question
        prompt = self.prompts.render("rewrite", history=prompts.render_history(turns), question=question)
        llm = self.backends.get(backend)
        text = "".join(llm.stream_chat([{"role": "user", "content": prompt}], 64, 0.0)).strip()
        text = text.splitlines()[0].strip().strip('"«»“”') if text else ""
        if not text or len(text) > 3 * len(question) + 150:
            last_user = next((m["content"] for m in reversed(turns) if m["role"] == "user"), "")
            return f"{last_user} {question}".strip()
        log.info("rewrote follow-up %r -> %r", question, text)
        return text

    # --- evidence ------------------------------------------------------------------------
    def candidates(self, passages: list[Passage]) -> list[Segment]:
        """Every stored segment of the retrieved articles, marked when it lies inside one of
        the best ``evidence_top_chunks`` retrieved chunks."""
        titles = {p.article_id: (p.title, p.date) for p in passages}
        top = [(p.article_id, p.start, p.end) for p in passages[: self.settings.evidence_top_chunks]]
        segments = []
        for text, embedding, meta in self.store.segments_of(list(titles)):
            aid, start, end = meta["article_id"], int(meta["start"]), int(meta["end"])
            inside = any(aid == a and s <= start and end <= e for a, s, e in top)
            segments.append(Segment(aid, titles[aid][0], titles[aid][1], text, start, end, list(embedding), inside))
        return segments

    def evidence(self, question: str, passages: list[Passage], query_vector: list[float],
                 count_tokens=approx_tokens) -> tuple[list[Source], float]:
        """The numbered sources the model will read, and the relevance (best question-segment
        cosine). Needs no LLM, so the eval can measure selection alone (``--retrieval-only``).
        A question in another script than the articles gets the smaller cross-script budget:
        its cosines are flatter, so it fills any budget, and more sources helped it least."""
        s = self.settings
        segments = self.candidates(passages)
        relevance = score_segments(question, query_vector, segments, s.evidence_lexical_weight,
                                   s.evidence_top_chunk_bonus)
        text = " ".join(seg.text for seg in segments[:20])
        cross = (arabic_ratio(text) > 0.5) != (arabic_ratio(question) > 0.5)
        budget = s.context_tokens_cross_script if cross else s.context_tokens
        return select_sources(segments, budget, count_tokens, s.evidence_max_segments,
                              s.evidence_margin, s.evidence_neighbours), relevance

    # --- answering -----------------------------------------------------------------------
    def stream(self, question: str, standalone: str, passages: list[Passage], query_vector: list[float], *,
               backend: str | None = None, language: str | None = None, started: float | None = None,
               retrieval_s: float = 0.0) -> Iterator[StreamEvent]:
        started = started or time.perf_counter()
        forced = language if language in ("ar", "en") else self.settings.language
        lang = forced if forced in ("ar", "en") else detect_language(question)
        answer = Answer(question=question, text="", answered=False, language=lang, answer_language=lang,
                        passages=passages, standalone_question=standalone)
        answer.timings = {"retrieval": retrieval_s, "first_token": 0.0, "total": 0.0}

        llm = self.backends.get(backend)
        answer.backend, answer.model = llm.name, llm.model
        count_tokens = getattr(llm, "count_tokens", approx_tokens)
        sources, answer.relevance = self.evidence(standalone, passages, query_vector, count_tokens)
        answer.sources = [{"number": x.number, "article_id": x.article_id, "title": x.title, "date": x.date,
                           "texts": x.texts} for x in sources]
        draft = Draft(question, standalone, lang, sources, answer.relevance)
        for check in self.before:
            verdict = check.run(draft)
            self._trace(answer, check, verdict)
            if verdict.action == "refuse":
                yield from self._refuse(answer, check.name, verdict, started)
                return

        messages = [
            {"role": "system", "content": self.prompts.load("system", lang)},
            *self.prompts.examples(lang),
            {"role": "user", "content": self.prompts.render(
                "answer", lang, question=question if standalone == question else standalone,
                sources=prompts.render_sources([(x.title, x.date, x.texts) for x in sources]))},
        ]
        answer.question_tokens = count_tokens(messages[-1]["content"])
        draft.raw = yield from self._generate(llm, messages, answer, started)
        answer.draft = draft.raw
        refusal = yield from self._run_checks(draft, llm, messages, answer, started)
        if refusal is not None:
            yield from self._refuse(answer, *refusal, started)
            return

        if lang == "en":  # names from Arabic sources get their source spelling (see spellings.py)
            texts = {x.number: " ".join([x.title, *x.texts]) for x in sources}
            for sentence in draft.sentences:
                passage = " ".join(texts[n] for n in sentence.numbers)
                sentence.text = add_arabic_names(drop_unsourced_arabic(sentence.text, passage), passage,
                                                 known=standalone, min_similarity=self.settings.name_similarity)
        answer.citations = self._citations(draft)
        answer.text = render(draft.sentences)
        answer.answered = True
        answer.answer_language = answer_language(answer.text)
        answer.timings["total"] = time.perf_counter() - started
        yield StreamEvent(answer=answer)

    def _run_checks(self, draft: Draft, llm, messages: list[dict], answer: Answer,
                    started: float) -> Generator[StreamEvent, None, tuple[str, Verdict] | None]:
        """Run the after-model checks in order, with at most one retry; return (check, verdict)
        of the refusal, or None when the draft passed them all."""
        retried, kept, i = False, None, 0
        draft.sentences = parse_answer(draft.raw.replace(SENTINEL, ""), len(draft.sources))
        while i < len(self.after):
            check = self.after[i]
            verdict = check.run(draft)
            self._trace(answer, check, verdict)
            if verdict.action == "pass":
                i += 1
                continue
            if kept is not None and i <= kept[0]:  # the retry failed where the first reply passed
                i, (_, draft.raw, draft.sentences) = kept[0] + 1, kept
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
            log.info("reply %r: %s check asks again (%s)", draft.raw[:120], check.name, verdict.detail)
            retry = [messages[0], messages[-1], {"role": "assistant", "content": draft.raw},
                     {"role": "user", "content": self.prompts.load(verdict.prompt, draft.lang)}]
            draft.raw = yield from self._generate(llm, retry, answer, started, quiet=True)
            draft.sentences, i = parse_answer(draft.raw.replace(SENTINEL, ""), len(draft.sources)), 0
        return None

    def _generate(self, llm, messages: list[dict], answer: Answer, started: float,
                  quiet: bool = False) -> Generator[StreamEvent, None, str]:
        """Stream the model's deltas (held back while the reply could still be the NOT_FOUND
        sentinel); return the whole raw reply."""
        raw, held, streaming = "", "", False
        for delta in llm.stream_chat(messages, self.settings.max_new_tokens, self.settings.temperature):
            if not answer.timings["first_token"]:
                answer.timings["first_token"] = time.perf_counter() - started
            raw += delta
            if quiet:
                continue
            if streaming:
                yield StreamEvent(delta=delta)
                continue
            held += delta
            head = held.lstrip()[: len(SENTINEL)]
            if head and not SENTINEL.startswith(head.upper()):
                streaming = True
                yield StreamEvent(delta=held)
        answer.prompt_tokens = max(answer.prompt_tokens, llm.last_prompt_tokens)
        return raw

    @staticmethod
    def _citations(draft: Draft) -> list[Citation]:
        """One citation per (source, quoted segment), in the order the answer cites them."""
        by_number = {x.number: x for x in draft.sources}
        found: dict[tuple[int, int], Citation] = {}
        for link in draft.grounding.get("links", []):
            seg, src = link["segment"], by_number[link["number"]]
            key = (link["number"], seg.start)
            if key not in found or found[key].score < link["score"]:
                found[key] = Citation(link["number"], src.article_id, src.title, seg.text, seg.start, seg.end,
                                      round(link["score"], 3))
        order = cited_numbers(draft.sentences)
        return sorted((c for c in found.values() if c.number in order),
                      key=lambda c: (order.index(c.number), c.start))

    @staticmethod
    def _trace(answer: Answer, check: Check, verdict: Verdict) -> None:
        answer.checks.append({"check": check.name, "action": verdict.action, "detail": verdict.detail})

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
