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
PORTAL_E2E_BUILD_TIMEOUT (s, default 900).

The frontend build lives in .web-e2e/ (not .web/, which `make run` uses) and is
reused between sessions when sources are unchanged; because the public URL is
baked into the build, the server prefers a stable per-checkout port.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.e2e.support import server_env
from tests.support.smtp import SmtpCapture

ROOT = Path(__file__).resolve().parents[2]
E2E_DIR = Path(__file__).resolve().parent
WEB_DIR = ".web-e2e"
CHROMIUM = os.environ.get("PORTAL_E2E_CHROMIUM", "/usr/bin/chromium")
# Vars copied into the test process around each e2e test.
_TEST_PROCESS_VARS = (
    "PORTAL_PORT",
    "PORTAL_PUBLIC_URL",
    "PORTAL_DATA_DIR",
    "PORTAL_DATABASE_URL",
    "PORTAL_SMTP_HOST",
    "PORTAL_SMTP_PORT",
)


# --------------------------------------------------------------------------- markers
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


def _pick_port() -> int:
    if os.environ.get("PORTAL_E2E_PORT"):
        return int(os.environ["PORTAL_E2E_PORT"])
    # The public URL (with its port) is compiled into the frontend, so a stable
    # port per checkout lets the next session reuse the build.
    stable = 21000 + zlib.crc32(str(ROOT).encode()) % 8000
    if _port_free(stable):
        return stable
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _portal_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "portal"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("portal")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from portal_app.cli import main; sys.exit(main())"]


def _tail(path: Path, lines: int = 80) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _tool_env(env: dict[str, str]) -> dict[str, str]:
    """PATH with the project's .venv and .tools first, as scripts/env.sh does."""
    env = dict(env)
    env["PATH"] = os.pathsep.join(
        [str(ROOT / ".venv" / "bin"), str(ROOT / ".tools" / "node_modules" / ".bin"), env["PATH"]]
    )
    env.setdefault("REFLEX_USE_SYSTEM_BUN", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


@dataclass
class PortalServer:
    url: str
    port: int
    data_dir: Path
    database_url: str
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None
    env_for_tests: dict[str, str] = field(default_factory=dict)

    def log_tail(self, lines: int = 80) -> str:
        return _tail(self.log_path, lines)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


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
def portal_server(request, tmp_path_factory, smtp_server, portal_server_extra_env):
    port = _pick_port()
    url = f"http://localhost:{port}"
    data_dir = tmp_path_factory.mktemp("portal-data")
    db_url = f"sqlite:///{data_dir / 'portal.db'}"
    env_for_tests = {
        "PORTAL_PORT": str(port),
        "PORTAL_PUBLIC_URL": url,
        "PORTAL_DATA_DIR": str(data_dir),
        "PORTAL_DATABASE_URL": db_url,
        "PORTAL_SMTP_HOST": smtp_server.host,
        "PORTAL_SMTP_PORT": str(smtp_server.port),
    }
    env = _tool_env(os.environ)
    env.update(env_for_tests)
    env.update(
        {
            "PORTAL_HOST": "127.0.0.1",
            "PORTAL_WEB_DIR": WEB_DIR,
            "PORTAL_STATES_DIR": str(data_dir / "states"),
        }
    )
    env.update(portal_server_extra_env)
    log_path = data_dir / "server.log"
    server = PortalServer(
        url=url,
        port=port,
        data_dir=data_dir,
        database_url=db_url,
        env=env,
        log_path=log_path,
        env_for_tests={k: env[k] for k in _TEST_PROCESS_VARS},
    )

    # 1. Database schema.
    mig = subprocess.run(
        [*_portal_cmd(), "migrate"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if mig.returncode != 0:
        pytest.fail(f"`portal migrate` failed ({mig.returncode}):\n{mig.stdout}\n{mig.stderr}")

    # 2. Frontend build (skipped by serve.sh when nothing changed).
    build_timeout = float(os.environ.get("PORTAL_E2E_BUILD_TIMEOUT", "900"))
    with log_path.open("ab") as log:
        t0 = time.monotonic()
        build = subprocess.run(
            ["bash", str(ROOT / "scripts" / "serve.sh"), "--build-only"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=build_timeout,
        )
    if build.returncode != 0:
        pytest.fail(f"frontend build failed ({build.returncode}); log tail:\n{_tail(log_path)}")
    print(f"\n[portal_server] build step {time.monotonic() - t0:.1f}s", file=sys.stderr)

    # 3. Serve, in its own process group so teardown can stop every worker.
    log = log_path.open("ab")
    proc = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "serve.sh")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    server.process = proc
    try:
        _wait_until_up(server, float(os.environ.get("PORTAL_E2E_START_TIMEOUT", "240")))
        print(f"[portal_server] up at {url} (log: {log_path})", file=sys.stderr)
        yield server
    finally:
        _stop(proc)
        log.close()
        if request.session.testsfailed:
            print(f"\n[portal_server] server log tail ({log_path}):\n{_tail(log_path)}")


def _wait_until_up(server: PortalServer, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        if server.process is not None and server.process.poll() is not None:
            pytest.fail(
                f"server exited with {server.process.returncode} before answering;"
                f" log tail:\n{server.log_tail()}"
            )
        try:
            ping = httpx.get(f"{server.url}/ping", timeout=2)
            page = httpx.get(f"{server.url}/", timeout=5)
            if ping.status_code == 200 and page.status_code == 200:
                return
            last = f"/ping {ping.status_code}, / {page.status_code}"
        except httpx.HTTPError as exc:
            last = repr(exc)
        time.sleep(0.25)
    if server.process is not None:
        _stop(server.process)
    pytest.fail(f"server not up after {timeout:.0f}s ({last}); log tail:\n{server.log_tail()}")


@pytest.fixture(autouse=True)
def _portal_env(portal_server):
    """Point this process at the server's DB around each e2e test (see module doc).
    Mail queued by the test itself signals the server's delivery worker, through the
    same queue (the server's data folder)."""
    from portal_app import worker
    from portal_app.services import mail

    with server_env(portal_server):
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
