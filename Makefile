# ecourt: `make run` serves a working court on http://127.0.0.1:8000; `make test` runs everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
MO := ecourt/locale/zh_Hans/LC_MESSAGES/django.mo
PO := ecourt/locale/zh_Hans/LC_MESSAGES/django.po

.PHONY: help run test lint bench clean sysdeps messages makemessages

help:
	@echo "make run    - install, migrate, load demo data, serve on http://127.0.0.1:8000 with the worker"
	@echo "make test   - the whole test suite, browser tests included"
	@echo "make lint   - ruff check, ruff format --check, mypy"
	@echo "make bench  - benchmarks under bench/ (ratios against an in-run baseline)"
	@echo "make clean  - remove .venv, var/ and caches"

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ecourt needs Python 3.11 or newer; found " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $@

# System packages: gettext (translations), Noto CJK fonts (PDFs), Chromium (browser tests).
sysdeps:
	@bash scripts/sysdeps.sh

# msgfmt directly: compiling needs no Django settings (and so no secret key).
$(MO): $(PO)
	@command -v msgfmt >/dev/null || bash scripts/sysdeps.sh gettext
	msgfmt --check -o $@ $<

messages: $(MO)

makemessages: $(STAMP)
	cd ecourt && ECOURT_DEBUG=1 ../$(BIN)/python ../manage.py makemessages --locale zh_Hans --no-obsolete --add-location file --ignore "*/tests/*"

run: $(STAMP) messages
	@bash scripts/sysdeps.sh gettext fonts
	ECOURT_DEBUG=$${ECOURT_DEBUG:-1} $(BIN)/ecourt evidence keygen --name localhost/evidence --write "$${ECOURT_VAR_DIR:-var}/evidence-log.key" --if-missing
	ECOURT_DEBUG=$${ECOURT_DEBUG:-1} $(BIN)/ecourt documents sealgen --if-missing
	ECOURT_DEBUG=$${ECOURT_DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	ECOURT_DEBUG=$${ECOURT_DEBUG:-1} $(BIN)/ecourt demo
	@echo ""
	@echo "ecourt is starting on http://127.0.0.1:8000  (Ctrl-C stops the server and the worker)"
	ECOURT_DEBUG=$${ECOURT_DEBUG:-1} ECOURT_PAYMENT_PROVIDER=$${ECOURT_PAYMENT_PROVIDER:-sandbox} exec $(BIN)/ecourt serve

# Test-only front-end tools (axe-core for the accessibility checks), from the npm registry.
node_modules/.installed: package.json package-lock.json
	@bash scripts/sysdeps.sh node
	npm ci --no-audit --no-fund --silent
	@touch $@

test: $(STAMP) messages node_modules/.installed
	@bash scripts/sysdeps.sh gettext fonts chromium
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP) messages
	$(BIN)/python bench/run.py
	$(BIN)/python bench/filing.py $(BENCH_ARGS)
	$(BIN)/python bench/evidence.py $(EVIDENCE_BENCH_ARGS)
	$(BIN)/python bench/evidence_upload.py $(UPLOAD_BENCH_ARGS)
	$(BIN)/python bench/delivery.py $(DELIVERY_BENCH_ARGS)
	$(BIN)/python bench/documents.py $(DOCUMENTS_BENCH_ARGS)
	$(BIN)/python bench/stats.py $(STATS_BENCH_ARGS)

clean:
	rm -rf $(VENV) var node_modules .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
