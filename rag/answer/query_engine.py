"""The grounded answerer as a llama-index query engine: question in, verified answer out.

This is the spine every interface uses (``RAG.ask``/``stream``, the CLI, the UI, the eval, and a
llama-index user's ``rag.as_query_engine()``): embed the question once, retrieve with
``HybridRetriever`` (passing the embedding in the ``QueryBundle``), select evidence with
``EvidenceSelector`` (which may refuse), answer and check with ``Answerer``.

``query()`` returns a ``Response`` whose text is the *verified* answer (or the refusal),
``source_nodes`` the cited sources (one node per numbered source, its sentences and their
offsets in the stored article), and ``metadata`` the citations, ``answered``,
``refusal_reason``, ``language``, timings and the full ``Answer``.

Streaming (``streaming=True``) returns a ``VerifiedStreamingResponse``: ``response_gen`` yields
the model's *raw draft* deltas as they come (a leading NOT_FOUND held back), because the checks
can only judge a whole reply. When the generator ends, ``response_txt``, ``source_nodes`` and
``metadata`` hold the verified result, which can differ from the concatenated deltas: a
refusal instead of a draft the checks retracted, a corrected citation number, an Arabic
spelling added after a name. Show the deltas as a draft; show ``response_txt`` as the answer.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.response.schema import Response, StreamingResponse
from llama_index.core.callbacks import CallbackManager
from llama_index.core.prompts.mixin import PromptMixinType
from llama_index.core.schema import NodeWithScore, QueryBundle

from rag.answer.answerer import Answerer
from rag.answer.followups import condense
from rag.answer.selector import EvidenceSelector
from rag.answer.types import Answer, StreamEvent
from rag.backends.base import ChatBackend
from rag.retrieval.evidence import Source
from rag.retrieval.hybrid import HybridRetriever
from rag.retrieval.nodes import node_to_passage, source_to_node
from rag.text.question import clean_question, strip_invisible


class KindRouter(Protocol):
    """Answers the questions that are not about one fact (rag.kinds.answers.KindAnswerer):
    their events, or None for the fact path."""

    def route(self, question: str, articles: frozenset[str] | None, llm: ChatBackend, language: str | None,
              started: float | None) -> Iterator[tuple[StreamEvent, list[Source]]] | None: ...


@dataclass
class FollowUp(QueryBundle):
    """A condensed follow-up: ``query_str`` is the standalone question retrieval reads, ``asked``
    what the user typed (its language is the answer's language)."""

    asked: str = ""


def to_response(answer: Answer, sources: list[Source]) -> Response:
    cited = {c.number for c in answer.citations}
    nodes = [source_to_node(s, answer.relevance) for s in sources if s.number in cited]
    metadata = {"answered": answer.answered, "refusal_reason": answer.refusal_reason,
                "refused_by": answer.refused_by, "language": answer.language,
                "citations": [{"number": c.number, "article_id": c.article_id, "title": c.title, "quote": c.quote,
                               "start": c.start, "end": c.end, "url": c.url} for c in answer.citations],
                "timings": dict(answer.timings), "backend": answer.backend, "model": answer.model,
                "answer": answer}
    return Response(answer.text, nodes, metadata)


@dataclass
class VerifiedStreamingResponse(StreamingResponse):
    """Raw draft deltas while generating; the verified answer once ``response_gen`` is done."""

    answer: Answer | None = None

    @classmethod
    def from_events(cls, events: Iterator[tuple[StreamEvent, list[Source]]]) -> VerifiedStreamingResponse:
        response = cls(response_gen=(d for d in ""))

        def deltas() -> Generator[str, None, None]:
            for event, sources in events:
                if event.delta:
                    yield event.delta
                if event.answer is not None:
                    final = to_response(event.answer, sources)
                    response.response_txt, response.source_nodes = final.response, final.source_nodes
                    response.metadata, response.answer = final.metadata, event.answer

        response.response_gen = deltas()
        return response

    def _finish(self) -> None:
        for _ in self.response_gen:
            pass

    def get_response(self) -> Response:
        self._finish()
        return Response(self.response_txt, self.source_nodes, self.metadata)

    def __str__(self) -> str:
        self._finish()
        return self.response_txt or ""

    def print_response_stream(self) -> None:
        draft = ""
        for delta in self.response_gen:
            print(delta, end="", flush=True)
            draft += delta
        if (self.response_txt or "").strip() != draft.strip():
            print(f"\n--- verified answer ---\n{self.response_txt}")
        else:
            print()


class GroundedQueryEngine(BaseQueryEngine):
    def __init__(self, retriever: HybridRetriever, selector: EvidenceSelector, answerer: Answerer,
                 llm: ChatBackend, *, language: str | None = None, streaming: bool = False,
                 callback_manager: CallbackManager | None = None, kinds: KindRouter | None = None):
        if language not in (None, "auto", "ar", "en"):
            raise ValueError(f"language must be auto, ar or en, got {language!r}")
        super().__init__(callback_manager=callback_manager or CallbackManager([]))
        self.retriever, self.selector, self.answerer, self.llm = retriever, selector, answerer, llm
        self.language, self.streaming = language, streaming
        self.kinds = kinds  # overview/summary/timeline/comparison answers (rag/kinds/); None: facts only

    def _get_prompt_modules(self) -> PromptMixinType:
        return {}

    def events(self, question: str, standalone: str | None = None, *, history: list[dict] | None = None,
               started: float | None = None) -> Iterator[tuple[StreamEvent, list[Source]]]:
        """The one answering path: (event, numbered sources) pairs, deltas then the Answer. The
        question is cleaned here, once (``QuestionError`` says why it cannot be asked); with
        ``history`` and no ``standalone``, a follow-up is first rewritten to stand alone."""
        question = clean_question(question, self.answerer.settings.max_question_chars)
        started = started or time.perf_counter()
        routed = None
        if self.kinds is not None and standalone in (None, question):  # a kind stands alone: no rewrite
            routed = self.kinds.route(question, self.retriever.articles, self.llm, self.language, started)
        if routed is not None:
            for event, sources in routed:
                if event.answer is not None and event.answer.citations:
                    self._link(event.answer)
                yield event, sources
            return
        if standalone is None and history:
            standalone = condense(question, history, self.llm, self.answerer.prompts)
        standalone = strip_invisible(standalone or "") or question
        t0 = time.perf_counter()
        vector = self.retriever.embed_model.get_query_embedding(standalone)
        nodes = self.retriever.retrieve(QueryBundle(standalone, embedding=vector))
        passages = [node_to_passage(n) for n in nodes]
        retrieval_s = time.perf_counter() - t0
        evidence = self.selector.select(standalone, passages, vector,
                                        self.llm.count_tokens)
        for event in self.answerer.run(question, standalone, passages, evidence, self.llm,
                                          language=self.language, started=started, retrieval_s=retrieval_s):
            if event.answer is not None and event.answer.citations:
                self._link(event.answer)
            yield event, evidence.sources

    def _link(self, answer: Answer) -> None:
        """Give each citation its article's URL (articles added by link or feed)."""
        links = {aid: state.url for aid, state in self.retriever.store.catalog().items() if state.url}
        for citation in answer.citations:
            citation.url = links.get(citation.article_id, "")

    def stream(self, query: str | QueryBundle) -> VerifiedStreamingResponse:
        return VerifiedStreamingResponse.from_events(self.events(*self._split(query)))

    @staticmethod
    def _split(query: str | QueryBundle) -> tuple[str, str]:
        if isinstance(query, str):
            return query, query
        return (getattr(query, "asked", "") or query.query_str), query.query_str

    def _query(self, query_bundle: QueryBundle) -> Any:
        if self.streaming:
            return self.stream(query_bundle)
        for event, sources in self.events(*self._split(query_bundle)):
            if event.answer is not None:
                return to_response(event.answer, sources)
        raise AssertionError("the answer path ended without an answer")

    async def _aquery(self, query_bundle: QueryBundle) -> Any:
        return self._query(query_bundle)

    def retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return self.retriever.retrieve(query_bundle)
