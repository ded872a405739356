# Groundwork: `make run` to try it, `make test` to prove it. Both set everything up.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
export FLASK_APP := clinic

# Debian packages: HarfBuzz's subsetter keeps PDFs fast and warning-free; the tests
# also read PDFs back (poppler), drive a real browser (Chromium) and start a throwaway
# PostgreSQL server (its binaries). Missing ones are installed, or the tests fail: a
# browser or database test is never skipped (tests/conftest.py fails a run that skips).
RUN_PACKAGES := libharfbuzz-subset0
TEST_PACKAGES := $(RUN_PACKAGES) poppler-utils chromium postgresql redis-server

.PHONY: run test test-sqlite test-postgres install db demo clean bench

run: $(VENV)/.installed db
	@$(BIN)/flask seed-demo
	@echo "Groundwork is at http://127.0.0.1:$(PORT)/  (Ctrl+C stops it)"
	@GROUNDWORK_PUBLIC_URL=$${GROUNDWORK_PUBLIC_URL:-http://127.0.0.1:$(PORT)} $(BIN)/flask serve --host 127.0.0.1 --port $(PORT)

# One pass after the other: run side by side, the two passes starve each other's
# browser tests of time on two cores and make them flaky.
test: test-sqlite test-postgres

test-sqlite: $(VENV)/.installed-test tests/browser/node_modules/axe-core/axe.min.js
	$(BIN)/pytest -p no:cacheprovider

test-postgres: $(VENV)/.installed-test tests/browser/node_modules/axe-core/axe.min.js
	$(BIN)/pytest -p no:cacheprovider --postgres

install: $(VENV)/.installed

db: $(VENV)/.installed
	@$(BIN)/flask db upgrade

$(VENV)/.installed: pyproject.toml
	@.ci/install-system-packages --optional $(RUN_PACKAGES)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	@.ci/install-system-packages $(TEST_PACKAGES)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $@

tests/browser/node_modules/axe-core/axe.min.js: tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --loglevel=error

# Benchmarks print figures (never part of `make test`) and end with one table of goals.
bench: $(VENV)/.installed-test
	rm -rf bench/results
	$(BIN)/python -m bench.pdf
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.report

clean:
	rm -rf $(VENV) tests/browser/node_modules
