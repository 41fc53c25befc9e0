"""User-facing errors. Each carries a message a person can act on; entry points print it
without a traceback (the CLI exits 2, the UI shows it in the status line)."""


class RagError(Exception):
    """Base class: a problem the user can fix (bad input, missing model, server down)."""


class SettingsError(RagError, ValueError):
    """A setting names something that does not exist (a check, a CPU variant): checked by the
    part that owns the list of names, when it is built."""


class ModelError(RagError):
    """A model file is missing, partial or has the wrong digest."""


class IngestError(RagError):
    """A path given to ingest cannot be read at all."""


class StoreError(RagError):
    """The index (Chroma) cannot be read or written: corrupt, locked, disk full, server away."""


class BackendError(RagError):
    """The LLM backend cannot answer (server down, model not pulled, timeout)."""


class QuestionError(RagError, ValueError):
    """The question cannot be searched as it is (empty, too long, no words): the message says
    which, in the question's language. A ValueError too, for callers that caught that before."""


class ScopeError(RagError, ValueError):
    """A question's scope is malformed (a bad date, an unknown article id) or holds no article:
    a message, not a refusal (rag/retrieval/scope.py)."""
