#!/usr/bin/env bash
# Serve Portal in prod mode on ONE port ($PORTAL_PORT): the Reflex backend also
# serves the compiled frontend (REFLEX_MOUNT_FRONTEND_COMPILED_APP).
#
# `reflex run --env prod` recompiles and rebuilds the frontend (bun + vite) on
# every start. This script builds with `reflex export --frontend-only --no-zip`
# only when the inputs of the build changed (sources, lockfiles, public URL,
# reflex version), then starts the backend alone with the build mounted.
#
# Several backend workers (docs/operations.md): PORTAL_WORKERS=N starts N Granian
# worker processes on the same port. They share nothing in memory, so N > 1 needs
# PORTAL_REDIS_URL (Reflex then keeps every client's state, and which worker holds
# its socket, in Redis).
#
# --backend-only serves events and the HTTP routes (/health, /auth/*, /files/*) without
# building or mounting the frontend: for workers behind a proxy that serves the
# build from elsewhere, and for backend smoke tests.
#
# Usage: scripts/serve.sh [--build-only | --backend-only] [--force-build]
# Env:   PORTAL_PORT (3000), PORTAL_PUBLIC_URL (http://localhost:$PORTAL_PORT),
#        PORTAL_HOST (0.0.0.0), PORTAL_WEB_DIR (.web; relative to the repo root),
#        PORTAL_STATES_DIR (.states), PORTAL_WORKERS (1), PORTAL_REDIS_URL (none)
set -euo pipefail
# shellcheck source=scripts/env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$PORTAL_ROOT"

BUILD_ONLY=0
BACKEND_ONLY=0
FORCE=0
for arg in "$@"; do
    case "$arg" in
        --build-only) BUILD_ONLY=1 ;;
        --backend-only) BACKEND_ONLY=1 ;;
        --force-build) FORCE=1 ;;
        *) echo "serve: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

export PORTAL_PUBLIC_URL="${PORTAL_PUBLIC_URL:-http://localhost:$PORTAL_PORT}"
# The web dir is per source tree (inside it), and callers that run next to a
# `make run` (the e2e tests) pass their own, so no two builds share one.
export REFLEX_WEB_WORKDIR="${PORTAL_WEB_DIR:-.web}"
export REFLEX_STATES_WORKDIR="${PORTAL_STATES_DIR:-.states}"
HOST="${PORTAL_HOST:-0.0.0.0}"
STAMP="$REFLEX_WEB_WORKDIR/.portal-build-key"

WORKERS="${PORTAL_WORKERS:-1}"
if ! [[ "$WORKERS" =~ ^[1-9][0-9]*$ ]]; then
    echo "serve: PORTAL_WORKERS must be a whole number >= 1, got '$WORKERS'" >&2
    exit 2
fi
if [[ "$WORKERS" -gt 1 && -z "${PORTAL_REDIS_URL:-}" ]]; then
    echo "serve: PORTAL_WORKERS=$WORKERS needs PORTAL_REDIS_URL (each worker would keep its own state)" >&2
    exit 2
fi

say() { printf '[serve] %s\n' "$*"; }

build_key() {
    {
        echo "public_url=$PORTAL_PUBLIC_URL port=$PORTAL_PORT"
        python -c 'import importlib.metadata as m; print("reflex", m.version("reflex"))'
        local inputs=()
        for p in rxconfig.py pyproject.toml portal_app assets reflex.lock; do
            [[ -e "$p" ]] && inputs+=("$p")
        done
        find "${inputs[@]}" -type f -not -path '*/__pycache__/*' -not -name '*.pyc' -print0 \
            | sort -z | xargs -0 -r sha256sum
    } | sha256sum | cut -d' ' -f1
}

if [[ "$BACKEND_ONLY" == 0 ]]; then
    mkdir -p "$(dirname "$REFLEX_WEB_WORKDIR")"
    # Serialise builds that share a web dir (two test sessions, make run + make test).
    exec 9>"${REFLEX_WEB_WORKDIR%/}.build-lock"
    flock 9
    key="$(build_key)"
    if [[ "$FORCE" == 0 && -f "$STAMP" && "$(cat "$STAMP")" == "$key" \
          && -f "$REFLEX_WEB_WORKDIR/build/client/index.html" ]]; then
        say "frontend build is up to date ($REFLEX_WEB_WORKDIR)"
    else
        say "building frontend into $REFLEX_WEB_WORKDIR for $PORTAL_PUBLIC_URL (first build takes a few minutes)"
        started=$SECONDS
        rm -f "$STAMP"
        reflex export --frontend-only --no-zip --env prod --loglevel warning
        # Key taken after the build: the first build writes reflex.lock/, an input.
        build_key > "$STAMP"
        say "frontend built in $((SECONDS - started)) s"
    fi
    flock -u 9
    exec 9>&-
fi

[[ "$BUILD_ONLY" == 1 ]] && exit 0

# Reflex serves prod with Granian; GRANIAN_WORKERS overrides its own guess (1 without
# Redis, 2 x cores + 1 up to 8 with it), so the count is always what PORTAL_WORKERS says.
export REFLEX_USE_GRANIAN=true
export GRANIAN_WORKERS="$WORKERS"
state="in-memory state"
[[ -n "${PORTAL_REDIS_URL:-}" ]] && state="state in Redis"
say "Portal: $PORTAL_PUBLIC_URL (listening on $HOST:$PORTAL_PORT, $WORKERS worker(s), $state)"
exec python -c '
import os, sys
from reflex_base import constants
from reflex_base.config import get_config
from reflex_base.environment import environment
from reflex.istate.manager import reset_disk_state_manager
from reflex.utils import exec as rx_exec

environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
environment.REFLEX_SKIP_COMPILE.set(True)  # the build above is the compiled app
reset_disk_state_manager()
config = get_config()
rx_exec.run_backend_prod(
    sys.argv[1], int(sys.argv[2]), config.loglevel.subprocess_level(),
    mount_frontend_compiled_app=sys.argv[3] == "1",
)
' "$HOST" "$PORTAL_PORT" "$((1 - BACKEND_ONLY))"
