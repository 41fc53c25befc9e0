"""Stage 1, ingest: files -> cleaned articles (clean.py) -> segments and chunks -> vectors in
Chroma (pipeline.py, through rag.store)."""

from rag.ingest.pipeline import IngestReport, Ingestor

__all__ = ["IngestReport", "Ingestor"]
