# Two commands on a fresh machine with Python >= 3.11: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-fast lint bench clean

$(BIN)/selfdata: pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is needed, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

demo: $(BIN)/selfdata
	$(BIN)/selfdata demo

# everything: notebooks for every sample persona, batch reports, browsers, the 30-person cohort
test: $(BIN)/selfdata
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest

# the same without the tests marked slow (pyproject.toml): under 3 minutes on 2 cores
test-fast: $(BIN)/selfdata
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/pytest -m "not slow"

bench: $(BIN)/selfdata
	$(BIN)/python benchmarks/ingest_bank.py
	$(BIN)/python benchmarks/hostile_padding.py
	$(BIN)/python benchmarks/synth_cohort.py
	$(BIN)/python benchmarks/batch_reports.py
	$(BIN)/python benchmarks/cohort.py
	$(BIN)/python benchmarks/long_history.py
	$(BIN)/python benchmarks/report_reruns.py

clean:
	rm -rf $(VENV) out .pytest_cache .ruff_cache .hypothesis
