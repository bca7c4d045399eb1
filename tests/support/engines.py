"""Throwaway PostgreSQL and Redis servers, owned and stopped by the test session.

Each runs from a fresh temporary folder on a free port on 127.0.0.1; the machine's own
services (if any) are never used or touched. The binaries come from Debian's
``postgresql`` and ``redis-server`` packages, which scripts/bootstrap.sh installs
when they are missing.

PostgreSQL refuses to run as root, so as root ``initdb`` and ``postgres`` run as the
unprivileged user ``nobody`` (the temporary folder is made theirs).

Fixtures (registered for the whole suite by ``pytest_plugins`` in tests/conftest.py;
nothing starts until a test asks):
- ``postgres_server`` (session): a :class:`PostgresServer`.
- ``postgres_url``: the URL of a new, empty database on it, dropped afterwards.
- ``redis_server`` (session): a :class:`RedisServer` with keyspace notifications on,
  as Reflex's Redis state manager needs.
- ``redis_url``: the URL of its database 0, emptied before the test (the scale-mode
  e2e server uses database 1 of the same server).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_TOOLS = ("initdb", "pg_ctl", "postgres")
UNPRIVILEGED_USER = "nobody"


class EngineUnavailable(RuntimeError):
    """A server's binaries are not installed (run scripts/bootstrap.sh)."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_bindir() -> Path:
    """The folder holding initdb, pg_ctl and postgres: pg_config's, Debian's, or PATH's."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.strip():
            candidates.append(Path(result.stdout.strip()))
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += [Path(p) for p in sorted(versions, key=_version_key, reverse=True)]
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).resolve().parent)
    for folder in candidates:
        if all((folder / tool).is_file() for tool in PG_TOOLS):
            return folder
    raise EngineUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: "
        "run scripts/bootstrap.sh (installs Debian's postgresql package)"
    )


def _version_key(path: str) -> int:
    digits = Path(path).parent.name
    return int(digits) if digits.isdigit() else 0


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if not found:
        raise EngineUnavailable(
            "redis-server not found: run scripts/bootstrap.sh "
            "(installs Debian's redis-server package)"
        )
    return found


def _as_unprivileged() -> dict:
    """subprocess arguments that drop root to ``nobody``; none when not root."""
    if os.geteuid() != 0:
        return {}
    user = pwd.getpwnam(UNPRIVILEGED_USER)
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def _make_workdir(prefix: str) -> Path:
    # Straight under the system temp folder (not pytest's 0700 folder for root), so
    # the unprivileged user can reach it.
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    if os.geteuid() == 0:
        user = pwd.getpwnam(UNPRIVILEGED_USER)
        os.chown(folder, user.pw_uid, user.pw_gid)
    return folder


class PostgresServer:
    """``initdb`` + ``pg_ctl start`` in a temporary folder; trust auth for ``postgres``."""

    def __init__(self) -> None:
        self.bindir = postgres_bindir()
        self.workdir = _make_workdir("portal-pg-")
        self.datadir = self.workdir / "data"
        self.socket_dir = self.workdir  # unix socket here, never /var/run/postgresql
        self.log_path = self.workdir / "postgres.log"
        self.port = free_port()
        self.host = "127.0.0.1"
        self._names = itertools.count(1)
        self._started = False

    @property
    def url(self) -> str:
        return self.url_for("postgres")

    def url_for(self, database: str) -> str:
        return f"postgresql+psycopg2://postgres@{self.host}:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [str(self.bindir / args[0]), *args[1:]],
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, "LC_ALL": "C", "TZ": "UTC"},
            **_as_unprivileged(),
        )
        if result.returncode != 0:
            log = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({result.returncode}):\n"
                f"{result.stdout}\n{result.stderr}\n{log[-3000:]}"
            )
        return result

    def start(self) -> PostgresServer:
        self._run(
            "initdb",
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        # Throwaway data: durability off makes schema changes several times faster.
        options = (
            f"-c listen_addresses={self.host} -p {self.port} -k {self.socket_dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        datadir, log = str(self.datadir), str(self.log_path)
        self._run("pg_ctl", "-D", datadir, "-l", log, "-o", options, "-w", "start")
        self._started = True
        return self

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        name = f"portal_test_{next(self._names)}"
        self.sql(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def drop_database(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        self.sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def sql(self, statement: str) -> None:
        import psycopg2

        connection = psycopg2.connect(
            host=self.host, port=self.port, user="postgres", dbname="postgres"
        )
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(statement)
        finally:
            connection.close()

    def stop(self) -> None:
        if self._started:
            self._run("pg_ctl", "-D", str(self.datadir), "-m", "immediate", "-w", "stop")
            self._started = False
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


class RedisServer:
    """``redis-server`` in a temporary folder, nothing kept on disk.

    ``keyspace_events`` is its ``notify-keyspace-events`` setting: ``KEA`` (what
    Reflex's Redis state manager needs) or ``""`` for a server without them.
    """

    def __init__(self, keyspace_events: str = "KEA") -> None:
        self.binary = redis_server_binary()
        self.keyspace_events = keyspace_events
        self.workdir = Path(tempfile.mkdtemp(prefix="portal-redis-"))
        self.log_path = self.workdir / "redis.log"
        self.port = free_port()
        self.host = "127.0.0.1"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def client(self):
        import redis

        return redis.Redis(host=self.host, port=self.port, socket_timeout=5)

    def start(self, timeout: float = 15) -> RedisServer:
        # fmt: off
        args = [
            self.binary,
            "--bind", self.host, "--port", str(self.port),
            "--save", "", "--appendonly", "no", "--dir", str(self.workdir),
            "--notify-keyspace-events", self.keyspace_events,
            "--logfile", str(self.log_path), "--daemonize", "no",
        ]
        # fmt: on
        self.process = subprocess.Popen(
            args, cwd=self.workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if self.client().ping():
                    return self
            except Exception:  # noqa: BLE001  (not listening yet)
                time.sleep(0.05)
        log = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        raise RuntimeError(f"redis-server did not start on port {self.port}:\n{log[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> RedisServer:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


def _start_or_skip(factory):
    try:
        return factory()
    except EngineUnavailable as exc:
        pytest.skip(str(exc))


# --------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    with _start_or_skip(PostgresServer) as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """A new, empty PostgreSQL database for this test."""
    url = postgres_server.create_database()
    yield url
    from portal_app import db

    db.reset_engine()  # close pooled connections before the drop
    postgres_server.drop_database(url)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    with _start_or_skip(RedisServer) as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    redis_server.client().flushdb()  # database 0 only
    return redis_server.url
