# ipfin — the two commands: `make demo` (platform up with demo data on SQLite) and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
IPFIN := $(BIN)/ipfin
HOST ?= 127.0.0.1:8000
PYTEST_WORKERS ?= auto

.PHONY: install demo serve test test-browser test-all lint typecheck bench messages clean

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

demo: install
	@mkdir -p var
	$(IPFIN) init
	$(IPFIN) demo-data --seed 42
	$(BIN)/python manage.py collectstatic --noinput -v 0
	@$(IPFIN) demo-data --logins
	@echo "ipfin is starting on http://$(HOST)/  (Ctrl-C to stop)"
	$(BIN)/python manage.py runserver $(HOST) --insecure

serve: install
	$(BIN)/python manage.py runserver $(HOST) --insecure

# The default suite: domain, database and API tests (browser tests have their own target).
test: install
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not browser"

test-browser: install
	$(BIN)/pytest -m browser -p no:xdist -rs

test-all: test test-browser

lint: install
	$(BIN)/ruff check ipfin config benchmarks tests

typecheck: install
	$(BIN)/mypy ipfin config

bench: install
	$(BIN)/python -m benchmarks.run $(BENCH)  # BENCH=origination runs one benchmark, keeping the others

messages: install
	cd ipfin && ../$(BIN)/python ../manage.py makemessages -l zh_Hans -l en --no-obsolete && ../$(BIN)/python ../manage.py compilemessages

clean:
	rm -rf var/ipfin.sqlite3* var/staticfiles
