# `make test` runs the checks and every test but the scale-out ones (`make test-scale`);
# CI (`.ci/run`) runs both. `make demo` shows the product end to end.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: install demo test lint typecheck unit samples bench clean test-scale

$(STAMP): pyproject.toml constraints.txt
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,charts]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/reportwatch demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q -m "not scale"

# PostgreSQL, a real Prefect server, two workers (needs postgresql installed: see .ci/scale.sh)
test-scale: $(STAMP)
	$(BIN)/pytest -q -m scale tests/ops

test: lint typecheck unit

samples: $(STAMP)
	$(BIN)/python -m reportwatch.demo.samples.build

bench: $(STAMP)
	$(BIN)/python -m bench.interrupt
	$(BIN)/python -m bench.extraction
	$(BIN)/python -m bench.rerun
	$(BIN)/python -m bench.deadline

clean:
	rm -rf data .pytest_cache .mypy_cache .ruff_cache
