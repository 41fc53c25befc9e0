.PHONY: run test setup ingest eval bench screenshots clean-index

run: setup  ## set up, index seeds/, launch the chatbot UI
	.venv/bin/python -m rag ingest seeds
	.venv/bin/python -m app

test:  ## set up and run the whole test suite + evaluation gates (what CI runs)
	bash scripts/test.sh

setup:
	bash scripts/setup.sh

ingest: setup
	.venv/bin/python -m rag ingest seeds

eval: setup  ## full evaluation with the embedded model, compared with the committed baseline
	.venv/bin/python -m eval --backend llamacpp --out artifacts/eval-full.json --baseline eval/baseline.json
	.venv/bin/python -m eval --backend llamacpp --gold eval/general/gold.jsonl --corpus eval/general/articles \
	  --out artifacts/eval-general.json --baseline eval/general/baseline.json
	.venv/bin/python -m eval --backend llamacpp --squad eval/benchmarks/arcd-train.json --sample 100 --left-out 20 \
	  --floors eval/public/floors.json --out artifacts/eval-arcd.json --baseline eval/public/arcd-dev.json
	.venv/bin/python -m eval --backend llamacpp --squad eval/benchmarks/xquad-dev.ar.json \
	  --squad-parallel eval/benchmarks/xquad-dev.en.json --sample 100 --left-out 20 \
	  --floors eval/public/floors.json --out artifacts/eval-xquad.json --baseline eval/public/xquad-dev.json

bench: setup  ## ingest, retrieval at 1k/10k/100k chunks, answering, app start (artifacts/bench.json + .png)
	.venv/bin/python scripts/bench.py

screenshots: setup  ## README screenshots (desktop Arabic/English, phone) + browser timings (artifacts/ui-timings.json)
	.venv/bin/python scripts/screenshots.py
