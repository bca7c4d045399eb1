"""Every HTTP route the running portal serves (besides Reflex's frontend pages), requested
as every person of the tenant world and as nobody.

The rows are ``tests/security/matrix_routes.py``. The discovery test reads the app's
route tables (Reflex's backend API and the portal's ``api_transformer`` routes) and
probes Reflex's endpoint names on the running server, and fails on any route without a
row (or a row whose route is gone). Then, per row and person (a session cookie from
``POST /auth/login`` with the tenant world's password, or none):
- their own side's request: the audience gets a 2xx, everyone else a 4xx with a reason;
- the other organization's objects (one kind at a time) and never-existing ones: the
  same status and the same body (no existence oracle); rows without ids compare their
  two ``oracle`` requests instead (an address with an account and one without);
- never a 5xx, never a traceback in the server log, no response body or header that
  carries the requester's ``foreign_secrets``; a refused request leaves the database
  (every table; the outbox's recipients, subjects and bodies) and the storage folder
  as they were.
Every case is recorded in the security ledger (suite "matrix-routes").
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, select
from sqlmodel import SQLModel

from portal_app.config import get_settings
from portal_app.db import session_scope
from portal_app.models import LoginAttempt, OutboxMessage, User
from portal_app.services import sessions
from tests.e2e.support import server_env
from tests.security.matrix_routes import ROUTE_AUDIENCES, ROUTES, Req, RouteRow, route_keys
from tests.security.matrix_services import (
    PEOPLE,
    Side,
    build_sides,
    foreign_side,
    missing_side,
    own_side,
)
from tests.support import ledger
from tests.support.tenant_world import PASSWORD, build_tenant_world

SUITE = "matrix-routes"
ACTORS = (*PEOPLE, "anonymous")
# Columns a request may touch without changing anything: a session's last-seen time
# (moved at most once a minute) and the mail worker's delivery bookkeeping.
VOLATILE = {
    "user_session": {"last_seen_at", "idle_expires_at"},
    "outbox_message": {
        "transport",
        "status",
        "error",
        "attempts",
        "available_at",
        "claimed_by",
        "claimed_at",
        "sent_at",
    },
}


# --- the world on the server --------------------------------------------------------------


@dataclass
class RouteWorld:
    server: Any
    tw: Any
    sides: dict[str, Side]
    emails: dict[str, str]
    cookies: dict[str, str] = field(default_factory=dict)
    client: httpx.Client | None = None
    log_offset: int = 0

    def own_side(self, who: str) -> Side:
        return own_side(self.tw, self.sides, who)

    def foreign_side(self, who: str) -> Side | None:
        return foreign_side(self.tw, self.sides, who)

    # database ------------------------------------------------------------------------
    def digest(self) -> dict[str, str]:
        out = {}
        with session_scope() as session:
            for table in SQLModel.metadata.sorted_tables:
                skip = VOLATILE.get(table.name, set())
                columns = [c for c in table.columns if c.name not in skip]
                rows = sorted(repr(tuple(r)) for r in session.execute(select(*columns)))
                out[table.name] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        storage = Path(get_settings().storage_dir)
        listing = sorted(
            f"{p.relative_to(storage)}:{p.stat().st_size}"
            for p in storage.rglob("*")
            if p.is_file()
        )
        out["<storage>"] = hashlib.sha256("\n".join(listing).encode()).hexdigest()
        return out

    def last_mail_id(self) -> int:
        with session_scope() as session:
            return session.execute(
                select(func.coalesce(func.max(OutboxMessage.id), 0))
            ).scalar_one()

    def mail_since(self, mail_id: int) -> list[tuple[str, str]]:
        with session_scope() as session:
            rows = session.execute(
                select(OutboxMessage.recipient, OutboxMessage.subject, OutboxMessage.body).where(
                    OutboxMessage.id > mail_id
                )
            ).all()
        return [(r, f"{s}\n{b}") for r, s, b in rows]

    def settle(self, timeout: float = 20) -> None:
        """Wait until the server's mail worker has delivered what is queued."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with session_scope() as session:
                waiting = session.execute(
                    select(func.count()).where(OutboxMessage.status.in_(("pending", "sending")))  # type: ignore[attr-defined]
                ).one()[0]
            if not waiting:
                return
            time.sleep(0.1)

    # sessions ------------------------------------------------------------------------
    def mint(self, who: str) -> str:
        """A session for ``who`` made straight in the database (no bcrypt), for the
        requests that end the session they are sent with."""
        with session_scope() as session:
            user = session.get(User, self.tw.actors[who].user_id)
            return sessions.open_session(session, user, ip="127.0.0.1", user_agent="route matrix")

    # the server log --------------------------------------------------------------------
    def new_log(self) -> str:
        path = Path(self.server.log_path)
        with path.open("rb") as log:
            log.seek(self.log_offset)
            text = log.read().decode(errors="replace")
        self.log_offset += len(text.encode(errors="replace"))
        return text


@pytest.fixture(scope="module")
def route_world(portal_server) -> Iterator[RouteWorld]:
    with server_env(portal_server):
        with session_scope() as session:
            first_attempt = session.execute(
                select(func.coalesce(func.max(LoginAttempt.id), 0))
            ).scalar_one()
        tw = build_tenant_world()
        world = RouteWorld(server=portal_server, tw=tw, sides={}, emails=dict(tw.emails))
        world.sides = build_sides(tw, world)
        world.client = httpx.Client(base_url=portal_server.url, timeout=60)
        for who in PEOPLE:
            answer = world.client.post(
                "/auth/login", json={"email": tw.emails[who], "password": PASSWORD}
            )
            assert answer.status_code == 200, answer.text
            world.cookies[who] = answer.cookies[sessions.COOKIE_NAME]
        world.client.cookies.clear()
        world.settle()
        world.log_offset = Path(portal_server.log_path).stat().st_size
        try:
            yield world
        finally:
            world.client.close()
            # The refusals counted toward the sign-in throttle of this machine's address:
            # don't let them slow down the sign-ins of the tests that follow.
            with session_scope() as session:
                session.execute(delete(LoginAttempt).where(LoginAttempt.id > first_attempt))  # type: ignore[arg-type]


# --- discovery ----------------------------------------------------------------------------


def served_routes(server_url: str) -> dict[str, set[str]]:
    """Path -> methods of every route the app declares, plus Reflex's backend endpoints
    the running server answers (``/_upload`` only exists once an app uses it)."""
    from reflex_base.constants.event import Endpoint
    from starlette.applications import Starlette
    from starlette.routing import Mount, Route

    from portal_app.portal_app import app

    found: dict[str, set[str]] = {}
    tables = [app._api.routes] + [  # noqa: SLF001  (Reflex keeps its backend API here)
        t.routes for t in app.api_transformer if isinstance(t, Starlette)
    ]
    for table in tables:
        for route in table:
            if isinstance(route, Mount) and route.path:
                found.setdefault(route.path, set()).add("MOUNT")
            elif isinstance(route, Route):
                found.setdefault(route.path, set()).update(route.methods or ())

    def answer(method: str, path: str) -> tuple[int, bytes]:
        response = httpx.request(method, server_url + path, timeout=30)
        return response.status_code, response.content

    for endpoint in Endpoint:
        path = str(endpoint)
        if path in found:
            continue
        for method in ("GET", "POST"):
            nowhere = answer(method, "/__no_such_route_anywhere")
            if answer(method, path) != nowhere:
                found.setdefault(path, set()).add(method)
    return found


def test_every_served_route_has_a_row(portal_server):
    served = served_routes(portal_server.url)
    rows = route_keys()
    missing = sorted(f"{p} {sorted(m)}" for p, m in served.items() if rows.get(p) != m)
    stale = sorted(p for p in rows if p not in served)
    assert not missing, "routes served without a (matching) row in matrix_routes.py: " + ", ".join(
        missing
    )
    assert not stale, "rows whose route is no longer served: " + ", ".join(stale)


# --- one request ------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int = 0
    body: bytes = b""
    problems: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return 400 <= self.status < 500


def send(world: RouteWorld, req: Req, cookie: str | None) -> httpx.Response:
    assert world.client is not None
    headers = dict(req.headers)
    if cookie:
        headers["Cookie"] = f"{sessions.COOKIE_NAME}={cookie}"
    world.client.cookies.clear()
    return world.client.request(
        req.method,
        req.path,
        params=req.params or None,
        json=req.json if req.content is None else None,
        content=req.content,
        headers=headers,
    )


def check(
    world: RouteWorld,
    suite: str,
    operation: str,
    who: str,
    response: httpx.Response,
    *,
    expect: str,
    changed: list[str],
    refusal_writes: tuple[str, ...] = (),
    mail: list[tuple[str, str]] = (),  # type: ignore[assignment]
    case: str = "",
) -> list[str]:
    """Judge one answer; record it in the ledger. ``expect``: allow, refuse or any."""
    label = f"{operation} as {who} ({case})"
    status = response.status_code
    problems: list[str] = []
    if status >= 500:
        ledger.record(
            suite, outcome=ledger.SERVER_ERROR, operation=operation, actor=who, detail=case
        )
        return [f"{label}: {status}: {response.text[:200]}"]
    text = response.text + "\n" + "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    leaked = [s for s in world.tw.foreign_secrets(who) if s in text]
    for recipient, body in mail:
        reader = next((k for k, e in world.emails.items() if e == recipient), None)
        if reader is not None:
            leaked += [
                f"mail to {reader}: {s}" for s in world.tw.foreign_secrets(reader) if s in body
            ]
    if leaked:
        ledger.record(suite, outcome=ledger.LEAK, operation=operation, actor=who, detail=case)
        return [f"{label}: leaked {leaked[:5]}"]
    if 400 <= status < 500:
        forbidden = [t for t in changed if t not in refusal_writes]
        if forbidden:
            ledger.record(
                suite,
                outcome=ledger.FORBIDDEN_CHANGE,
                operation=operation,
                actor=who,
                detail=f"{case}: {forbidden}",
            )
            problems.append(f"{label}: refused with {status} but changed {forbidden}")
        else:
            ledger.record(suite, outcome=ledger.REFUSED, operation=operation, actor=who)
        if response.request.method != "HEAD" and not _reason(response):
            problems.append(f"{label}: {status} without a reason: {response.text[:120]!r}")
        if expect == "allow":
            problems.append(
                f"{label}: refused although in the audience: {status} {response.text[:200]}"
            )
    else:
        if expect == "refuse":
            kind = ledger.FORBIDDEN_CHANGE if changed else ledger.LEAK
            ledger.record(suite, outcome=kind, operation=operation, actor=who, detail=case)
            problems.append(f"{label}: answered {status} outside its audience (changed {changed})")
        else:
            ledger.record(suite, outcome=ledger.ALLOWED, operation=operation, actor=who)
    return problems


def _reason(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()
    return str(data.get("message", "")) if isinstance(data, dict) else str(data)


def _request(
    world: RouteWorld, row: RouteRow, who: str, req: Req, expect: str, case: str
) -> tuple[Answer, list[str]]:
    cookie = world.cookies.get(who)
    if row.path in ("/auth/logout", "/auth/logout-everywhere") and who != "anonymous":
        cookie = world.mint(who)  # the request ends the session it is sent with
    before, mail_id = world.digest(), world.last_mail_id()
    response = send(world, req, cookie)
    if 200 <= response.status_code < 300 and row.effect == "write":
        world.settle()
    after = world.digest()
    changed = sorted(t for t in after if after[t] != before.get(t))
    if row.path == "/auth/logout-everywhere" and who != "anonymous":
        world.cookies[who] = world.mint(who)  # every session of theirs just ended
    problems = check(
        world,
        SUITE,
        row.key,
        who,
        response,
        expect=expect,
        changed=changed,
        refusal_writes=row.refusal_writes,
        mail=world.mail_since(mail_id),
        case=case,
    )
    return Answer(response.status_code, response.content), problems


# --- the matrix ---------------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROUTES, ids=lambda row: row.key)
def test_route_row(route_world, row):
    world = route_world
    allowed = ROUTE_AUDIENCES[row.audience]
    problems: list[str] = []
    world.new_log()

    for who in ACTORS:
        side = world.own_side(who if who != "anonymous" else "admin")
        expect = "allow" if allowed(who, side) else "refuse"
        _, found = _request(world, row, who, row.request(side, who), expect, "own side")
        problems += found

    for who in PEOPLE:
        foreign = world.foreign_side(who)
        if foreign is None:
            continue
        own = world.own_side(who)
        for kind in sorted(set(row.ids.values())):
            if getattr(foreign, kind) is None:
                continue
            theirs = row.request(own.with_kind(kind, foreign), who)
            never = row.request(own.with_kind(kind, missing_side(own)), who)
            a, found_a = _request(world, row, who, theirs, "refuse", f"foreign {kind}")
            b, found_b = _request(world, row, who, never, "refuse", f"never-existing {kind}")
            problems += found_a + found_b
            if (a.status, a.body) != (b.status, b.body):
                problems.append(
                    f"{row.key} as {who}: another organization's {kind} answers {a.status} "
                    f"{a.body[:120]!r}, a never-existing one {b.status} {b.body[:120]!r}"
                )

    if row.oracle is not None:
        side = world.own_side("admin")
        first, second = (make(side) for make in row.oracle)
        a, found_a = _request(world, row, "anonymous", first, "any", "oracle: known")
        b, found_b = _request(world, row, "anonymous", second, "any", "oracle: unknown")
        problems += found_a + found_b
        if (a.status, a.body) != (b.status, b.body):
            problems.append(
                f"{row.key}: an address with an account answers {a.status} {a.body[:120]!r}, "
                f"one without {b.status} {b.body[:120]!r}"
            )

    log = world.new_log()
    if "Traceback" in log:
        ledger.record(SUITE, outcome=ledger.SERVER_ERROR, operation=row.key, detail="traceback")
        problems.append(f"{row.key}: traceback in the server log:\n{log[-2000:]}")
    assert not problems, "\n".join(problems[:30])
