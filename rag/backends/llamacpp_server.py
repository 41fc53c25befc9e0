"""``python -m rag.backends.llamacpp_server --model M.gguf ...``: llama-cpp-python's
OpenAI-compatible server (``python -m llama_cpp.server``, same arguments) with the best CPU
kernels loaded first (llamacpp_runtime.py); the plain module cannot load a dynamic-backend wheel.
"""

from __future__ import annotations

import runpy

from rag.backends.llamacpp_runtime import load_backends

if __name__ == "__main__":
    load_backends()
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)
