"""The one mapping between the project's dataclasses and llama-index nodes.

Retrieval results travel through llama-index as ``NodeWithScore(TextNode)`` so a llama-index
user can put our retriever and evidence selector into their own query engines; the project's
own code keeps its small dataclasses (``Passage``, ``Source``). Converting in one place keeps
the metadata keys (``article_id``, ``title``, ``date``, ``dense_score``, ``bm25_score``) from
drifting between the two. The node's ``start_char_idx``/``end_char_idx`` are offsets into the
article's cleaned body as stored in the index, the same offsets citations use.

>>> p = Passage("a", "Title", "2024-03-18", "text", 10, 14, chunk_id="a:h:c0", score=0.03, dense_score=0.61)
>>> node_to_passage(passage_to_node(p)) == p
True
"""

from __future__ import annotations

from llama_index.core.schema import NodeWithScore, TextNode

from rag.retrieval.evidence import Source
from rag.retrieval.passage import Passage

# Metadata a chunk node carries that the LLM or the embedder should not read as content.
_HIDDEN = ["article_id", "date", "dense_score", "bm25_score", "number", "segments", "relevance"]


def passage_to_node(p: Passage) -> NodeWithScore:
    node = TextNode(id_=p.chunk_id, text=p.text, start_char_idx=p.start, end_char_idx=p.end,
                    metadata={"article_id": p.article_id, "title": p.title, "date": p.date,
                              "dense_score": p.dense_score, "bm25_score": p.bm25_score},
                    excluded_llm_metadata_keys=list(_HIDDEN), excluded_embed_metadata_keys=list(_HIDDEN))
    return NodeWithScore(node=node, score=p.score)


def node_to_passage(n: NodeWithScore) -> Passage:
    node, meta = n.node, n.node.metadata
    start, end = getattr(node, "start_char_idx", None), getattr(node, "end_char_idx", None)
    return Passage(meta["article_id"], meta.get("title", ""), meta.get("date", ""), node.get_content(),
                   int(start or meta.get("start", 0)), int(end or meta.get("end", 0)), chunk_id=node.node_id,
                   score=float(n.score or 0.0), dense_score=meta.get("dense_score"),
                   bm25_score=meta.get("bm25_score"))


def source_to_node(s: Source, relevance: float) -> NodeWithScore:
    """A numbered source as the model sees it: its sentences, in document order, with the
    (start, end) offset of each in the stored article body."""
    node = TextNode(id_=f"{s.article_id}#source{s.number}", text=" ".join(s.texts),
                    start_char_idx=s.segments[0].start, end_char_idx=s.segments[-1].end,
                    metadata={"number": s.number, "article_id": s.article_id, "title": s.title, "date": s.date,
                              "segments": [[seg.start, seg.end] for seg in s.segments], "relevance": relevance},
                    excluded_llm_metadata_keys=list(_HIDDEN), excluded_embed_metadata_keys=list(_HIDDEN))
    return NodeWithScore(node=node, score=max(seg.score for seg in s.segments))
