# CX Hub: `make run` serves the demo app, `make test` runs the whole suite. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
PIP       := $(PY) -m pip
HOST      ?= 127.0.0.1
PORT      ?= 8000
PYTEST_ARGS ?=

# Services for `make run-services` / `make test-services` (the local PostgreSQL and Redis).
SERVICES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
SERVICES_BROKER_URL   ?= redis://127.0.0.1:6379/0

.PHONY: help venv install install-dev lock mypy-baseline pdf-deps run run-services test test-services lint format messages css check-deploy clean bench bench-services bench-live

help:
	@echo "make run            create .venv, install, migrate, load demo data, serve on http://$(HOST):$(PORT) with a worker"
	@echo "make test           install dev extras and run the whole test suite (embedded PostgreSQL, tasks in-process)"
	@echo "make run-services   the same app on PostgreSQL + Redis with a Celery worker and beat"
	@echo "make test-services  the suite against PostgreSQL + Redis with a real worker"
	@echo "make pdf-deps       install Chromium (apt-get), which prints the dashboard's PDF report"
	@echo "make lint           ruff check, ruff format --check, makemigrations --check, mypy"
	@echo "make lock           renew requirements.lock (the exact versions installs use) from pyproject.toml"
	@echo "make messages       refresh and compile the translations (needs gettext)"
	@echo "make css            cut Tabler's stylesheet to the classes in use (needs Node.js; after adding a Tabler class)"
	@echo "make bench          time the journey and barrier pages (150-step map, 10,000 barriers; bench-services: PostgreSQL)"
	@echo "make bench-live     50 viewers of a live map, one writer at 10 saves/s (PostgreSQL + Redis)"

# The virtualenv is recreated when missing or built on a Python older than 3.12.
$(VENV)/.created:
	@if [ -x "$(PY)" ] && $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "Using existing $(VENV) ($$($(PY) --version))"; \
	else \
		interpreter=$$(scripts/find-python) || exit 1; \
		echo "Creating $(VENV) with $$interpreter ($$($$interpreter --version))"; \
		rm -rf $(VENV); \
		$$interpreter -m venv $(VENV) || { echo "error: '$$interpreter -m venv' failed (on Debian/Ubuntu install python3-venv)." >&2; exit 1; }; \
	fi
	@touch $@

venv: $(VENV)/.created

# Exact versions from requirements.lock (what CI and the Docker image install); `make lock` renews it.
$(VENV)/.installed: $(VENV)/.created pyproject.toml requirements.lock
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c requirements.lock -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml requirements.lock
	$(PIP) install --quiet -c requirements.lock -e ".[dev]"
	@touch $@

lock: venv
	$(PIP) install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.12 --no-header --quiet \
		-o requirements.lock

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The embedded PostgreSQL server starts with the first command that connects and stops after the last
# process using it (web, worker, beat) exits.
run: install
	DEBUG=true $(PY) manage.py migrate --no-input
	DEBUG=true $(PY) manage.py load_demo
	DEBUG=true $(PY) manage.py collectstatic --no-input --verbosity 0
	@echo
	@echo "  CX Hub is starting on http://$(HOST):$(PORT)/"
	@echo "  Log in as cxlead, executive, admin or head-<department> (e.g. head-contact-centre); password: demo"
	@echo "  Switch to Russian with the RU button at the top right. Stop with Ctrl+C."
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null || \
		echo "  Note: the dashboard's PDF report needs Chromium: run 'make pdf-deps' (apt-get); the rest works without it."
	@echo
	DEBUG=true scripts/serve $(HOST):$(PORT)

# Headless Chromium prints the dashboard's PDF report (metrics.pdf); the Docker image has it already.
pdf-deps:
	@if command -v chromium >/dev/null; then echo "chromium is installed: $$(command -v chromium)"; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi

# Another PostgreSQL server and Redis, with a real Celery worker and beat; the web server in front.
run-services: install
	DEBUG=true DATABASE_URL=$(SERVICES_DATABASE_URL) CELERY_BROKER_URL=$(SERVICES_BROKER_URL) $(PY) manage.py migrate --no-input
	DEBUG=true DATABASE_URL=$(SERVICES_DATABASE_URL) CELERY_BROKER_URL=$(SERVICES_BROKER_URL) $(PY) manage.py load_demo
	DEBUG=true DATABASE_URL=$(SERVICES_DATABASE_URL) CELERY_BROKER_URL=$(SERVICES_BROKER_URL) scripts/serve $(HOST):$(PORT)

test: install-dev
	$(PY) -m pytest $(PYTEST_ARGS)

test-services: install-dev
	DATABASE_URL=$(SERVICES_DATABASE_URL) CELERY_BROKER_URL=$(SERVICES_BROKER_URL) $(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/journey_pages.py
	$(PY) bench/map_editor.py
	$(PY) bench/barrier_pages.py

bench-services: install
	DATABASE_URL=$(SERVICES_DATABASE_URL) $(PY) bench/journey_pages.py
	DATABASE_URL=$(SERVICES_DATABASE_URL) $(PY) bench/map_editor.py
	DATABASE_URL=$(SERVICES_DATABASE_URL) $(PY) bench/barrier_pages.py
	$(MAKE) bench-live

# The live map: 50 viewers, one writer at 10 saves/s, on PostgreSQL + Redis behind uvicorn.
bench-live: install
	DATABASE_URL=$(SERVICES_DATABASE_URL) CELERY_BROKER_URL=$(SERVICES_BROKER_URL) $(PY) bench/live_map.py

# mypy: strict on services and selectors (pyproject.toml); elsewhere no error beyond mypy-baseline.txt,
# and an error fixed must leave it too (`make mypy-baseline` rewrites it), so it only shrinks.
lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/mypy | $(VENV)/bin/mypy-baseline filter --sort-baseline --no-colors

mypy-baseline: install-dev
	$(VENV)/bin/mypy | $(VENV)/bin/mypy-baseline sync --sort-baseline

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

css:
	scripts/purge-css

messages: install-dev
	$(PY) manage.py makemessages --locale ru --ignore '.venv/*' --ignore 'staticfiles/*' --no-obsolete
	$(PY) manage.py compilemessages --locale ru --ignore '.venv/*'

check-deploy: install
	CXHUB_ENV=production SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') \
		ALLOWED_HOSTS=cx.example.com $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
