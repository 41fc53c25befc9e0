"""llama.cpp loads the CPU kernels that match this machine, not the lowest common level."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

AVX512 = {"skylakex", "cannonlake", "cascadelake", "cooperlake", "icelake", "sapphirerapids", "zen4"}
AVX2 = {"haswell", "alderlake"} | AVX512


def test_the_best_cpu_variant_for_this_cpu_is_loaded_in_a_fresh_process():
    flags = set(Path("/proc/cpuinfo").read_text().split())
    done = subprocess.run([sys.executable, "-c", "from rag.backends.llamacpp_runtime import load_backends; "
                           "print(load_backends())"], capture_output=True, text=True, timeout=120)
    variant = done.stdout.strip().splitlines()[-1]
    assert variant != "x64", "the portable no-SIMD kernels were loaded"
    if "avx512f" in flags and "avx512bw" in flags:
        assert variant in AVX512, variant
    elif "avx2" in flags:
        assert variant in AVX2, variant
