# BetterOff: `make run` serves the portal with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTEST_ARGS ?= -n auto
export FLASK_APP := wsgi:app

.PHONY: run test fuzz lint install migrate seed system-run system-test serve-prod clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev,postgres,redis,prod]'
	touch $@

install: $(VENV)/.installed

# System libraries (README.md, "Two commands"): installed with apt-get where this machine can,
# otherwise the command stops with the exact line to run.
system-run:
	@$(PYTHON) scripts/system_packages.py run

system-test:
	@$(PYTHON) scripts/system_packages.py test

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask templates seed
	$(BIN)/flask seed-demo

run: system-run seed
	@echo "BetterOff on http://$(HOST):$(PORT)  (demo logins in README.md, password betteroff-demo)"
	$(BIN)/flask run --host $(HOST) --port $(PORT)

# axe-core for the accessibility audit in the browser tests (npm registry).
node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund --loglevel=error; \
	  else echo "warning: npm not found; the browser tests' accessibility audit needs axe-core (npm ci)."; fi

test: system-test install node_modules/.package-lock.json
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r portal -ll
	$(BIN)/pytest $(PYTEST_ARGS)

# schemathesis against the served OpenAPI document with a real token (scripts/api_fuzz.sh):
# FUZZ_EXAMPLES cases per operation, FUZZ_SECONDS at most. CI runs it after the suite.
fuzz: system-run install
	scripts/api_fuzz.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Production-like: gunicorn (gunicorn.conf.py) plus one RQ worker, against the PostgreSQL and
# Redis named by DATABASE_URL and REDIS_URL (README.md, "Production deployment"). Ctrl-C stops both.
serve-prod: install
	@test -n "$$DATABASE_URL" -a -n "$$REDIS_URL" || \
	  { echo "serve-prod needs DATABASE_URL and REDIS_URL (and SECRET_KEY with BETTEROFF_ENV=production); see README.md, Production deployment"; exit 2; }
	$(BIN)/flask db upgrade
	$(BIN)/flask rq worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
