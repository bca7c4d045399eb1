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

from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest

from tests.e2e.route_world import RouteWorld, check, open_route_world, send
from tests.security.matrix_routes import ROUTE_AUDIENCES, ROUTES, Req, RouteRow, route_keys
from tests.security.matrix_services import PEOPLE, missing_side
from tests.support import ledger

SUITE = "matrix-routes"
ACTORS = (*PEOPLE, "anonymous")


@pytest.fixture(scope="module")
def route_world(portal_server) -> Iterator[RouteWorld]:
    with open_route_world(portal_server) as world:
        yield world


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


def _request(
    world: RouteWorld, row: RouteRow, who: str, req: Req, expect: str, case: str
) -> tuple[Answer, list[str]]:
    cookie = world.cookies.get(who)
    if (
        row.path in ("/auth/logout", "/auth/logout-everywhere", "/s/{token}/sign-out")
        and who != "anonymous"
    ):
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
