# One task runner. `make demo` and `make test` work on a fresh machine (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install system-deps demo test test-fast lint fix typecheck check bench update-golden clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip 'setuptools>=77'
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Chromium (browser tests) and npm-pinned explorer assets; safe to run repeatedly.
system-deps:
	bash scripts/install-system-deps.sh

demo: install
	$(BIN)/leaderboard demo ./data --force

test: install system-deps
	$(BIN)/python -m pytest -n 2 -q

test-fast: install
	$(BIN)/python -m pytest -n 2 -q -m "not browser"

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

fix: install
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

typecheck: install
	$(BIN)/mypy

# What CI runs after the tests: lint errors and type errors fail the build (formatting does not).
check: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/github.py
	$(BIN)/python bench/network_plugins.py
	$(BIN)/python bench/gitread.py
	$(BIN)/python bench/mcp_load.py

update-golden: install
	$(BIN)/python tests/site/update_golden.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
