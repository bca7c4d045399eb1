#!/usr/bin/env bash
# Idempotent project set-up: .venv (Python 3.11 + the package with its [test]
# extra), .tools (bun and Node 22 from the npm registry) and, with
# --with-browser, what the tests need from Debian: Chromium for the browser tests,
# and the PostgreSQL and Redis server binaries the tests start their own throwaway
# servers from (tests/support/engines.py; the machine's running services are never
# used). --with-engines installs only the latter.
# Each step is skipped when its stamp matches its inputs, so a second run is fast.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

BUN_VERSION="1.4.4"
NODE_SPEC="22"
WITH_BROWSER=0
WITH_ENGINES=0
for arg in "$@"; do
    case "$arg" in
        --with-browser) WITH_BROWSER=1; WITH_ENGINES=1 ;;
        --with-engines) WITH_ENGINES=1 ;;
        -h|--help) echo "usage: scripts/bootstrap.sh [--with-browser] [--with-engines]"; exit 0 ;;
        *) echo "bootstrap: unknown argument: $arg" >&2; exit 2 ;;
    esac
done

say() { printf '[bootstrap] %s\n' "$*"; }

APT_UPDATED=0
apt_install() {
    local sudo=""
    [[ "$(id -u)" == 0 ]] || sudo="sudo"
    if [[ "$APT_UPDATED" == 0 ]]; then
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        APT_UPDATED=1
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -d' ' -f1; }

# --- Python ------------------------------------------------------------------
PY="${PORTAL_PYTHON:-}"
if [[ -z "$PY" ]]; then
    for cand in python3.11 python3; do
        if command -v "$cand" >/dev/null 2>&1 \
            && "$cand" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)'; then
            PY="$cand"; break
        fi
    done
fi
[[ -n "$PY" ]] || { echo "bootstrap: need Python 3.11 or 3.12 on PATH" >&2; exit 1; }

PY_STAMP=".venv/.portal-stamp"
py_key="$(printf '%s\n%s\n' "$(hash_of pyproject.toml examples/*/pyproject.toml)" "$("$PY" -c 'import sys; print(sys.version)')" | sha256sum | cut -d' ' -f1)"
if [[ -x .venv/bin/python && -f "$PY_STAMP" && "$(cat "$PY_STAMP")" == "$py_key" ]]; then
    say "python deps: up to date"
else
    if [[ ! -x .venv/bin/python ]]; then
        say "creating .venv with $("$PY" --version 2>&1)"
        "$PY" -m venv .venv
    fi
    say "installing python deps (pip install -e '.[test]' and the example widget plugins)"
    log=".venv/pip-install.log"
    if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip \
           && .venv/bin/python -m pip install --disable-pip-version-check -e '.[test]' \
           && .venv/bin/python -m pip install --disable-pip-version-check --no-deps \
                -e examples/callout-widget -e examples/checklist-widget; } >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "bootstrap: pip install failed (full log: $log)" >&2
        exit 1
    fi
    echo "$py_key" > "$PY_STAMP"
    say "python deps: installed"
fi

# --- JS tools: bun + node 22 from the npm registry -----------------------------
TOOLS_STAMP=".tools/.portal-stamp"
tools_key="bun@${BUN_VERSION} node@${NODE_SPEC}"
if [[ -x .tools/node_modules/.bin/bun && -x .tools/node_modules/.bin/node \
      && -f "$TOOLS_STAMP" && "$(cat "$TOOLS_STAMP")" == "$tools_key" ]]; then
    say "bun/node: up to date"
else
    command -v npm >/dev/null 2>&1 || { echo "bootstrap: npm is required to fetch bun and node" >&2; exit 1; }
    say "installing bun@${BUN_VERSION} and node@${NODE_SPEC} into .tools/"
    mkdir -p .tools
    if ! npm install --prefix .tools --no-audit --no-fund --loglevel=error \
        "bun@${BUN_VERSION}" "node@${NODE_SPEC}" >.tools/npm-install.log 2>&1; then
        tail -n 40 .tools/npm-install.log >&2
        echo "bootstrap: npm install of bun/node failed" >&2
        exit 1
    fi
    echo "$tools_key" > "$TOOLS_STAMP"
    say "bun $(.tools/node_modules/.bin/bun --version), node $(.tools/node_modules/.bin/node --version)"
fi

# --- Chromium for the browser tests --------------------------------------------
if [[ "$WITH_BROWSER" == 1 ]]; then
    if [[ -x /usr/bin/chromium ]]; then
        say "chromium: present"
    else
        say "installing chromium (apt-get)"
        apt_install chromium
        say "chromium: installed"
    fi
fi

# --- PostgreSQL and Redis server binaries for the tests ---------------------------
# Found the way tests/support/engines.py looks for them.
have_postgres() {
    local dir
    dir="$(pg_config --bindir 2>/dev/null || true)"
    [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]] && return 0
    for dir in /usr/lib/postgresql/*/bin; do
        [[ -x "$dir/initdb" && -x "$dir/pg_ctl" && -x "$dir/postgres" ]] && return 0
    done
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1 \
        && command -v postgres >/dev/null 2>&1
}
if [[ "$WITH_ENGINES" == 1 ]]; then
    missing=()
    have_postgres || missing+=(postgresql)
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    if [[ ${#missing[@]} -eq 0 ]]; then
        say "postgresql, redis-server: present"
    else
        say "installing ${missing[*]} (apt-get)"
        apt_install "${missing[@]}"
        say "${missing[*]}: installed"
    fi
fi

say "ready (source scripts/env.sh to use .venv and .tools)"
