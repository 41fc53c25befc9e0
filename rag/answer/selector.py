"""Evidence selection as a llama-index node postprocessor: retrieved chunk nodes in, the
numbered source nodes the model reads out (or none, when nothing is relevant enough).

The work is in rag/retrieval/evidence.py (pure scoring and budgeting); this component owns the
I/O around it: it reads the stored sentence segments (with their embeddings) of the retrieved
articles from the store, and runs the ``relevance`` check, the one refusal made before the model
is called. ``select()`` returns the whole result (sources, relevance, the check's verdict) for
the project's query engine; ``postprocess_nodes()`` is the llama-index face of the same call,
for a user's own query engine: an empty list means "refuse, nothing relevant".

>>> selector = rag.as_query_engine().selector                          # doctest: +SKIP
>>> sources = selector.postprocess_nodes(retriever.retrieve(question), query_str=question)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from llama_index.core.bridge.pydantic import PrivateAttr
from llama_index.core.callbacks import CallbackManager
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.schema import NodeWithScore, QueryBundle

from rag.answer.verdicts import Check, Draft, Verdict
from rag.retrieval.evidence import Segment, Source, score_segments, select_sources
from rag.retrieval.nodes import node_to_passage, source_to_node
from rag.retrieval.passage import Passage
from rag.settings import Settings
from rag.store import ChunkStore
from rag.text.arabic import other_script
from rag.text.token_count import approx_tokens

SCRIPT_SAMPLE_SEGMENTS = 20
"""How many candidate segments are read to tell the articles' script (enough to outvote a quoted
foreign name; a sample, since the script test runs on every question)."""

log = logging.getLogger(__name__)


@dataclass
class Evidence:
    sources: list[Source]
    relevance: float  # best question-segment cosine
    verdicts: list[tuple[str, Verdict]] = field(default_factory=list)  # (check, verdict) of the checks run
    # before the model, in order, up to the first refusal

    @property
    def refusal(self) -> tuple[str, Verdict] | None:
        return next(((name, v) for name, v in self.verdicts if v.action == "refuse"), None)

    @property
    def refused(self) -> bool:
        return self.refusal is not None


class EvidenceSelector(BaseNodePostprocessor):
    """Chunk nodes -> numbered source nodes within the settings' token budget."""

    _settings: Settings = PrivateAttr()
    _store: ChunkStore = PrivateAttr()
    _embed_model: Any = PrivateAttr()
    _count_tokens: Callable[[str], int] = PrivateAttr()
    _before_model: list[Check] = PrivateAttr()

    def __init__(self, settings: Settings, store: ChunkStore, embed_model: Any, before_model: list[Check],
                 count_tokens: Callable[[str], int] = approx_tokens, callback_manager: CallbackManager | None = None):
        super().__init__(callback_manager=callback_manager or CallbackManager([]))
        self._settings, self._store, self._embed_model = settings, store, embed_model
        self._count_tokens = count_tokens
        self._before_model = before_model  # build_checks(...).before_model: relevance, unless switched off

    @classmethod
    def class_name(cls) -> str:
        return "EvidenceSelector"

    def candidates(self, passages: list[Passage]) -> list[Segment]:
        """Every stored segment of the retrieved articles, marked when it lies inside one of
        the best ``evidence_top_chunks`` retrieved chunks."""
        titles = {p.article_id: (p.title, p.date) for p in passages}
        top = [(p.article_id, p.start, p.end) for p in passages[: self._settings.evidence_top_chunks]]
        segments = []
        for text, embedding, meta in self._store.segments_of(list(titles)):
            aid, start, end = meta["article_id"], int(meta["start"]), int(meta["end"])
            inside = any(aid == a and s <= start and end <= e for a, s, e in top)
            segments.append(Segment(aid, titles[aid][0], titles[aid][1], text, start, end, list(embedding), inside))
        return segments

    def select(self, question: str, passages: list[Passage], query_vector: list[float],
               count_tokens: Callable[[str], int] | None = None) -> Evidence:
        """The numbered sources the model will read, the relevance (best question-segment
        cosine) and the relevance check's verdict. Needs no LLM, so the eval can measure
        selection alone (``--retrieval-only``). A question in another script than the articles
        gets the smaller cross-script budget: its cosines are flatter, so it fills any budget,
        and more sources helped it least."""
        s = self._settings
        segments = self.candidates(passages)
        relevance = score_segments(question, query_vector, segments, lexical_weight=s.evidence_lexical_weight,
                                   top_chunk_bonus=s.evidence_top_chunk_bonus)
        text = " ".join(seg.text for seg in segments[:SCRIPT_SAMPLE_SEGMENTS])
        cross = other_script(question, text)
        budget = s.context_tokens_cross_script if cross else s.context_tokens
        sources = select_sources(segments, budget, count_tokens or self._count_tokens,
                                 max_segments=s.evidence_max_segments, margin=s.evidence_margin,
                                 neighbours=s.evidence_neighbours, whole_chunks=s.evidence_shape == "chunks")
        evidence = Evidence(sources, relevance)
        draft = Draft(question, question, "", sources, relevance)
        for check in self._before_model:
            evidence.verdicts.append((check.name, verdict := check.run(draft)))
            if verdict.action == "refuse":
                break
        return evidence

    def _postprocess_nodes(self, nodes: list[NodeWithScore],
                           query_bundle: QueryBundle | None = None) -> list[NodeWithScore]:
        if query_bundle is None:
            raise ValueError("EvidenceSelector needs the question: pass query_bundle= or query_str=")
        vector = query_bundle.embedding or self._embed_model.get_query_embedding(query_bundle.query_str)
        evidence = self.select(query_bundle.query_str, [node_to_passage(n) for n in nodes], vector)
        if evidence.refused:
            log.info("refused before the model: %s", evidence.refusal)
            return []
        return [source_to_node(src, evidence.relevance) for src in evidence.sources]
