"""Scale-out smoke test: scripts/serve.sh with 2 workers on one port, a throwaway
PostgreSQL database (migrated by `portal migrate`) and a throwaway Redis.

Event sockets are plain python-socketio clients speaking the frontend's protocol (the
hydrate event rides in the CONNECT packet), so no browser or frontend build is needed:
the server runs with --backend-only. Which worker holds a socket is read from the
kernel (`ss -tnp`), not from the app.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import socketio
from reflex.state import State

from portal_app.state.auth import AuthFormState
from tests.e2e.server import free_port, make_server, start_portal, stop_portal

pytestmark = pytest.mark.own_server

WORKERS = 2
NAMESPACE = "/_event"
HYDRATE = f"{State.get_full_name()}.hydrate_and_load"
AUTH_FORM = AuthFormState.get_full_name()
SUBMITTING = f"{AUTH_FORM}.submitting"


@pytest.fixture(scope="module")
def scale_server(postgres_server, redis_server, tmp_path_factory):
    extra = {
        "PORTAL_DATABASE_URL": postgres_server.create_database(),
        "PORTAL_REDIS_URL": f"redis://{redis_server.host}:{redis_server.port}/2",
        "PORTAL_WORKERS": str(WORKERS),
        "GRANIAN_LOG_LEVEL": "info",  # logs each worker's pid
    }
    server = make_server(free_port(), tmp_path_factory.mktemp("scale-data"), extra)
    try:
        start_portal(server, backend_only=True)
        yield server
    finally:
        stop_portal(server)


def socket_owners(port: int) -> dict[str, int]:
    """Peer address -> pid of the process holding each established socket on ``port``."""
    out = subprocess.run(
        ["ss", "-tnpH", "state", "established", f"( sport = :{port} )"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    owners = {}
    for line in out.splitlines():
        pid = re.search(r"pid=(\d+)", line)
        if pid:
            owners[line.split()[3]] = int(pid.group(1))
    return owners


class Client:
    """One browser tab's event socket: a token, a queue of state updates, its worker."""

    def __init__(self, server, token: str) -> None:
        self.server = server
        self.token = token
        self.updates: asyncio.Queue = asyncio.Queue()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self.updates.put, namespace=NAMESPACE)
        self.worker_pid = 0

    async def connect(self, path: str = "/login") -> dict:
        """Connect and hydrate; returns the first state delta."""
        before = set(socket_owners(self.server.port).items())
        await self.sio.connect(
            f"{self.server.url}?token={self.token}",
            headers={"Origin": self.server.url},
            transports=["websocket"],
            socketio_path=NAMESPACE,
            namespaces=[NAMESPACE],
            auth={"event": {"name": HYDRATE, "payload": {}, "router_data": router(path)}},
            wait_timeout=10,
        )
        delta = await self.next_delta()
        (self.worker_pid,) = {
            pid for _, pid in set(socket_owners(self.server.port).items()) - before
        }
        return delta

    async def emit(self, name: str, path: str = "/login") -> None:
        event = {"name": name, "payload": {}, "router_data": router(path)}
        await self.sio.emit("event", event, namespace=NAMESPACE)

    async def next_delta(self) -> dict:
        return (await asyncio.wait_for(self.updates.get(), 15))["delta"]

    async def close(self) -> None:
        await self.sio.disconnect()


def router(path: str) -> dict:
    return {"pathname": path, "asPath": path}


def run(coroutine):
    with ThreadPoolExecutor(max_workers=1) as pool:  # keep clear of any running loop
        return pool.submit(asyncio.run, coroutine).result(timeout=120)


def worker_pids(server) -> set[int]:
    return {
        int(pid) for pid in re.findall(r"Spawning worker-\d+ with PID: (\d+)", server.log_tail())
    }


def test_health_answers_from_postgresql(scale_server):
    assert scale_server.database_url.startswith("postgresql")
    response = httpx.get(f"{scale_server.url}/health", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert len(worker_pids(scale_server)) == WORKERS, scale_server.log_tail()


def test_two_clients_hydrate_and_the_workers_share_state_through_redis(scale_server):
    workers = worker_pids(scale_server)

    async def scenario():
        # Two tabs: both connect and hydrate.
        first, second = (
            Client(scale_server, str(uuid.uuid4())),
            Client(scale_server, str(uuid.uuid4())),
        )
        for tab in (first, second):
            delta = await tab.connect()
            assert State.get_full_name() in delta
            assert tab.worker_pid in workers
        # The first tab changes its state on its worker ...
        await first.emit(SUBMITTING)
        while not (await first.next_delta()).get(AUTH_FORM, {}).get("busy_rx_state_"):
            pass
        await first.close()
        await second.close()
        # ... and reconnecting with its token on the OTHER worker finds that state.
        for _ in range(20):
            again = Client(scale_server, first.token)
            delta = await again.connect(path="/nowhere")
            await again.close()
            if again.worker_pid != first.worker_pid:
                assert delta[AUTH_FORM]["busy_rx_state_"] is True
                return {first.worker_pid, again.worker_pid}
        raise AssertionError(f"20 connections all landed on worker {first.worker_pid}")

    assert run(scenario()) == workers
