"""Stage 1, ingest: files (.txt .md .html .htm .pdf .docx) -> plain text, title and date
(formats.py, plaintext.py) -> cleaned articles (clean.py) -> segments and chunks -> vectors in
Chroma (pipeline.py, through rag.store; ids by identity.py)."""

from rag.ingest.pipeline import Ingestor, IngestReport

__all__ = ["IngestReport", "Ingestor"]
