"""Stage 1, ingest: files (.txt .md .html .htm .pdf .docx) -> plain text, title and date
(formats.py) -> cleaned articles (clean.py) -> segments and chunks -> vectors in Chroma
(pipeline.py, through rag.store)."""

from rag.ingest.pipeline import Ingestor, IngestReport

__all__ = ["IngestReport", "Ingestor"]
