# The two commands of the README:  make run  |  make test
# Both create .venv/ here, install torch==2.13.0 first (a CPU build; an
# unpinned torch would pull a multi-GB CUDA build), then the pinned project.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PYTHON ?= python3

.PHONY: setup run test test-fast index eval bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

run: setup
	$(PY) app.py

# pytest exits 5 when it collected no test: that is a failure of the suite, not
# a pass, but CI must not confuse it with a crash, so say it plainly.
test: setup
	@$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$rc

test-fast: setup
	$(PY) -m pytest -m "not model and not slow and not browser"

index: setup
	$(VENV)/bin/rag index

eval: setup
	$(VENV)/bin/rag eval --gold eval/gold.jsonl --out eval/latest --compare

bench: setup
	$(VENV)/bin/rag bench

clean:
	rm -rf $(VENV) index/CURRENT index/builds index/.lock
