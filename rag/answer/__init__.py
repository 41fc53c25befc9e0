"""Stage 3, answering: prompt the LLM with the numbered sources, then run the reply through an
ordered list of named checks (checks.py) that pass it, ask for one retry, or refuse with a
reason from a fixed set. answerer.py runs the list; the other modules are the pure pieces the
checks use (citation parsing, reply cleaning, term-level grounding, Arabic spellings)."""

from rag.answer.answerer import Answer, Answerer, Citation, StreamEvent

__all__ = ["Answer", "Answerer", "Citation", "StreamEvent"]
