# NAP Tracker — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The embedded defaults: SQLite under var/, tasks in-process, e-mail to the console.
EMBEDDED := env -u DATABASE_URL -u REDIS_URL DEBUG=true

.PHONY: run test messages lint format migrate demo worker beat clean help

help:
	@echo "make run    – set up and serve the demo on http://$(HOST):$(PORT) (SQLite, tasks in-process)"
	@echo "make test   – set up and run the whole test suite"
	@echo "make lint   – ruff check"
	@echo "make clean  – remove the virtual environment and local data"

$(VENV)/.created: .env
	@PYTHON=$(PYTHON) scripts/system-deps run
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@touch $@

# Local development settings for manage.py in this checkout; never used by a server.
.env:
	@printf '# Local development only (written by make). Servers take their settings from the environment.\nDEBUG=true\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "Wrote .env for local development (DEBUG on)."

$(VENV)/.installed-run: pyproject.toml $(VENV)/.created
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.created
	@PYTHON=$(PYTHON) scripts/system-deps test
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed-run

# axe-core, the accessibility checker the browser tests run on every page, pinned in package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# The translations (.po) are compiled to .mo here, not committed: see docs/decisions.md.
messages: $(VENV)/.installed-run
	$(EMBEDDED) $(PY) manage.py compilemessages --ignore .venv --ignore var

run: $(VENV)/.installed-run messages
	$(EMBEDDED) $(PY) manage.py migrate --noinput
	$(EMBEDDED) $(PY) manage.py load_demo --if-empty
	@echo ""
	@echo "NAP Tracker is starting on http://$(HOST):$(PORT)/ — press Ctrl+C to stop."
	$(EMBEDDED) $(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-test node_modules/.installed messages
	$(VENV)/bin/ruff check .
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

demo: $(VENV)/.installed-run
	$(EMBEDDED) $(PY) manage.py load_demo --reset

# One worker for both queues: reminders and e-mail ("default") and reports ("reports").
worker: $(VENV)/.installed-run
	$(PY) -m celery -A nap_tracker worker --queues=default,reports --loglevel=INFO

beat: $(VENV)/.installed-run
	$(PY) -m celery -A nap_tracker beat --loglevel=INFO --schedule=var/celerybeat-schedule

clean:
	rm -rf $(VENV) var *.egg-info node_modules
