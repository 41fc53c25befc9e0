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
"$PY" -m pytest -q

echo "==> evaluation: retrieval only, all gold questions"
"$PY" -m eval --retrieval-only --out artifacts/eval-retrieval.json --baseline eval/baseline.json
# (the seed answers are covered by the model-backed tests above; `make eval` runs the whole seed gold)
echo "==> evaluation: answers about other articles (eval/general), with the seeds as distractors, subset"
"$PY" -m eval --backend llamacpp --gold eval/general/gold.jsonl --corpus eval/general/articles --limit 16 \
  --out artifacts/eval-general.json --baseline eval/general/baseline.json
echo "==> evaluation: public sets nobody here wrote (ARCD; XQuAD Arabic and English over Arabic articles), CI samples"
"$PY" -m eval --backend llamacpp --squad eval/benchmarks/arcd-train.json --sample 20 --left-out 4 --articles 6 \
  --distractors 3 --floors eval/public/floors.json --out artifacts/eval-arcd-ci.json --baseline eval/public/arcd-ci.json
"$PY" -m eval --backend llamacpp --squad eval/benchmarks/xquad-dev.ar.json --squad-parallel eval/benchmarks/xquad-dev.en.json \
  --sample 12 --left-out 4 --articles 4 --distractors 2 --floors eval/public/floors.json \
  --out artifacts/eval-xquad-ci.json --baseline eval/public/xquad-ci.json
echo "==> evaluation: overview, summary, timeline and comparison questions (eval/kinds), 2 per kind and language"
"$PY" -m eval --kinds eval/kinds/gold.jsonl --limit 2 --floors eval/kinds/floors.json --out artifacts/eval-kinds-ci.json
echo "==> evaluation: BELEBELE, Arabic questions over the English passages (the direction the embedded model reads worst), CI sample"
"$PY" -m eval --backend llamacpp --squad eval/benchmarks/belebele-dev.en.json --squad-parallel eval/benchmarks/belebele-dev.ar.json \
  --parallel-only --sample 12 --left-out 4 --articles 6 --distractors 4 --floors eval/public/floors.json \
  --out artifacts/eval-belebele-ci.json --baseline eval/public/belebele-ci.json
