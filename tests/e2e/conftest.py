"""Browser-test harness: one prod build of the real app per test session.

Fixtures
- ``smtp_server`` (session): in-process SMTP server collecting mail
  (tests.support.smtp.SmtpCapture: ``.messages``, ``.wait_for(to=, subject=, timeout=)``).
- ``portal_server`` (session): migrates a throw-away database and serves the app
  with scripts/serve.sh on a free port; ``.url``, ``.data_dir``, ``.env``,
  ``.database_url``, ``.log_path``.
- ``base_url``: pytest-playwright's base URL = ``portal_server.url``, so
  ``page.goto("/login")`` works.
- autouse ``_portal_env``: around every e2e test this process has the server's
  PORTAL_DATABASE_URL / PORTAL_DATA_DIR / ... in os.environ and
  ``portal_app.config.reload_settings()`` + ``portal_app.db.reset_engine()`` are
  called, so tests can prepare data with portal_app services on the same DB.
  portal_app.config reads env lazily (``get_settings()``), so importing
  portal_app at module level is fine; outside e2e tests use
  ``tests.e2e.support.server_env(server)``.

Extra server env: override the session fixture ``portal_server_extra_env``
(a dict) in a conftest, or set PORTAL_E2E_ENV_<NAME>=value in the environment
(passed to the server as <NAME>=value).

Env knobs: PORTAL_E2E_PORT (fixed port), PORTAL_E2E_START_TIMEOUT (s, default 240),
PORTAL_E2E_BUILD_TIMEOUT (s, default 900), PORTAL_E2E_WEB_DIR (another build folder, so
several runs in one checkout do not share one).

Modes (PORTAL_TEST_MODE): ``single`` (default) serves one worker on SQLite with
in-memory state; ``scale`` serves the same build with 2 workers on a throwaway
PostgreSQL database and a throwaway Redis (tests/support/engines.py), the test process
using that database too. The fixture ``portal_mode`` says which.

Tests marked ``own_server`` start their own server (tests/e2e/server.py) and skip the
session one.

The frontend build lives in .web-e2e/ (.web-e2e-scale/ in scale mode; not .web/, which
`make run` uses), so both modes can run at once, and is reused between sessions when
sources are unchanged; because the public URL is baked into the build, the server
prefers a stable port per checkout and mode.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sys
import zlib
from pathlib import Path

import pytest

from tests.e2e.server import ROOT, free_port, make_server, start_portal, stop_portal
from tests.e2e.support import server_env
from tests.support.smtp import SmtpCapture

E2E_DIR = Path(__file__).resolve().parent
# One build folder per mode, so both modes can run at once (make test runs them side
# by side); each bakes its own port into its build.
WEB_DIRS = {"single": ".web-e2e", "scale": ".web-e2e-scale"}
CHROMIUM = os.environ.get("PORTAL_E2E_CHROMIUM", "/usr/bin/chromium")
MODES = tuple(WEB_DIRS)
SCALE_WORKERS = 2
SCALE_REDIS_DB = 1  # redis_url (unit tests) uses db 0 of the same throwaway server


# --------------------------------------------------------------------------- markers
def pytest_configure(config):
    config.addinivalue_line(
        "markers", "own_server: starts its own portal instead of the session's portal_server"
    )


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


# --------------------------------------------------------------------------- helpers
def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _web_dir(mode: str) -> str:
    return os.environ.get("PORTAL_E2E_WEB_DIR") or WEB_DIRS[mode]


def _pick_port(mode: str) -> int:
    if os.environ.get("PORTAL_E2E_PORT"):
        return int(os.environ["PORTAL_E2E_PORT"])
    # The public URL (with its port) is compiled into the frontend, so a stable
    # port per checkout, mode and build folder lets the next session reuse the build.
    stable = 21000 + zlib.crc32(f"{ROOT}:{mode}:{_web_dir(mode)}".encode()) % 8000
    if _port_free(stable):
        return stable
    return free_port()


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def smtp_server():
    with SmtpCapture() as smtp:
        yield smtp


@pytest.fixture(scope="session")
def portal_server_extra_env() -> dict[str, str]:
    """Extra environment for the server process; override in a conftest."""
    prefix = "PORTAL_E2E_ENV_"
    return {k[len(prefix) :]: v for k, v in os.environ.items() if k.startswith(prefix)}


@pytest.fixture(scope="session")
def portal_mode() -> str:
    mode = os.environ.get("PORTAL_TEST_MODE", "single") or "single"
    if mode not in MODES:
        pytest.exit(f"PORTAL_TEST_MODE must be one of {', '.join(MODES)}, not {mode!r}", 2)
    return mode


@pytest.fixture(scope="session")
def portal_backends(request, portal_mode) -> dict[str, str]:
    """The server's database, Redis and worker settings for the mode ({} = the defaults:
    SQLite in its data folder, in-memory state, one worker)."""
    if portal_mode == "single":
        return {}
    postgres = request.getfixturevalue("postgres_server")
    redis = request.getfixturevalue("redis_server")
    return {
        "PORTAL_DATABASE_URL": postgres.create_database(),
        "PORTAL_REDIS_URL": f"redis://{redis.host}:{redis.port}/{SCALE_REDIS_DB}",
        "PORTAL_WORKERS": str(SCALE_WORKERS),
    }


@pytest.fixture(scope="session")
def portal_server(
    request, tmp_path_factory, smtp_server, portal_mode, portal_backends, portal_server_extra_env
):
    data_dir = tmp_path_factory.mktemp("portal-data")
    extra = {
        "PORTAL_SMTP_HOST": smtp_server.host,
        "PORTAL_SMTP_PORT": str(smtp_server.port),
        **portal_backends,
        **portal_server_extra_env,
    }
    server = make_server(_pick_port(portal_mode), data_dir, extra, web_dir=_web_dir(portal_mode))
    try:
        start_portal(server)
        print(f"[portal_server] up at {server.url} (log: {server.log_path})", file=sys.stderr)
        yield server
    finally:
        stop_portal(server)
        if request.session.testsfailed:
            print(f"\n[portal_server] server log tail ({server.log_path}):\n{server.log_tail()}")


@pytest.fixture(autouse=True)
def _close_leftover_contexts(request):
    """Close every browser context a test left open (also when it failed): an open tab
    of the portal keeps its socket and its live watcher on the one session server, and
    many of them slowed later tests until page loads timed out."""
    if "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    before = set(browser.contexts)
    yield
    for context in browser.contexts:
        if context not in before:
            # It may already be closing with its browser.
            with contextlib.suppress(Exception):
                context.close()


@pytest.fixture(autouse=True)
def _portal_env(request):
    """Point this process at the server's DB around each e2e test (see module doc).
    Mail queued by the test itself signals the server's delivery worker, through the
    same queue (the server's data folder)."""
    if request.node.get_closest_marker("own_server"):
        yield
        return
    from portal_app import worker
    from portal_app.services import mail

    with server_env(request.getfixturevalue("portal_server")):
        mail.on_queued(worker.signal_delivery)
        try:
            yield
        finally:
            mail.forget_hook(worker.signal_delivery)


@pytest.fixture(scope="session")
def base_url(portal_server) -> str:
    return portal_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def admin_account(portal_server):
    """The first administrator (what `portal create-admin` makes on a real install)."""
    from portal_app.services import people
    from tests.e2e.support_world import ADMIN_EMAIL, ADMIN_PASSWORD

    with server_env(portal_server):
        people.create_admin(ADMIN_EMAIL, ADMIN_PASSWORD, "Olivia Owner")
    return ADMIN_EMAIL, ADMIN_PASSWORD
