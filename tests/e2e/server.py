"""Start and stop the real portal through scripts/serve.sh (used by the e2e conftest and
the scale-out smoke test).

``start_portal`` migrates the database with ``portal migrate``, builds the frontend
(unless ``backend_only``; serve.sh skips an up-to-date build) and serves in its own
process group, waiting until it answers. ``stop_portal`` ends that group.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / "scripts" / "serve.sh"
# Vars copied into the test process around each e2e test.
TEST_PROCESS_VARS = (
    "PORTAL_PORT",
    "PORTAL_PUBLIC_URL",
    "PORTAL_DATA_DIR",
    "PORTAL_DATABASE_URL",
    # Scale mode: the test process signals mail and bumps live topics where the
    # server's workers look (Redis), as any worker would.
    "PORTAL_REDIS_URL",
    "PORTAL_SMTP_HOST",
    "PORTAL_SMTP_PORT",
)


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
        return tail(self.log_path, lines)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def portal_cmd() -> list[str]:
    exe = Path(sys.executable).parent / "portal"
    if exe.exists():
        return [str(exe)]
    found = shutil.which("portal")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from portal_app.cli import main; sys.exit(main())"]


def tail(path: Path, lines: int = 80) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def tool_env(env: dict[str, str]) -> dict[str, str]:
    """PATH with the project's .venv and .tools first, as scripts/env.sh does."""
    env = dict(env)
    env["PATH"] = os.pathsep.join(
        [str(ROOT / ".venv" / "bin"), str(ROOT / ".tools" / "node_modules" / ".bin"), env["PATH"]]
    )
    env.setdefault("REFLEX_USE_SYSTEM_BUN", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def make_server(
    port: int, data_dir: Path, extra_env: dict[str, str], web_dir: str = ".web-e2e"
) -> PortalServer:
    """The server's settings: SQLite in ``data_dir`` unless ``extra_env`` names a database."""
    url = f"http://localhost:{port}"
    env = tool_env(os.environ)
    env.update(
        {
            "PORTAL_PORT": str(port),
            "PORTAL_PUBLIC_URL": url,
            "PORTAL_DATA_DIR": str(data_dir),
            "PORTAL_DATABASE_URL": f"sqlite:///{data_dir / 'portal.db'}",
            "PORTAL_HOST": "127.0.0.1",
            "PORTAL_WEB_DIR": web_dir,
            "PORTAL_STATES_DIR": str(data_dir / "states"),
        }
    )
    env.update(extra_env)
    return PortalServer(
        url=url,
        port=port,
        data_dir=data_dir,
        database_url=env["PORTAL_DATABASE_URL"],
        env=env,
        log_path=data_dir / "server.log",
        env_for_tests={k: env[k] for k in TEST_PROCESS_VARS if k in env},
    )


def start_portal(server: PortalServer, backend_only: bool = False) -> None:
    """Migrate, build (unless backend_only) and serve; returns once it answers."""
    mig = subprocess.run(
        [*portal_cmd(), "migrate"],
        cwd=ROOT,
        env=server.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if mig.returncode != 0:
        pytest.fail(f"`portal migrate` failed ({mig.returncode}):\n{mig.stdout}\n{mig.stderr}")

    if not backend_only:
        build_timeout = float(os.environ.get("PORTAL_E2E_BUILD_TIMEOUT", "900"))
        with server.log_path.open("ab") as log:
            t0 = time.monotonic()
            build = subprocess.run(
                ["bash", str(SERVE), "--build-only"],
                cwd=ROOT,
                env=server.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=build_timeout,
            )
        if build.returncode != 0:
            pytest.fail(f"frontend build failed ({build.returncode}); log:\n{server.log_tail()}")
        print(f"\n[portal_server] build step {time.monotonic() - t0:.1f}s", file=sys.stderr)

    # Its own process group, so stopping it stops every worker.
    with server.log_path.open("ab") as log:
        server.process = subprocess.Popen(
            ["bash", str(SERVE), *(["--backend-only"] if backend_only else [])],
            cwd=ROOT,
            env=server.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    timeout = float(os.environ.get("PORTAL_E2E_START_TIMEOUT", "240"))
    _wait_until_up(server, timeout, page="/health" if backend_only else "/")


def stop_portal(server: PortalServer) -> None:
    proc = server.process
    if proc is None or proc.poll() is not None:
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


def _wait_until_up(server: PortalServer, timeout: float, page: str) -> None:
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
            answer = httpx.get(f"{server.url}{page}", timeout=5)
            if ping.status_code == 200 and answer.status_code == 200:
                return
            last = f"/ping {ping.status_code}, {page} {answer.status_code}"
        except httpx.HTTPError as exc:
            last = repr(exc)
        time.sleep(0.25)
    stop_portal(server)
    pytest.fail(f"server not up after {timeout:.0f}s ({last}); log tail:\n{server.log_tail()}")
