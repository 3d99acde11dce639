# The README's commands. `make run` and `make test` need only Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest faults bench format migration clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run: install, migrate, then the demo until Ctrl-C: both store emulators, seeded, with
## Reshelf connected to them, the web app and the worker (`reshelf demo --help`)
run: $(STAMP)
	$(BIN)/reshelf db upgrade
	$(BIN)/reshelf demo

## test: lint, type-check and the whole pytest suite (fault injection included)
test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# One xdist worker per core, each with its own database (tests/conftest.py); the ten
# slowest tests are listed at the end.
PYTEST_ARGS ?= -n auto --durations=10

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

## faults: only the fault-injection suite (worker crashes, Redis flushes)
faults: $(STAMP)
	$(BIN)/pytest -m faults

## bench: every benchmark in bench/, figures as JSON lines (not part of `make test`)
bench: $(STAMP)
	$(BIN)/python -m bench.all

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## migration: after changing core/models, write the next migration (MSG="what changed")
migration: $(STAMP)
	$(BIN)/alembic revision --autogenerate -m "$(MSG)"

clean:
	rm -rf $(VENV) instance .mypy_cache .ruff_cache .pytest_cache
