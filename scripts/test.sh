#!/usr/bin/env bash
# The whole test run, as CI runs it: set-up, the pytest suite (model-backed tests included),
# then the evaluation gates against the committed baselines.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
PY=.venv/bin/python

if ! command -v chromium >/dev/null 2>&1; then
  echo "==> installing Debian chromium for the UI tests"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null
fi

export RAG_DATA_DIR="${RAG_DATA_DIR:-$(mktemp -d)}"  # tests and eval never touch the user's index
echo "==> ruff (lint) and mypy (types of rag/, app/ and eval/)"
"$PY" -m ruff check rag app eval tests scripts
"$PY" -m mypy
echo "==> pytest"
"$PY" -m pytest -q --durations=25  # the slowest tests, to keep CI under 30 minutes

echo "==> evaluation gates (eval/ci.py lists them: seed retrieval, eval/general, ARCD, XQuAD, kinds, BELEBELE)"
"$PY" -m eval.ci
