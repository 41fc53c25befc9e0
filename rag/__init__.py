"""Bilingual (Arabic + English) question answering over news articles, fully local.

Public API::

    from rag import RAG, Settings
    rag = RAG.from_settings(Settings())
    rag.ingest(["seeds"])
    rag.retrieve("Who is Azerbaijan's foreign minister?", k=5)
    answer = rag.ask("من هو وزير الخارجية الأذربيجاني؟")
    answer = rag.ask("Who met Stoltenberg?", articles=["000_50e16cd6024442b7"], since="2023-01")

    # the same pipeline as llama-index components
    response = rag.as_query_engine().query("Who is Azerbaijan's foreign minister?")
    response.response, response.source_nodes, response.metadata["citations"]
"""

from rag.answer.answerer import Answer, Citation, StreamEvent
from rag.engine import RAG
from rag.errors import BackendError, IngestError, ModelError, QuestionError, RagError, ScopeError
from rag.ingest.pipeline import IngestReport
from rag.retrieval.passage import ArticleHits, Passage, group_by_article
from rag.retrieval.scope import Scope
from rag.settings import Settings

__all__ = [
    "RAG", "Settings", "Answer", "Citation", "StreamEvent", "Passage", "ArticleHits", "group_by_article",
    "IngestReport", "RagError", "BackendError", "IngestError", "ModelError", "QuestionError",
    "Scope", "ScopeError",
]
