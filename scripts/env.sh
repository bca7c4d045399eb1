# shellcheck shell=bash
# Sourced by the Makefile, scripts/*.sh and .ci/run: puts the project's own
# Python venv and JS tools (bun, node 22) first on PATH and sets what Reflex needs.
# Usage: source scripts/env.sh
PORTAL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PORTAL_ROOT
export PATH="$PORTAL_ROOT/.venv/bin:$PORTAL_ROOT/.tools/node_modules/.bin:$PATH"
export VIRTUAL_ENV="$PORTAL_ROOT/.venv"
# Reflex's own bun installer downloads from the web; use the npm-installed bun.
export REFLEX_USE_SYSTEM_BUN=1
# No phoning home.
export REFLEX_TELEMETRY_ENABLED=false
export TELEMETRY_ENABLED=false
export DO_NOT_TRACK=1
# Don't let reflex check PyPI for a newer version on every start.
export REFLEX_CHECK_LATEST_VERSION=false
export PYTHONUNBUFFERED=1
export PORTAL_PORT="${PORTAL_PORT:-3000}"
