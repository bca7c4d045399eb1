# Portal — common tasks. Everything it needs is installed by scripts/bootstrap.sh
# into .venv/ and .tools/ (no global installs except Debian chromium for tests).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PORTAL_PORT ?= 3000
export PORTAL_PORT
ENV := source scripts/env.sh &&

.PHONY: help bootstrap run build test check format bench clean

help:
	@echo "make run     - set up, migrate, create the first admin, serve on http://localhost:$(PORTAL_PORT)"
	@echo "make test    - set up (with chromium), ruff check, lint-imports, pytest tests/"
	@echo "make check   - ruff format --check + ruff check"
	@echo "make format  - ruff format + ruff check --fix"
	@echo "make bench   - run every bench/*.py"
	@echo "make clean   - remove build output and caches (keeps .venv/.tools; see clean-all)"

bootstrap:
	@bash scripts/bootstrap.sh

run: bootstrap
	@$(ENV) portal migrate
	@$(ENV) portal create-admin --if-missing
	@$(ENV) echo "[run] Portal will be at $${PORTAL_PUBLIC_URL:-http://localhost:$$PORTAL_PORT}"
	@$(ENV) exec bash scripts/serve.sh

# Build the frontend only (what `run` does before serving, when sources changed).
build: bootstrap
	@$(ENV) bash scripts/serve.sh --build-only

LINT_DIRS = $(wildcard portal_app tests bench)

test:
	@bash scripts/bootstrap.sh --with-browser
	@$(ENV) if [ -n "$(LINT_DIRS)" ]; then ruff check $(LINT_DIRS); fi
	@$(ENV) lint-imports
	@$(ENV) rc=0; pytest tests/ || rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; \
	  exit $$rc

check: bootstrap
	@$(ENV) ruff format --check .
	@$(ENV) ruff check .

format: bootstrap
	@$(ENV) ruff format .
	@$(ENV) ruff check --fix .

bench: bootstrap
	@$(ENV) shopt -s nullglob; scripts=(bench/*.py); \
	  if [ $${#scripts[@]} -eq 0 ]; then echo "no bench/*.py scripts"; exit 0; fi; \
	  for s in "$${scripts[@]}"; do echo "== $$s"; python "$$s"; done

clean:
	rm -rf .web .web-* .states test-results tests/e2e/screenshots build dist *.egg-info
	find . -name __pycache__ -type d -not -path './.venv/*' -not -path './.tools/*' -prune -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache

clean-all: clean
	rm -rf .venv .tools
