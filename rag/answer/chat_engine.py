"""Follow-up conversations through llama-index's ``CondenseQuestionChatEngine``.

The stock engine condenses the conversation and the new message into a standalone question
with the LLM, then asks the query engine. Two things change here, both so the answer stays in
the user's language: condensing uses the project's rule (followups.py: the rewrite is kept only
in the message's own language, else the previous question plus the message), and the query
engine receives a ``FollowUp`` bundle that carries what the user typed next to the standalone
question, so the answer language comes from the user's words, not the rewrite.

``chat()`` returns the verified answer; ``stream_chat()`` streams the draft deltas and, when
the stream ends, sets ``response.response`` and ``response.source_nodes`` to the verified
answer and its cited sources. The memory always records the verified text, never a retracted
draft, so the next follow-up is condensed against what the user was actually shown.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole
from llama_index.core.callbacks import CallbackManager
from llama_index.core.chat_engine import CondenseQuestionChatEngine
from llama_index.core.chat_engine.types import AgentChatResponse, StreamingAgentChatResponse
from llama_index.core.memory import ChatMemoryBuffer
from llama_index.core.prompts import PromptTemplate

from rag.answer.followups import condense
from rag.answer.query_engine import FollowUp, GroundedQueryEngine, VerifiedStreamingResponse
from rag.backends.llamaindex import BackendLLM
from rag.text.token_count import approx_tokens


@dataclass
class VerifiedChatStream(StreamingAgentChatResponse):
    @property
    def response_gen(self) -> Iterator[str]:  # type: ignore[override]
        yield from super().response_gen
        verified = self.sources[0].raw_output
        self.response, self.source_nodes = str(verified), list(verified.source_nodes)


class BilingualChatEngine(CondenseQuestionChatEngine):
    def __init__(self, query_engine: GroundedQueryEngine, memory_tokens: int):
        prompts = query_engine.answerer.prompts
        memory = ChatMemoryBuffer.from_defaults(token_limit=memory_tokens,
                                                tokenizer_fn=lambda text: [0] * approx_tokens(text))
        super().__init__(query_engine, PromptTemplate(prompts.load("rewrite")), memory,
                         BackendLLM(query_engine.llm), callback_manager=CallbackManager([]))
        self._grounded = query_engine

    @staticmethod
    def _plain(history: list[ChatMessage]) -> list[dict]:
        return [{"role": m.role.value, "content": m.content or ""} for m in history]

    def _condense_question(self, chat_history: list[ChatMessage], last_message: str) -> FollowUp:  # type: ignore[override]
        standalone = condense(last_message, self._plain(chat_history), self._grounded.llm,
                              self._grounded.answerer.prompts)
        return FollowUp(standalone, asked=last_message)

    def chat(self, message: str, chat_history: list[ChatMessage] | None = None) -> AgentChatResponse:
        history = chat_history or self._memory.get(input=message)
        question = self._condense_question(history, message)
        response = self._grounded.query(question)
        tool_output = self._get_tool_output_from_response(question.query_str, response)
        self._memory.put(ChatMessage(role=MessageRole.USER, content=message))
        self._memory.put(ChatMessage(role=MessageRole.ASSISTANT, content=str(response)))
        return AgentChatResponse(response=str(response), sources=[tool_output])

    def stream_chat(self, message: str, chat_history: list[ChatMessage] | None = None) -> StreamingAgentChatResponse:
        history = chat_history or self._memory.get(input=message)
        question = self._condense_question(history, message)
        response: VerifiedStreamingResponse = self._grounded.stream(question)
        tool_output = self._get_tool_output_from_response(question.query_str, response)
        self._memory.put(ChatMessage(role=MessageRole.USER, content=message))

        def deltas() -> Generator[ChatResponse, None, None]:
            for delta in response.response_gen:
                yield ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=""), delta=delta)
            self._memory.put(ChatMessage(role=MessageRole.ASSISTANT, content=response.response_txt or ""))

        return VerifiedChatStream(chat_stream=deltas(), sources=[tool_output], is_writing_to_memory=False)
