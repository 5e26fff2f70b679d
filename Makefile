# Everything the README's two commands need, from a fresh Debian machine onwards.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
WORKERS ?= 2
JOB_WORKERS ?= 2
FLASK := $(BIN)/flask --app wsgi
PO := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)
ROOT_USER := $(shell [ "$$(id -u)" = 0 ] && echo yes)

.PHONY: run worker test bench setup db demo-logins system-deps browser-deps bench-deps translations extract-messages update-catalogs clean

## make run: set up, create or upgrade the database, load demo data once, serve on 127.0.0.1:$(PORT)
## with the job worker (scheduled and background work) beside gunicorn; Ctrl-C stops both.
run: setup db
	@$(MAKE) --no-print-directory demo-logins
	@echo "Serving on http://127.0.0.1:$(PORT), job worker beside it  (Ctrl-C stops both)"
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/huey_consumer portal.worker.queue --workers $(JOB_WORKERS) & worker=$$!; \
	$(BIN)/gunicorn --workers $(WORKERS) --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

## make worker: the job worker alone (production runs it as its own service; see the README)
worker: setup
	exec $(BIN)/huey_consumer portal.worker.queue --workers $(JOB_WORKERS)

## make test: set up, install what the browser tests need, run the whole suite
test: setup browser-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## make bench: fill a fresh database with a tier of data (TIER=demo|M|L, default M; DATABASE_URL as
## everywhere), serve it with gunicorn and measure every list, search and page: bench/results.md.
bench: setup bench-deps
	$(BIN)/python bench/run.py --tier $(or $(TIER),M)

setup: system-deps $(BIN)/.installed static/vendor/htmx.min.js $(MO)

system-deps:
	@missing=""; \
	$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || missing="$$missing python3-venv"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  if [ -n "$(ROOT_USER)" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Missing Debian packages:$$missing. Install them as root: apt-get install$$missing" >&2; exit 1; fi; \
	fi

browser-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  if [ -n "$(ROOT_USER)" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "The browser tests need the Debian packages:$$missing. Install them as root: apt-get install$$missing" >&2; exit 1; fi; \
	fi

bench-deps:
	@if ! command -v wrk >/dev/null; then \
	  if [ -n "$(ROOT_USER)" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; \
	  else echo "The bench needs the Debian package wrk. Install it as root: apt-get install wrk" >&2; exit 1; fi; \
	fi

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# htmx comes from the npm registry (pinned in package.json / package-lock.json), never a CDN.
static/vendor/htmx.min.js: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js $@

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -d translations -l $* -i $< -o $@

translations: $(MO)

## After changing marked strings: extract them and merge them into both catalogs.
extract-messages: $(BIN)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o translations/messages.pot .

update-catalogs: extract-messages
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

db: setup
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	$(FLASK) visits refresh-cadence --missing

demo-logins:
	@$(FLASK) demo logins

clean:
	rm -rf $(VENV) node_modules static/vendor $(MO)
