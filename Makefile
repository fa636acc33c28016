# kommunetz — two commands do everything on a fresh machine:
#   make run    creates the environment, loads the curated data if the store is empty, starts the app
#   make test   creates the environment and runs lint, type checks and all tests
# (Neo4j for the tests is started by the tests themselves; `make neo4j` starts one for you.)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)
PORT   ?= 8501

.PHONY: venv run test lint typecheck pytest neo4j neo4j-stop bench clean browser axe

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev,fast]"
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP)

run: venv
	$(BIN)/kommunetz load --if-empty
	$(BIN)/streamlit run app.py --server.port $(PORT)

# Real-browser tests need Debian's Chromium; install it once if it is missing.
browser:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian chromium + chromium-driver for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium chromium-driver; }

# axe-core for the accessibility tests, from the npm registry into the test folder (the
# tests inject this local copy; nothing is loaded from a CDN)
AXE := tests/browser/axe/node_modules/axe-core/axe.min.js
axe: $(AXE)
$(AXE): tests/browser/axe/package.json tests/browser/axe/package-lock.json
	@command -v npm >/dev/null || { echo "npm fehlt (Node.js): die Barrierefreiheitstests brauchen axe-core"; exit 1; }
	npm ci --prefix tests/browser/axe --no-audit --no-fund
	@touch $(AXE)

# ruff (lint and format) over all Python of the repository; lint-imports checks the
# layering contracts in pyproject.toml (docs/architecture.md)
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check graph loaders kommunetz pages app.py bench tests
	$(BIN)/lint-imports

typecheck: venv
	$(BIN)/mypy

pytest: venv browser axe
	$(BIN)/pytest

test: lint typecheck pytest

neo4j: venv
	$(BIN)/python -m tests.neo4j_server.server start

neo4j-stop:
	$(BIN)/python -m tests.neo4j_server.server stop

# Benchmarks print figures and ratios; run them on a quiet machine.
bench: venv
	$(BIN)/python bench/load.py
	$(BIN)/python bench/view.py
	$(BIN)/python bench/queries.py
	$(BIN)/python bench/registrations.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache tests/neo4j_server/target
