"""Shared fixtures: a freshly migrated portal database and a small, realistic world.

The world is the firm (an administrator and two staff members) and two client
organizations, Northwind Traders and Globex Corporation, each with two client people.
Dana works with Northwind, Sam with Globex. Everyone shares one password, hashed once
per test run: bcrypt at cost 12 takes about a quarter of a second per hash.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from portal_app import cli, config, db
from portal_app.access import Actor, actor_for
from portal_app.models import Organization, OrganizationStaff, Role, User
from portal_app.services.passwords import hash_password

# Throwaway PostgreSQL and Redis servers (postgres_url, redis_url, ...), started only
# when a test asks for them.
pytest_plugins = ["tests.support.engines"]

PASSWORD = "correct horse battery staple"  # noqa: S105  (test fixture)

# Settings the portal reads from the environment: cleared so the host's own setup
# (a real SMTP server, a shorter session, ...) can't leak into the tests.
_PORTAL_ENV = (
    "PORTAL_NAME",
    "PORTAL_PORT",
    "PORTAL_PUBLIC_URL",
    "PORTAL_REDIS_URL",
    "PORTAL_SESSION_IDLE_MINUTES",
    "PORTAL_SESSION_MAX_HOURS",
    "PORTAL_INVITATION_DAYS",
    "PORTAL_PASSWORD_RESET_MINUTES",
    "PORTAL_BCRYPT_ROUNDS",
    "PORTAL_TRUSTED_PROXY_HOPS",
    "PORTAL_SMTP_HOST",
    "PORTAL_SMTP_PORT",
    "PORTAL_SMTP_USER",
    "PORTAL_SMTP_PASSWORD",
    "PORTAL_SMTP_STARTTLS",
    "PORTAL_MAIL_FROM",
    "PORTAL_ADMIN_EMAIL",
    "PORTAL_ADMIN_PASSWORD",
    "PORTAL_MAX_UPLOAD_MB",
    "PORTAL_STORAGE_DIR",
)


@dataclass(frozen=True)
class PortalDatabase:
    data_dir: Path
    path: Path
    url: str


def _deliver_inline() -> None:
    from portal_app.services import mail

    mail.deliver_pending()


@pytest.fixture
def portal_db(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[PortalDatabase]:
    """An empty database upgraded to head by alembic: SQLite in a temporary data folder,
    or, with ``PORTAL_TEST_MODE=scale``, a new database on the throwaway PostgreSQL
    server (``path`` then names no file: ``Database.dump`` is SQLite-only).

    Queued mail is delivered as soon as its transaction commits (by the same
    ``mail.deliver_pending`` the worker runs), unless the test is marked
    ``queued_mail``: then it waits for a worker the test runs itself."""
    from portal_app.services import mail

    data_dir = tmp_path / "data"
    path = data_dir / "portal.db"
    postgres = None
    if os.environ.get("PORTAL_TEST_MODE", "single") == "scale":
        postgres = request.getfixturevalue("postgres_server")
        url = postgres.create_database()
    else:
        url = f"sqlite:///{path}"
    for name in _PORTAL_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(data_dir))
    monkeypatch.setenv("PORTAL_DATABASE_URL", url)
    config.reload_settings()
    assert not path.exists(), "the suite must upgrade an empty database"
    cli.migrate()
    inline = request.node.get_closest_marker("queued_mail") is None
    if inline:
        mail.on_queued(_deliver_inline)
    yield PortalDatabase(data_dir=data_dir, path=path, url=url)
    mail.forget_hook(_deliver_inline)
    # monkeypatch restores the environment after this; leave no cached settings or
    # engine pointing at the deleted folder (or the dropped database).
    db.reset_engine()
    config.get_settings.cache_clear()
    if postgres is not None:
        postgres.drop_database(url)


@pytest.fixture(scope="session")
def shared_password_hash() -> str:
    return hash_password(PASSWORD)


@dataclass(frozen=True)
class World:
    password: str
    admin: Actor
    dana: Actor
    sam: Actor
    ana: Actor
    thomas: Actor
    hank: Actor
    mindy: Actor
    northwind_id: int
    globex_id: int

    @property
    def northwind_clients(self) -> tuple[Actor, Actor]:
        return (self.ana, self.thomas)

    @property
    def globex_clients(self) -> tuple[Actor, Actor]:
        return (self.hank, self.mindy)


@pytest.fixture
def world(portal_db: PortalDatabase, shared_password_hash: str) -> World:
    """The firm and its two clients, written straight to the database (no bcrypt)."""
    with db.session_scope() as session:
        northwind = Organization(name="Northwind Traders")
        globex = Organization(name="Globex Corporation")
        session.add_all([northwind, globex])
        session.flush()

        def person(name: str, email: str, role: Role, org: Organization | None = None) -> User:
            user = User(
                email=email,
                display_name=name,
                role=role,
                organization_id=org.id if org else None,
                password_hash=shared_password_hash,
            )
            session.add(user)
            return user

        people = {
            "admin": person("Avery Admin", "admin@firm.example", Role.ADMIN),
            "dana": person("Dana Whitfield", "dana@firm.example", Role.STAFF),
            "sam": person("Sam Okafor", "sam@firm.example", Role.STAFF),
            "ana": person("Ana Trujillo", "ana@northwind.example", Role.LIMITED, northwind),
            "thomas": person("Thomas Hardy", "thomas@northwind.example", Role.LIMITED, northwind),
            "hank": person("Hank Scorpio", "hank@globex.example", Role.LIMITED, globex),
            "mindy": person("Mindy Simmons", "mindy@globex.example", Role.LIMITED, globex),
        }
        session.flush()
        session.add_all(
            [
                OrganizationStaff(organization_id=northwind.id, user_id=people["dana"].id),
                OrganizationStaff(organization_id=globex.id, user_id=people["sam"].id),
            ]
        )
        actors = {key: actor_for(user) for key, user in people.items()}
        assert northwind.id is not None and globex.id is not None
        return World(password=PASSWORD, northwind_id=northwind.id, globex_id=globex.id, **actors)


# --------------------------------------------------------------------------- security ledger
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    from tests.support import ledger

    lines = ledger.summary_lines()
    if lines:
        terminalreporter.section("isolation and hostile-input summary")
        for line in lines:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session, exitstatus):
    from tests.support import ledger

    if ledger.TALLY.failures and session.exitstatus == 0:
        # A case recorded a leak, a forbidden change or a server error without failing
        # its own test: the run still fails.
        session.exitstatus = 1


# --------------------------------------------------------------------------- order
def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright's sync API leaves an event loop running in the
    main thread for the rest of the session, and tests that drive asyncio themselves
    (``asyncio.run``) must run before it (their code runs on a worker's main thread in
    production too)."""
    e2e = Path(__file__).resolve().parent / "e2e"
    items.sort(key=lambda item: e2e in Path(str(item.path)).resolve().parents)
