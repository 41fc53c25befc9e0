"""The Chroma chunk collection as a llama-index ``ChromaVectorStore``, read-only.

For llama-index users who want their own ``VectorStoreIndex.from_vector_store(...)`` over the
articles this project indexed. Read-only because the index has invariants llama-index's
writers do not know about (segment vectors, a per-article manifest written last, content-hash
ids): writes go through ``rag ingest``. Nodes come back with the chunk text, the same metadata
as the project's own retriever (article_id, title, date, start, end) and cosine scores.
"""

from __future__ import annotations

from typing import Any

from rag.errors import RagError
from rag.store import ChunkStore


def read_only_vector_store(store: ChunkStore) -> Any:
    try:
        from llama_index.vector_stores.chroma import ChromaVectorStore
    except ImportError as exc:
        raise RagError("as_vector_store() needs the optional extra: "
                       "pip install 'bilingual-news-rag[vector-store]'") from exc

    class ReadOnlyChromaVectorStore(ChromaVectorStore):
        def add(self, nodes: Any, **kwargs: Any) -> list[str]:
            raise RagError("this vector store is read-only: add articles with `python -m rag ingest`")

        def delete(self, ref_doc_id: str, **kwargs: Any) -> None:
            raise RagError("this vector store is read-only: remove articles with `python -m rag ingest`")

        def delete_nodes(self, node_ids: Any = None, filters: Any = None, **kwargs: Any) -> None:
            raise RagError("this vector store is read-only")

        def clear(self) -> None:
            raise RagError("this vector store is read-only")

    return ReadOnlyChromaVectorStore(chroma_collection=store.chunks)  # type: ignore[call-arg]
