"""``python -m rag.backends.llamacpp_server --model M.gguf ...``: llama-cpp-python's
OpenAI-compatible server (``python -m llama_cpp.server``, same arguments) with the CPU kernels
proven on this machine loaded first (llamacpp_runtime.py, settings from ``RAG_*``); the plain
module cannot load a dynamic-backend wheel, and would not know which variant is safe.
"""

from __future__ import annotations

import runpy
import sys

from rag.backends.llamacpp_runtime import load_backends
from rag.settings import Settings

if __name__ == "__main__":
    model = sys.argv[sys.argv.index("--model") + 1] if "--model" in sys.argv[:-1] else ""
    load_backends(Settings(llm_path=model) if model else Settings())  # the probe reads the served model
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
