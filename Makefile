# The two commands of the README:  make run  |  make test
# Both create .venv/ here, install torch==2.13.0 first (a CPU build; an
# unpinned torch would pull a multi-GB CUDA build), then the pinned project.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PYTHON ?= python3

.PHONY: setup browser-deps run test test-fast index eval bench bench-backends train-embedder train train-judge clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# The browser tests drive Debian's Chromium (never a downloaded browser). As
# root, install it; otherwise those tests skip and say how to enable them.
browser-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing chromium for the browser tests"; \
	  (apt-get install -y -q chromium fonts-noto-color-emoji >/dev/null 2>&1 || \
	   (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium fonts-noto-color-emoji >/dev/null 2>&1)) || \
	  echo "could not install chromium: the browser tests will be skipped"; \
	else echo "no chromium and not root: the browser tests will be skipped"; fi

run: setup
	$(PY) app.py

# pytest exits 5 when it collected no test: that is a failure of the suite, not
# a pass, but CI must not confuse it with a crash, so say it plainly.
test: setup browser-deps
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

test-fast: setup
	$(PY) -m pytest -m "not model and not slow and not browser"

index: setup
	$(VENV)/bin/rag index

eval: setup
	$(VENV)/bin/rag eval --gold eval/gold.jsonl --out eval/latest --compare
	$(VENV)/bin/rag eval --gold eval/heldout.jsonl --out eval/heldout-latest --compare

bench: setup
	$(PY) bench/run.py

# Refit the embedder's update (rag/embedder.lora.<checksum>.npz: MiniLM moved towards
# answers, rag/tune.py) on the SQuAD training pool beside the project and the foreign
# blind batches 13-45 (~18 min on 2 cores, most of it indexing their articles). The
# scorer was fitted on the old vectors: `make train` after it.
train-embedder: setup
	$(VENV)/bin/rag train-embedder

# Refit the answer scorer (rag/scorer.json and its query adapter,
# rag/scorer.adapter.<checksum>.npy) from the labelled questions: the SQuAD training pool
# beside the project (../shared/external/squad/train), eval/gold.jsonl and
# eval/blind/seeds-b1.jsonl (~4 min on 2 cores). scikit-learn is needed only
# here, never to answer; the adapter is fitted with the torch the embedder has.
train: setup
	$(PY) -m pip install -q -e '.[train]'
	$(VENV)/bin/rag train

# Refit the judge's decision (rag/judge.json: how the judge's verdict and the
# scorer's P(answered) combine, and the threshold) on thirteen evaluation sets,
# each answer read by the bundled 1.5B model (eval/fit_judge.py, ~95-150 min with no kept
# readings in data/, minutes with them; it
# keeps its rows in eval/judge-rows.json, which `--rows` refits in seconds).
train-judge: setup
	$(PY) -m pip install -q -e '.[train]'
	$(PY) eval/fit_judge.py

# FAISS against Milvus (milvus-lite): same gold figures, scale, SIGKILL during builds.
bench-backends: setup
	$(PY) bench/backends.py parity
	$(PY) bench/backends.py crash --embedder hash
	$(PY) bench/backends.py scale

clean:
	rm -rf $(VENV) index/CURRENT index/builds index/.lock
