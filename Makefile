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
	@echo "make test    - set up (with chromium), ruff check, lint-imports, pytest tests/, and at the"
	@echo "              same time the browser, access and isolation tests on PostgreSQL + Redis + 2 workers"
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
# What runs again in scale mode (PostgreSQL, Redis, 2 backend workers): the browser
# tests and the access and isolation tests (portal_db is a PostgreSQL database there).
# The migration tests run on SQLite and PostgreSQL in single mode already. Left to
# single mode, to keep make test short:
# the suites that exercise layers no engine changes (HTTP parsing and fuzzing, uploads
# streamed to the local folder, text shown in the browser, the event socket's door,
# sign-in throttling over HTTP), the fault tests (they start their own single server)
# and the scale-out smoke test (it starts its own scale server in single mode already).
SCALE_TESTS = tests/e2e tests/unit/test_access.py tests/security
SCALE_SKIP = $(addprefix --deselect ,tests/e2e/test_scale_out_smoke.py \
  tests/e2e/test_route_fuzz.py tests/e2e/test_faults.py tests/e2e/test_hostile_uploads.py \
  tests/e2e/test_brute_force_http.py tests/e2e/test_hostile_text_in_the_browser.py \
  tests/security/test_event_guard.py)

# The two modes run side by side: the browser tests mostly wait (on the browser, the
# socket, the mail), so two pytest processes share the 2 cores well; each mode has its
# own server, port, build folder (.web-e2e, .web-e2e-scale), database and Redis.
# Scale mode's output goes to a temporary file (pytest-playwright empties test-results/
# when a session starts) and is printed after single mode's.
test:
	@bash scripts/bootstrap.sh --with-browser
	@$(ENV) if [ -n "$(LINT_DIRS)" ]; then ruff check $(LINT_DIRS); fi
	@$(ENV) lint-imports
	@$(ENV) single=0; scale=0; scale_log=$$(mktemp -d)/scale-mode.log; \
	  t0=$$(date +%s); \
	  echo "==== make test: both modes at once; scale mode's output follows single mode's"; \
	  ( PORTAL_TEST_MODE=scale pytest --durations=15 $(SCALE_TESTS) $(SCALE_SKIP) > $$scale_log 2>&1 \
	      && echo 0 > $$scale_log.exit || echo $$? > $$scale_log.exit; \
	    date +%s > $$scale_log.end ) & scale_pid=$$!; \
	  echo "==== make test [1/2] single mode: SQLite, in-memory state, 1 worker: pytest tests/"; \
	  pytest --durations=15 tests/ || single=$$?; \
	  t1=$$(date +%s); \
	  echo "==== make test [1/2] single mode: $$((t1 - t0)) s, exit $$single"; \
	  wait $$scale_pid || true; \
	  scale=$$(cat $$scale_log.exit 2>/dev/null || echo 1); t2=$$(cat $$scale_log.end 2>/dev/null || date +%s); \
	  echo "==== make test [2/2] scale mode: PostgreSQL, Redis, 2 workers: pytest $(SCALE_TESTS)"; \
	  cat $$scale_log; \
	  echo "==== make test [2/2] scale mode: $$((t2 - t0)) s, exit $$scale"; \
	  t3=$$(date +%s); \
	  echo "==== make test: single mode $$((t1 - t0)) s (exit $$single), scale mode $$((t2 - t0)) s (exit $$scale), both started together, wall $$((t3 - t0)) s"; \
	  if [ $$single -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; \
	  if [ $$scale -eq 5 ]; then echo "scale mode collected no tests: failing" >&2; exit 1; fi; \
	  [ $$single -eq 0 ] && [ $$scale -eq 0 ]

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
