# Two commands on a fresh machine (Python 3.11+ with pip):
#   make demo   - create .venv if missing, install, write the demo reports under reports/
#   make test   - create .venv if missing, install, run the whole test suite
#   make test-fast - the unit tests only (under 90 s), after every change
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-fast lint bench bench-quick clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "GPS Analytics needs Python 3.11+: run make PYTHON=python3.11 ...")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/gps demo -j 2

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

# after every change: unit tests only (no notebook, browser, Spark, whole pipeline or subprocess), under 90 s
test-fast: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -m "not slow and not integration"

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check gps_core tests benchmarks

BENCH := $(VENV)/.bench

$(BENCH): $(STAMP)
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	touch $(BENCH)

# Each script prints the target it is held to and exits 1 when its median misses it: every script runs,
# then make fails if any missed (a regression check). bench-quick: the same at small sizes, under 2 minutes.
BENCHES := stars pipeline hcc pool encounters p4p intake synth design reports tables riskadjust
QUICK   := stars pipeline hcc encounters p4p intake tables synth design riskadjust

bench: $(BENCH)
	@status=0; for b in $(BENCHES); do echo "== bench_$$b"; $(BIN)/python benchmarks/bench_$$b.py || status=1; done; exit $$status

bench-quick: $(BENCH)
	@status=0; for b in $(QUICK); do echo "== bench_$$b --quick"; $(BIN)/python benchmarks/bench_$$b.py --quick --pairs 3 || status=1; done; exit $$status

clean:
	rm -rf $(VENV) build *.egg-info
