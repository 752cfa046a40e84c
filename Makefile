# Two entry points for a fresh machine: `make demo` (install, load demo data, serve) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-dev lint typecheck clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev,sentence-transformers]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

# The demo runs in development mode (the default secret key is accepted there, never in production).
demo: $(VENV)/.installed
	$(BIN)/matchmaker demo
	MATCHMAKER_ENV=development $(BIN)/matchmaker serve

test: $(VENV)/.installed-dev
	$(BIN)/pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check matchmaker api tests benchmarks
	$(BIN)/ruff format --check matchmaker api tests benchmarks

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy matchmaker api benchmarks

clean:
	rm -rf $(VENV) data
