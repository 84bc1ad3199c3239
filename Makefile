# Two commands on a fresh clone: `make build` and `make test`. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: build test check lint clean

build: $(INSTALLED)
	$(BIN)/citehub build .

check: $(INSTALLED)
	$(BIN)/citehub check .

test: $(INSTALLED)
	$(BIN)/ruff check src tests scripts
	$(BIN)/mypy
	$(BIN)/pytest

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

clean:
	rm -rf site $(VENV) .pytest_cache .mypy_cache .ruff_cache
