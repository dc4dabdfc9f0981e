# make help: list the targets. Everything runs inside .venv, made on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: help run test test-slow test-integration test-all lint fmt migrations-check ci bench clean demo

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed  ## set up and run web, worker and beat on http://127.0.0.1:8000/admin/ (SQLite)
	$(BIN)/python manage.py migrate --no-input
	@$(BIN)/python manage.py shell -c "from django.contrib.auth import get_user_model as m; \
	  raise SystemExit(not m().objects.filter(is_superuser=True).exists())" \
	  || $(BIN)/python manage.py adviser_create $${SENDFLOW_FIRST_LOGIN:-admin} --superuser \
	       --email "$${SENDFLOW_FIRST_LOGIN_EMAIL:-}"
	$(BIN)/python scripts/run_local.py

# The quick suite, run on every change: everything but the browser tests, the sweeps marked
# slow and the integration tests, on every core (pytest-xdist; PYTEST_XDIST_AUTO_NUM_WORKERS=N
# for N workers), in a shuffled order (pytest-randomly prints its seed first; `make test
# PYTEST_ARGS=--randomly-seed=N` replays it).
test: $(BIN)/.installed  ## run the quick suite, under a minute (SQLite unless DATABASE_URL is set)
	$(BIN)/pytest -n auto -m "not integration and not browser and not slow" $(PYTEST_ARGS)

# Chromium through Playwright at 375 and 1280 px with axe-core, one browser on each worker; and
# the sweeps that take seconds each: every admin page crawled, an appeal simulated night by night.
test-slow: $(BIN)/.installed  ## the pages in Chromium (/usr/bin/chromium) and the slow sweeps
	$(BIN)/pytest -n auto -m "(browser or slow) and not integration" $(PYTEST_ARGS)

# PostgreSQL, their own redis-server and celery workers (skipped on SQLite), alone: their
# throughput checks must not share the cores with Chromium and the rest of the suite.
test-integration: $(BIN)/.installed  ## real workers, PostgreSQL and Redis (set DATABASE_URL)
	$(BIN)/pytest -m integration $(PYTEST_ARGS)

# One after another even under `make -j`: the integration tests must have the cores to themselves.
test-all: $(BIN)/.installed  ## every test: what CI runs after the lint
	$(MAKE) test
	$(MAKE) test-slow
	$(MAKE) test-integration

lint: $(BIN)/.installed  ## ruff lint and format check; the layers only import down (import-linter); mypy --strict ([tool.mypy] files)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

fmt: $(BIN)/.installed  ## format and fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: $(BIN)/.installed  ## fail if models and migrations disagree
	$(BIN)/python manage.py makemigrations --check --dry-run

ci: lint migrations-check test-all  ## what .ci/run runs

bench: $(BIN)/.installed  ## deadline benchmarks (set DATABASE_URL to PostgreSQL)
	$(BIN)/python scripts/benchmark_deadlines.py

clean:  ## remove the venv and runtime files
	rm -rf $(VENV) var

demo: $(BIN)/.installed  ## load a fictional caseload covering every state (idempotent)
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py demo_data
