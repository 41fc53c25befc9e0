"""Which llama.cpp CPU kernels run: the best this CPU has, from one portable wheel.

scripts/setup.sh builds llama-cpp-python with ``GGML_BACKEND_DL`` and ``GGML_CPU_ALL_VARIANTS``:
the wheel carries the CPU backend once per x86-64 level (``libggml-cpu-x64.so`` for any x86-64,
``-haswell`` for AVX2, ``-skylakex``/``-icelake``/``-zen4`` for AVX-512 ...). llama.cpp scores
each against the running CPU and loads the best (``ggml_backend_load_all_from_path``). The
trade-off: a longer first build (the CPU backend is compiled once per level) against a wheel
that is neither stuck on the lowest common instruction set nor tied to the build machine, which
a ``-march=native`` build would be. A wheel with the CPU backend linked in needs nothing here.

llama.cpp's backend registry is process-wide, so loading is too: ``load_backends()`` runs once
per process (``functools.cache``) and is called before any ``llama_cpp.Llama`` is made
(our backend, the benchmark, ``python -m rag.backends.llamacpp_server``).
"""

from __future__ import annotations

import ctypes
import functools
import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)


@functools.cache
def load_backends() -> str:
    """Load llama.cpp's dynamic backends if the wheel has them; return the CPU variant in use."""
    import llama_cpp
    import llama_cpp.llama_cpp as lib

    package = Path(llama_cpp.__file__).parent
    # scikit-build puts the backend libraries in site-packages/bin, next to the package
    folders = [d for d in (package / "lib", package.parent / "bin") if any(d.glob("libggml-cpu-*"))]
    loader = getattr(lib._lib, "ggml_backend_load_all_from_path", None)
    if loader is not None and folders:
        loader.argtypes, loader.restype = [ctypes.c_char_p], None
        loader(str(folders[0]).encode())
    variant = cpu_variant()
    log.info("llama.cpp CPU backend: %s", variant)
    return variant


def cpu_variant() -> str:
    """The loaded CPU backend library's level (e.g. "zen4"), or "built-in" when linked in."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:  # not Linux
        return "unknown"
    found = re.search(r"libggml-cpu-([A-Za-z0-9_]+)\.so", maps)
    return found.group(1) if found else "built-in"
