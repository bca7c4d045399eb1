"""The tenant world on the running e2e server, for the route matrix and the route fuzzer:
session cookies from ``POST /auth/login``, a digest of every table and the storage
folder, the mail the server queued, its log, and the judgement of one answer."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import delete, func, select
from sqlmodel import SQLModel

from portal_app.config import get_settings
from portal_app.db import session_scope
from portal_app.models import LoginAttempt, OutboxMessage, User
from portal_app.services import sessions
from portal_app.storage.local import TEMPORARY_PREFIX
from tests.e2e.support import server_env
from tests.security.matrix_routes import Req
from tests.security.matrix_services import PEOPLE, Side, build_sides, foreign_side, own_side
from tests.support import ledger
from tests.support.tenant_world import PASSWORD, build_tenant_world

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

    def hidden_from(self, who: str) -> list[str]:
        """``foreign_secrets``, and for sam also the restricted staff page he isn't
        listed on (its title and address)."""
        hidden = list(self.tw.foreign_secrets(who)) if who in self.tw.actors else []
        if who == "sam":
            room = self.sides["restricted"].room
            assert room is not None
            hidden += [room.title, room.slug]
        return hidden

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
        # An upload whose client went away may still be unwinding in a server thread:
        # give its temporary file a moment to go (one that stays counts as a change).
        deadline = time.monotonic() + 5
        while any(storage.rglob(TEMPORARY_PREFIX + "*")) and time.monotonic() < deadline:
            time.sleep(0.05)
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


@contextmanager
def open_route_world(portal_server, people: tuple[str, ...] = PEOPLE) -> Iterator[RouteWorld]:
    """Build the tenant world on the server and sign ``people`` in (``POST /auth/login``).
    On the way out, the failed sign-ins this caused are forgotten, so the throttle on
    this machine's address does not slow down the tests that follow."""
    with server_env(portal_server):
        with session_scope() as session:
            first_attempt = session.execute(
                select(func.coalesce(func.max(LoginAttempt.id), 0))
            ).scalar_one()
        tw = build_tenant_world()
        world = RouteWorld(server=portal_server, tw=tw, sides={}, emails=dict(tw.emails))
        world.sides = build_sides(tw, world)
        world.client = httpx.Client(base_url=portal_server.url, timeout=60)
        for who in people:
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
    leaked = [s for s in world.hidden_from(who) if s in text]
    for recipient, body in mail:
        reader = next((k for k, e in world.emails.items() if e == recipient), None)
        if reader is not None:
            leaked += [f"mail to {reader}: {s}" for s in world.hidden_from(reader) if s in body]
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
    if response.status_code == 416:
        # A range the file can't serve: HTTP's own reason is the size it does have.
        return response.headers.get("content-range", "")
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()
    return str(data.get("message", "")) if isinstance(data, dict) else str(data)
