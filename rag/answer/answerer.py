"""From retrieved passages to a grounded, cited answer in the question's language.

Three guards keep the bot from answering out of the model's general knowledge, because a
1.5B model will happily invent a cited answer to "Who won the 2022 World Cup?":
1. *relevance*: if no stored sentence of the retrieved articles is close enough to the
   question (cosine < ``min_relevance``), we refuse without calling the model;
2. *model signal*: the prompt asks for ``NOT_FOUND`` when the sources lack the answer;
3. *support*: every answer sentence is checked against what it cites; unsupported citations
   are dropped, uncited sentences get the best supporting source attached if one supports
   them, and an answer left with no supported citation at all is refused. A "how many"
   question answered with no number at all ("participants came from Lebanon") is refused too:
   the model found a related sentence, not the count. So is a reply that only repeats the
   question's own terms ("Azerbaijan." to "which city after Azerbaijan?"): asked again with
   that pointed out, the model repeated itself or said NOT_FOUND, so there is no retry.
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from typing import Generator, Iterator

from rag.answer import prompts
from rag.backends import BackendFactory
from rag.answer.citations import AnswerSentence, cited_numbers, render
from rag.embedder import SentenceEmbedder
from rag.retrieval.evidence import Segment, Source, approx_tokens, score_segments, select_sources
from rag.answer.spellings import add_arabic_names, drop_unsourced_arabic
from rag.text.language import answer_language, detect_language, written_in
from rag.answer.reply import clean
from rag.retrieval.hybrid import Passage
from rag.settings import Settings
from rag.store import ChunkStore
from rag.answer.support import asks_for_count, echoes_question, states_quantity, support

log = logging.getLogger(__name__)

SENTINEL = "NOT_FOUND"


def not_found(reply: str) -> bool:
    """The model's signal that the sources lack the answer."""
    return reply.strip().upper().startswith(SENTINEL)


@dataclass
class Citation:
    number: int
    article_id: str
    title: str
    quote: str
    start: int
    end: int
    score: float


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
    refusal_reason: str = ""
    relevance: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # retrieval, first_token, total (s)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class StreamEvent:
    delta: str | None = None
    answer: Answer | None = None


class Answerer:
    CITE_MARGIN = 0.3  # a cited source may support its sentence this much less than the best one

    def __init__(self, settings: Settings, store: ChunkStore, embedder: SentenceEmbedder, backends: BackendFactory):
        self.settings, self.store, self.embedder, self.backends = settings, store, embedder, backends

    # --- follow-ups ----------------------------------------------------------------------
    def rewrite(self, question: str, history: list[dict], backend: str | None = None) -> str:
        """A standalone version of a follow-up question (unchanged when there is no history)."""
        turns = [m for m in history if m.get("role") in ("user", "assistant") and m.get("content")]
        if not turns:
            return question
        prompt = prompts.render("rewrite", history=prompts.render_history(turns), question=question)
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
        titles = {p.article_id: (p.title, p.date) for p in passages}
        top = [(p.article_id, p.start, p.end) for p in passages[:3]]
        segments = []
        for text, embedding, meta in self.store.segments_of(list(titles)):
            aid, start, end = meta["article_id"], int(meta["start"]), int(meta["end"])
            inside = any(aid == a and s <= start and end <= e for a, s, e in top)
            segments.append(Segment(aid, titles[aid][0], titles[aid][1], text, start, end, list(embedding), inside))
        return segments

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

        segments = self.candidates(passages)
        answer.relevance = score_segments(standalone, query_vector, segments)
        llm = self.backends.get(backend)
        answer.backend, answer.model = llm.name, llm.model
        sources = select_sources(segments, self.settings.context_tokens, getattr(llm, "count_tokens", approx_tokens))
        answer.sources = [{"number": s.number, "article_id": s.article_id, "title": s.title, "date": s.date,
                           "texts": s.texts} for s in sources]
        if not segments or answer.relevance < self.settings.min_relevance:
            yield from self._refuse(answer, f"no relevant passage (best similarity {answer.relevance:.2f})", started)
            return
        messages = [
            {"role": "system", "content": prompts.load("system", lang)},
            *prompts.examples(lang),
            {"role": "user", "content": prompts.render(
                "answer", lang, question=question if standalone == question else standalone,
                sources=prompts.render_sources([(s.title, s.date, s.texts) for s in sources]))},
        ]

        answer.question_tokens = getattr(llm, "count_tokens", approx_tokens)(messages[-1]["content"])
        raw = yield from self._generate(llm, messages, answer, started)
        if not_found(raw) or not raw.strip():
            yield from self._refuse(answer, "the model found no answer in the sources", started)
            return
        sentences = yield from self._sentences(llm, messages, raw, sources, lang, answer, started)
        if sentences is None:
            yield from self._refuse(answer, "the model found no answer in the sources", started)
            return
        sentences = self._verify(sentences, sources, answer)
        if lang == "en":  # names from Arabic sources get their source spelling (see rag.answer.spellings)
            texts = {s.number: " ".join(s.texts) for s in sources}
            for sentence in sentences:
                passage = " ".join(texts[n] for n in sentence.numbers)
                sentence.text = add_arabic_names(drop_unsourced_arabic(sentence.text, passage), passage,
                                                 known=standalone)
        if not answer.citations:
            yield from self._refuse(answer, "no answer sentence is supported by the sources", started)
            return
        if asks_for_count(standalone) and not states_quantity(" ".join(s.text for s in sentences)):
            yield from self._refuse(answer, "a count question answered with no number", started)
            return
        if echoes_question(" ".join(s.text for s in sentences), standalone, lang):
            yield from self._refuse(answer, "the answer only repeats the question", started)
            return
        answer.text = render(sentences)
        answer.answered = True
        answer.answer_language = answer_language(answer.text)
        answer.timings["total"] = time.perf_counter() - started
        yield StreamEvent(answer=answer)

    def _sentences(self, llm, messages: list[dict], raw: str, sources: list[Source], lang: str, answer: Answer,
                   started: float) -> Generator[StreamEvent, None, list[AnswerSentence] | None]:
        """The reply's answer sentences, after at most one retry; None when the model, asked
        again after an echo, says NOT_FOUND. The retry happens when the reply holds no answer
        sentence (it only echoed the prompt: labels, source titles), or no word in the
        question's language (a bare "5 [1]." to an Arabic question). It leaves the worked
        examples out: with them, the model went on to copy the example's answer."""
        headers = [(s.title, s.date) for s in sources]
        sentences = clean(raw.replace(SENTINEL, ""), headers, len(sources))
        if sentences and written_in(" ".join(s.text for s in sentences), lang):
            return sentences
        nudge = "terse" if sentences else "nudge"
        log.info("reply %r needs a retry (%s)", raw[:120], nudge)
        retry = [messages[0], messages[-1], {"role": "assistant", "content": raw},
                 {"role": "user", "content": prompts.load(nudge, lang)}]
        raw = yield from self._generate(llm, retry, answer, started, quiet=True)
        again = clean(raw.replace(SENTINEL, ""), headers, len(sources))
        if nudge == "terse":  # the first reply did answer: keep it unless the retry says more
            worded = again and not not_found(raw)
            return again if worded and written_in(" ".join(s.text for s in again), lang) else sentences
        return None if not_found(raw) else again

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

    def _verify(self, sentences: list[AnswerSentence], sources: list[Source], answer: Answer) -> list[AnswerSentence]:
        """Keep citations that support their sentence; attach one where a sentence has none."""
        vectors = self.embedder.embed_queries([s.text for s in sentences])
        by_number = {s.number: s for s in sources}
        citations: dict[tuple[int, int], Citation] = {}
        floor = self.settings.min_support
        for sentence, vector in zip(sentences, vectors):
            checks = {n: support(sentence.text, vector, src) for n, src in by_number.items()}
            best = max(checks, key=lambda n: checks[n].score, default=None)
            top = checks[best].score if best is not None else 0.0
            # a cited source must support the sentence, and not far less than another source does
            # (a quote of source [1] that the model labelled [2] is cited as [1])
            kept = [n for n in sentence.numbers if checks[n].score >= max(floor, top - self.CITE_MARGIN)]
            if not kept and best is not None and top >= floor:
                kept = [best]
            sentence.numbers = kept
            for n in kept:
                seg, src = checks[n].segment, by_number[n]
                key = (n, seg.start)
                if key not in citations or citations[key].score < checks[n].score:
                    citations[key] = Citation(n, src.article_id, src.title, seg.text, seg.start, seg.end,
                                              round(checks[n].score, 3))
        # A sentence no source supports is not a claim we can stand behind: drop it (this also
        # removes filler such as "This is stated in the sources.").
        sentences[:] = [s for s in sentences if s.numbers]
        order = cited_numbers(sentences)
        answer.citations = sorted(citations.values(), key=lambda c: (order.index(c.number), c.start))
        return sentences

    def _refuse(self, answer: Answer, reason: str, started: float) -> Iterator[StreamEvent]:
        log.info("refusing %r: %s", answer.question, reason)
        answer.answered = False
        answer.text = prompts.load("refusal", answer.language)
        answer.answer_language = answer.language
        answer.citations = []
        answer.refusal_reason = reason
        answer.timings["total"] = time.perf_counter() - started
        yield StreamEvent(answer=answer)
