"""Stage 3, answering, as llama-index components: query_engine.py (the spine: retrieve, select,
answer), selector.py (evidence selection and the relevance refusal, a node postprocessor),
chat_engine.py with followups.py (follow-up questions). answerer.py prompts the LLM with the
numbered sources, then runs the reply through an ordered list of named checks (checks.py) that
pass it, ask for one retry, or refuse with a reason from a fixed set; the other modules are the
pure pieces the checks use (citation parsing, reply cleaning, term-level grounding, Arabic
spellings)."""

from rag.answer.answerer import Answer, Answerer, Citation, StreamEvent

__all__ = ["Answer", "Answerer", "Citation", "StreamEvent"]
