"""Answers in progress, one per browser session, so Stop can end one from another request.

Stop does not use Gradio's ``cancels``: that abandons the answer's generator in whatever state
it is in, and the model keeps its lock (and, in llama.cpp, its half-filled KV cache) until the
garbage collector closes it from some other thread. Instead Stop sets a flag that the answer's
own loop reads between two tokens (rag.stream yields at least once per token); the loop then
closes the stream itself, the model stops generating, and the loop ends with a normal last
update that keeps the conversation. ``discard`` is for New chat: the reader has moved on, so
the ending answer must not write the old conversation back.

>>> runs = Runs()
>>> run = runs.start("s1"); runs.stop("s1"), run.stopped.is_set(), run.discard
(True, True, False)
>>> runs.finish("s1", run); runs.stop("s1")
False
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class Run:
    stopped: threading.Event = field(default_factory=threading.Event)
    discard: bool = False


class Runs:
    def __init__(self) -> None:
        self._runs: dict[str, Run] = {}
        self._lock = threading.Lock()

    def start(self, session: str) -> Run:
        """A new answer for ``session`` (an older one still running is stopped)."""
        run = Run()
        with self._lock:
            previous, self._runs[session] = self._runs.get(session), run
        if previous is not None:
            previous.discard = True
            previous.stopped.set()
        return run

    def stop(self, session: str, discard: bool = False) -> bool:
        """Ask the session's running answer to stop; False when none runs."""
        with self._lock:
            run = self._runs.get(session)
        if run is None:
            return False
        run.discard = run.discard or discard
        run.stopped.set()
        return True

    def finish(self, session: str, run: Run) -> None:
        with self._lock:
            if self._runs.get(session) is run:
                del self._runs[session]
