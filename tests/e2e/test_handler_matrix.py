"""Every Reflex event handler, sent over a real socket by every person of the tenant
world (and nobody), against the running portal: tests/security/matrix.py says who may
call what; this test tries everyone else.

For each row and actor (one socket per actor, signed in through /auth/login):
- outside the row's audience: the event with real ids (Northwind's things);
- inside it: the event with the other organization's ids (forged), and again with
  ids that never existed: both answers must be the same once ids are normalized;
- inside it, for a row the matrix itself proves (it changes nothing): the event with
  real ids must be answered without a refusal;
- admin, a Globex client and nobody: each id argument (and each form) malformed in
  turn: missing, null, a string, negative and huge numbers, a list, a dict, 100 kB.

Each case must leave the server log without a traceback or error, the socket
connected, and put none of the actor's foreign secrets, no password hash and no
session token in any frame (strings the actor sent, such as the address, excepted).
Nothing may change: a digest of every table (columns that tick on every request left
out; the outbox included, so mail counts) and of the stored files is compared before
and after each row's batches (one per actor); when it changed, the row runs again
actor by actor to name who changed it. Every case goes into the security ledger
(suite "matrix-handlers").

Speed: one socket per actor; an event is done when the answer to a marker event sent
after it arrives (``PortalTab.call``), and a batch's malformed cases go out back to
back (``PortalTab.call_many``). ``PORTAL_MATRIX_ONLY=<text>`` runs only the rows whose
event name contains the text; ``PORTAL_MATRIX_REPORT=<file>`` writes every failure.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select

from portal_app import db
from portal_app.models import Invitation, PasswordReset, Share, ShareSession, User, UserSession
from portal_app.services import documents, drafts, mail, people
from tests.security import matrix
from tests.security.matrix import Handler, Id
from tests.support import ledger
from tests.support.pages import add_widget, revision
from tests.support.tenant_world import ACTOR_NAMES as PEOPLE_NAMES
from tests.support.tenant_world import GLOBEX, GUEST, NORTHWIND, build_tenant_world
from tests.support.tenant_world import PASSWORD as WORLD_PASSWORD
from tests.support.wire import PortalTab

SUITE = "matrix-handlers"
# The tenant world's people, nobody, and the guest invited to Northwind's room (who may
# contribute): a guest's socket reaches only that page's own handlers.
ACTOR_NAMES = (*PEOPLE_NAMES, GUEST)
# Handlers of the shared page a guest's events may use (their services are in the
# access layer's ``guest_may_use``); every other handler refuses a guest.
GUEST_HANDLERS = {
    "page_widgets_state.load_for_viewed_page",
    "page_view_state.load",
    "discussion_state.load_for_page",
    "discussion_state.post",
    "form_state.load_for_page",
    "form_state.filter_status",
    "form_state.search_submissions",
    "form_state.submit",
    "files_state.load_for_page",
    "files_state.upload_finished",
    "checklist_state.load_for_page",
    "checklist_state.tick",
    "dropsite_state.load_for_page",
}
STAFF_ACTORS = ("admin", "dana", "sam")
CLIENTS_OF = {NORTHWIND: ("ana", "thomas"), GLOBEX: ("hank", "mindy")}
# Who tries malformed arguments: the deepest path (admin), a client of the other
# organization, and nobody.
MALFORMED_ACTORS = ("admin", "hank", "anonymous")
MISSING = object()  # the argument left out
MALFORMED: tuple[tuple[str, Any], ...] = (
    ("missing", MISSING),
    ("null", None),
    ("string", "not-an-id"),
    ("negative", -7),
    ("huge", 2**70),
    ("list", [1, "w0123456789ab"]),
    ("dict", {"id": 1, "$where": "1"}),
    ("100 kB string", "x" * 100_000),
)
# Columns that legitimately change on every request (a session's last use), and a
# message's delivery progress: mail queued by a case is a new outbox row, while the
# worker finishing earlier mail is no change of this test's making.
TICKING = {
    "user_session": {"last_seen_at", "idle_expires_at", "expires_at"},
    "outbox_message": {
        "body",
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
IGNORED_TABLES = {"login_attempt"}
ERROR_IN_LOG = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b|Exception in|Error in ")


def _run(coroutine):
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=1800)


# --------------------------------------------------------------------------- the world
@dataclass
class MatrixWorld:
    world: Any
    target: dict[str, Any]  # Northwind's real things
    foreign: dict[str, dict[str, Any]]  # actor -> the things they may not reach
    missing: dict[str, Any]  # ids that never existed
    secrets: dict[str, list[str]]  # actor -> strings they must never receive
    always_secret: list[str] = field(default_factory=list)
    cookies: dict[str, str] = field(default_factory=dict)


def _ids_of_room(world, room_key: str) -> dict[str, Any]:
    room = world.pages[room_key]
    admin = world.actors["admin"]
    draft = drafts.get_draft(admin, room.id)
    section = draft.sections[0]
    return {
        "page": room.id,
        "page_slug": room.slug,
        "section": section.id,
        "column": section.columns[0].id,
        "version": 1,
        **{f"widget:{kind}": wid for kind, wid in room.widgets.items()},
    }


def _complete_room(admin, room) -> None:
    """Every widget type with live data on the room (the checklist plugin too)."""
    for kind in (
        "discussion",
        "form",
        "attachments",
        "checklist",
        "rich_text",
        "dropsite",
        "library",
    ):
        if kind not in room.widgets:
            room.widgets[kind] = add_widget(admin, room.id, kind)
    drafts.publish(admin, room.id, revision(admin, room.id))


def _wait_for_mail_to_settle(limit: float = 60.0) -> None:
    """Nothing pending in the outbox: mail sent while building must not tick later."""
    from portal_app.models import OutboxMessage

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with db.session_scope() as session:
            pending = session.exec(
                select(OutboxMessage).where(OutboxMessage.status == "pending")
            ).first()
        if pending is None:
            return
        time.sleep(0.2)


@pytest.fixture(scope="module")
def matrix_world(portal_server) -> MatrixWorld:
    from tests.e2e.support import server_env

    with server_env(portal_server):
        world = build_tenant_world()
        admin = world.actors["admin"]
        for key in ("northwind_room", "globex_room", "staff_restricted"):
            _complete_room(admin, world.pages[key])
        # An organization's three document areas, and a library widget's folder in it,
        # are made the first time they are opened (an idempotent write in a read); made
        # here, so the digest shows only what a handler changes.
        for choice in documents.organizations(admin):
            documents.open_space(admin, choice.id)
            for key in ("northwind_room", "globex_room", "staff_restricted"):
                room = world.pages[key]
                documents.library_view(admin, room.id, room.widgets["library"], choice.id)
        invitations = {}
        for org in (NORTHWIND, GLOBEX):
            row = people.invite(
                admin,
                f"matrix-invitee@{org}-tenant.example",
                "limited",
                world.organization_ids[org],
            )
            invitations[org] = row.id
        mail.deliver_pending()
        _wait_for_mail_to_settle()

        def things(org: str) -> dict[str, Any]:
            ids = _ids_of_room(world, f"{org}_room")
            client = CLIENTS_OF[org][1]
            return {
                **ids,
                "comment": world.comments[org],
                "submission": world.submissions[org],
                "file": world.files[org],
                "person": world.actors[client].user_id,
                "staff_person": world.actors["dana" if org == NORTHWIND else "sam"].user_id,
                "organization": world.organization_ids[org],
                "invitation": invitations[org],
                "invitation_token": "m" * 43,
                "reset_token": "r" * 43,
                "share": world.shares[org],
            }

        target = things(NORTHWIND)
        restricted = _ids_of_room(world, "staff_restricted")
        restricted["share"] = world.shares["restricted"]
        foreign = {client: things(GLOBEX) for client in CLIENTS_OF[NORTHWIND]}
        foreign |= {client: target for client in CLIENTS_OF[GLOBEX]}
        foreign["sam"] = restricted
        missing = {
            "page": 987_654_321,
            "page_slug": "matrix-never-existed",
            "section": "s00000000dead",
            "column": "s00000000dead:0",
            "version": 987_654,
            **{f"widget:{kind}": "w00000000dead" for kind in target_widget_kinds(target)},
            "comment": 987_654_321,
            "submission": 987_654_321,
            "file": 987_654_321,
            "person": 987_654_321,
            "staff_person": 987_654_321,
            "organization": 987_654_321,
            "invitation": 987_654_321,
            "invitation_token": "n" * 43,
            "reset_token": "q" * 43,
            "share": 987_654_321,
        }
        secrets = {name: list(world.foreign_secrets(name)) for name in ACTOR_NAMES}
        secrets["sam"] += ["Partner Compensation Memo"]
        built = MatrixWorld(world, target, foreign, missing, secrets)
        built.cookies[GUEST] = world.guest_cookie
        foreign[GUEST] = things(GLOBEX)
        for name in PEOPLE_NAMES:
            if name == "anonymous":
                continue
            response = httpx.post(
                f"{portal_server.url}/auth/login",
                json={"email": world.emails[name], "password": WORLD_PASSWORD},
                timeout=30,
            )
            assert response.status_code == 200, response.text
            built.cookies[name] = response.cookies["portal_session"]
        with db.session_scope() as session:
            built.always_secret = [
                *(u.password_hash for u in session.exec(select(User)) if u.password_hash),
                *(s.token_hash for s in session.exec(select(UserSession))),
                *(i.token_hash for i in session.exec(select(Invitation))),
                *(r.token_hash for r in session.exec(select(PasswordReset))),
                *(s.token_hash for s in session.exec(select(Share))),
                *(s.token_hash for s in session.exec(select(ShareSession))),
                *built.cookies.values(),
            ]
        return built


def target_widget_kinds(ids: dict[str, Any]) -> list[str]:
    return [key.split(":", 1)[1] for key in ids if key.startswith("widget:")]


# --------------------------------------------------------------------------- who is inside
def inside(row: Handler, actor: str) -> bool:
    """Is ``actor`` in the row's audience for Northwind's things?"""
    audience = row.audience
    if audience == matrix.ANYONE:
        return True
    if audience == matrix.NOBODY or actor == "anonymous":
        return False
    if actor == GUEST:
        return _short_name(row) in GUEST_HANDLERS
    if audience in (matrix.SIGNED_IN, matrix.OWN_ACCOUNT):
        return True
    if audience in (matrix.STAFF, matrix.PAGE_EDITOR, matrix.PAGE_STAFF):
        return actor in STAFF_ACTORS
    if audience == matrix.ADMIN:
        return actor == "admin"
    if audience in (matrix.PAGE_VIEWER, matrix.PAGE_CONTRIBUTOR):
        return actor in STAFF_ACTORS or actor in CLIENTS_OF[NORTHWIND]
    kinds = set(row.ids.values())
    # Ana wrote Northwind's comment and submission; the admin added its attachment.
    author = "ana" if "comment" in kinds or any("comment" in str(b) for b in row.before) else ""
    if audience == matrix.OWN_CONTENT:
        return actor == author
    if audience == matrix.CONTENT_OWNER:
        return actor in STAFF_ACTORS or actor == author
    raise AssertionError(f"unknown audience {audience}")


def sees(row: Handler, actor: str) -> bool:
    """Does ``actor`` see Northwind's things the row names (so that telling an
    existing one from a missing one tells them nothing)? Staff and Northwind's
    clients see the room; a client sees only their own submissions (Ana's here)."""
    if actor in STAFF_ACTORS or actor == "ana":
        return True
    if actor == GUEST:
        # Their page, its widgets and the firm's files on it: nothing a client wrote.
        return all(kind in GUEST_SEES_KINDS or kind.startswith("widget:") for kind in _kinds(row))
    return actor == "thomas" and "submission" not in _kinds(row)


GUEST_SEES_KINDS = {"page", "page_slug", "section", "column", "version", "file"}


def _short_name(row: Handler) -> str:
    return row.event.rsplit(".", 2)[-2].rsplit("____", 1)[-1] + "." + row.name


def _kinds(row: Handler) -> set[str]:
    kinds = set(row.ids.values()) | set(row.path_ids)
    for _event, payload in row.before:
        kinds |= {marker.key for _path, marker in matrix.id_paths(payload)}
    return kinds


# --------------------------------------------------------------------------- payloads
def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, Id):
        return ids[value.key]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_fill(v, ids) for v in value]
    return value


def _path(row: Handler, ids: dict[str, Any]) -> str:
    path = row.path
    for key in row.path_ids:
        path = path.replace("{" + key + "}", str(ids[key]))
    return path


def _with(payload: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """``payload`` with the argument at ``dotted`` replaced (or removed: MISSING)."""
    payload = json.loads(json.dumps(payload))
    parts = dotted.split(".")
    holder: Any = payload
    for part in parts[:-1]:
        holder = holder[int(part)] if isinstance(holder, list) else holder[part]
    last = parts[-1]
    if isinstance(holder, list):
        holder[int(last)] = None if value is MISSING else value
    elif value is MISSING:
        holder.pop(last, None)
    else:
        holder[last] = value
    return payload


def _malformed_targets(row: Handler) -> list[str]:
    """The arguments to spoil: every id argument and every top-level argument."""
    targets = list(row.ids)
    targets += [name for name in row.args if name not in targets]
    return targets


# --------------------------------------------------------------------------- checks
class Digest:
    def __init__(self, data_dir: Path) -> None:
        self.files = data_dir / "files"
        self.tables = [t for t in SQLModel.metadata.sorted_tables if t.name not in IGNORED_TABLES]

    def take(self) -> dict[str, str]:
        started = time.monotonic()
        try:
            return self._take()
        finally:
            self.seconds += time.monotonic() - started

    seconds = 0.0

    def _take(self) -> dict[str, str]:
        out: dict[str, str] = {}
        with db.get_engine().connect() as connection:
            for table in self.tables:
                skip = TICKING.get(table.name, set())
                columns = [c.name for c in table.columns if c.name not in skip]
                quoted = ", ".join(f'"{c}"' for c in columns)
                rows = connection.execute(text(f'SELECT {quoted} FROM "{table.name}"')).all()
                body = "\n".join(sorted(repr(tuple(r)) for r in rows))
                out[table.name] = hashlib.sha256(body.encode()).hexdigest()
        listing = (
            sorted(
                f"{p.relative_to(self.files)}:{p.stat().st_size}"
                for p in self.files.rglob("*")
                if p.is_file()
            )
            if self.files.exists()
            else []
        )
        out["<stored files>"] = hashlib.sha256("\n".join(listing).encode()).hexdigest()
        return out


class LogWatch:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = self.size()

    def size(self) -> int:
        try:
            return os.path.getsize(self.path)
        except OSError:
            return 0

    def mark(self) -> None:
        self.offset = self.size()

    def errors(self) -> str:
        end = self.size()
        if end <= self.offset:
            return ""
        with open(self.path, "rb") as log:
            log.seek(self.offset)
            new = log.read(end - self.offset).decode(errors="replace")
        self.offset = end
        found = [line for line in new.splitlines() if ERROR_IN_LOG.search(line)]
        return "\n".join(found[:5])


REFUSAL = re.compile(
    r"We couldn't find that|You don't have permission|Your session has ended|"
    r"reason=signed_out|\"page_status\": \"(?:denied|missing)\"|no longer exists|"
    r"only edit your own|not found|isn't on this page",
    re.IGNORECASE,
)


def _normalize(frames: list[str], values: list[str]) -> list[str]:
    """What a frame says once the ids are taken out: the root state's part (the
    router's echo of the address the tab itself sent, and the route's arguments) is
    dropped, the ids of both sets become ``<id>`` and every number 0."""
    out = []
    for frame in frames:
        try:
            data = json.loads(frame)
        except ValueError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("delta"), dict):
            data["delta"].pop(matrix.ROOT, None)
            frame = json.dumps(data, sort_keys=True)
        for value in sorted(values, key=len, reverse=True):
            if not value.isdigit():
                frame = frame.replace(value, "<id>")
        frame = re.sub(r"\b[ws][0-9a-f]{12}\b", "<wid>", frame)
        frame = re.sub(r"\d+", "0", frame)
        if frame != '{"delta": {}}':
            out.append(frame)
    return out


# --------------------------------------------------------------------------- the run
@dataclass
class Case:
    row: Handler
    actor: str
    kind: str  # outsider, forged, allowed, malformed:<arg>:<value>
    frames: list[str]
    error: str = ""
    sent: str = ""  # what the actor sent (a string they sent coming back is no leak)


class MatrixRun:
    def __init__(self, server, built: MatrixWorld) -> None:
        self.server = server
        self.built = built
        self.log = LogWatch(server.log_path)
        self.digest = Digest(server.data_dir)
        self.tabs: dict[str, PortalTab] = {}
        self.last_path: dict[str, str] = {}
        self.captured: list[str] = []
        self.last_main: dict[str, list[str]] = {}
        self.failures: list[str] = []
        self.cases = 0
        self.allowed_refused: list[str] = []

    async def tab(self, actor: str) -> PortalTab:
        tab = self.tabs.get(actor)
        if tab is None or not tab.connected:
            tab = PortalTab(self.server.url)
            await tab.open("/", self.built.cookies.get(actor, ""), settle=0.3)
            self.tabs[actor] = tab
        return tab

    async def send(
        self, actor: str, row: Handler, payload: Any, ids: dict[str, Any], chains: bool = True
    ) -> tuple[list[str], str, str]:
        """The row's ``before`` events and then its own; the frames of all, and what
        went wrong on the server (log errors, a dropped socket, no answer)."""
        self.mark_log()
        tab = await self.tab(actor)
        path = self.last_path[actor] = _path(row, ids)
        sent = json.dumps([path, payload, [_fill(dict(b), ids) for _e, b in row.before]])
        frames: list[str] = []
        problem = ""
        try:
            # The events that set the tab up go out back to back (Reflex runs a tab's
            # events in order), one marker after them; the row's own answer apart.
            setup = [(event, _fill(dict(before), ids)) for event, before in row.before]
            if setup:
                frames += (await tab.call_many([setup], path))[0]
            main = await tab.call(row.event, payload, path, chains=chains)
            self.last_main[actor] = main
            frames += main
        except TimeoutError as error:
            problem = str(error)
        if not tab.connected:
            problem = (problem + "; " if problem else "") + "socket dropped"
        logged = self.log_errors()
        if logged:
            problem = (problem + "; " if problem else "") + f"server log: {logged[:600]}"
        return frames, problem, sent

    def leaks(self, actor: str, frames: list[str], sent: str = "") -> list[str]:
        text_ = "\n".join(frames)
        found = [s for s in self.built.secrets[actor] if s in text_ and s not in sent]
        found += [
            "a password hash or session token" for s in self.built.always_secret if s in text_
        ][:1]
        if "$2b$" in text_:
            found.append("a bcrypt hash")
        return found

    recording = True
    # While a row's actors run at once, the log is checked once for the row.
    concurrent = False

    def mark_log(self) -> None:
        if not self.concurrent:
            self.log.mark()

    def log_errors(self) -> str:
        return "" if self.concurrent else self.log.errors()

    def record(self, case: Case, expected: str) -> None:
        if not self.recording:
            if case.error:
                self.captured.append(f"{case.row.name} [{case.kind}] as {case.actor}")
            return
        self.cases += 1
        operation = case.row.event.rsplit(".", 2)[-2].rsplit("____", 1)[-1] + "." + case.row.name
        where = f"{operation} [{case.kind}]"
        leaked = self.leaks(case.actor, case.frames, case.sent)
        if case.error:
            outcome, detail = ledger.SERVER_ERROR, case.error
        elif leaked:
            outcome, detail = ledger.LEAK, f"frames carry {leaked[:3]}"
        else:
            outcome, detail = expected, ""
        ledger.record(SUITE, outcome=outcome, operation=where, actor=case.actor, detail=detail)
        if outcome in ledger.FAILURES:
            self.failures.append(f"{outcome}: {where} as {case.actor}: {detail}")

    async def batch(self, row: Handler, actor: str) -> list[str]:
        """Every case of one row for one actor; returns which kinds of case ran."""
        in_audience = inside(row, actor)
        kinds = _kinds(row)
        target = self.built.target
        changed_by: list[str] = []

        if not in_audience and {k for k in kinds if k != "version"} and not sees(row, actor):
            # Real ids, then never-existing ones: the refusal must not tell them apart.
            await self.forged(row, actor, target, kind="outsider")
            changed_by.append("outsider")
        elif not in_audience:
            # Refused: nothing chained to wait for (anything late is seen by the flush).
            frames, error, sent = await self.send(
                actor, row, _fill(dict(row.args), target), target, chains=False
            )
            self.record(Case(row, actor, "outsider", frames, error, sent), ledger.REFUSED)
            changed_by.append("outsider")
        else:
            foreign = self.built.foreign.get(actor)
            id_kinds = {k for k in kinds if k not in ("version",)}
            if foreign is not None and id_kinds and id_kinds <= set(foreign):
                # An "anyone" handler looks nothing up (it may keep what it was sent,
                # so two answers in a row differ): the ids are only checked for leaks.
                await self.forged(row, actor, foreign, compare=row.audience != matrix.ANYONE)
                changed_by.append("forged")
            if not row.covered_by:
                frames, error, sent = await self.send(
                    actor, row, _fill(dict(row.args), target), target
                )
                case = Case(row, actor, "allowed", frames, error, sent)
                self.record(case, ledger.ALLOWED)
                if not self.recording or error or row.audience == matrix.ANYONE:
                    pass
                elif _refused(frames):
                    self.allowed_refused.append(f"{row.event} as {actor}: refused")
                elif not frames:
                    self.allowed_refused.append(f"{row.event} as {actor}: answered nothing")
                changed_by.append("allowed")

        # Admin takes every row's malformed arguments; a client and nobody those of
        # rows with an audience (an "anyone" handler runs the same code for all).
        if actor == "admin" or (actor in MALFORMED_ACTORS and row.audience != matrix.ANYONE):
            context = (
                target
                if actor == "anonymous"
                else self.built.foreign.get(actor, self.built.missing)
            )
            base = _fill(dict(row.args), context)
            cases = [
                (f"malformed {argument}={label}", _with(base, argument, value))
                for argument in _malformed_targets(row)
                for label, value in MALFORMED
            ]
            await self.malformed(row, actor, cases, context)
            changed_by.append("malformed")

        await self.flush(row, actor)
        return changed_by

    async def flush(self, row: Handler, actor: str) -> None:
        """Whatever the batch's events chained that answered after their own marker:
        one more marker, and its frames are checked like any case's."""
        self.mark_log()
        tab = await self.tab(actor)
        try:
            late = (await tab.call_many([[]], self.last_path.get(actor, "/")))[0]
            error = ""
        except TimeoutError as timeout:
            late, error = [], str(timeout)
        error = "; ".join(e for e in (error, self.log_errors()) if e)
        leaked = self.leaks(actor, late)
        if (error or leaked) and self.recording:
            outcome = ledger.SERVER_ERROR if error else ledger.LEAK
            detail = error or f"late frames carry {leaked[:3]}"
            ledger.record(SUITE, outcome=outcome, operation=row.event, actor=actor, detail=detail)
            self.failures.append(f"{outcome}: {row.event} as {actor} (late): {detail}")

    async def server_error(self, row: Handler, logged: str) -> None:
        self.recording, self.captured = False, []
        try:
            for actor in ACTOR_NAMES:
                await self.batch(row, actor)
        finally:
            self.recording = True
        detail = f"server log: {logged[:600]}; again in {self.captured[:10] or 'no case'}"
        ledger.record(SUITE, outcome=ledger.SERVER_ERROR, operation=row.event, detail=detail)
        self.failures.append(f"server_error: {row.event}: {detail}")

    async def forbidden_change(
        self, row: Handler, before: dict[str, str], after: dict[str, str]
    ) -> None:
        changed = sorted(name for name in after if after[name] != before.get(name))
        self.recording = False
        culprits = []
        try:
            for actor in ACTOR_NAMES:
                start = self.digest.take()
                kinds = await self.batch(row, actor)
                end = self.digest.take()
                if end != start:
                    culprits.append(f"{actor} ({'/'.join(kinds)} cases)")
        finally:
            self.recording = True
        detail = f"tables {changed} changed; again by {culprits or 'nobody the second time'}"
        for actor in culprits or ["?"]:
            name = actor.split(" ")[0]
            ledger.record(
                SUITE,
                outcome=ledger.FORBIDDEN_CHANGE,
                operation=row.event.rsplit(".", 1)[-1],
                actor=name,
                detail=f"{row.event}: {detail}",
            )
        self.failures.append(f"forbidden_change: {row.event}: {detail}")

    async def malformed(
        self, row: Handler, actor: str, cases: list[tuple[str, Any]], ids: dict[str, Any]
    ) -> None:
        """All of a batch's malformed cases back to back (each after the row's setup
        events), one log check for all; on any trouble, once more one by one so each
        case gets its own log and socket check."""
        if not cases:
            return
        self.mark_log()
        tab = await self.tab(actor)
        path = self.last_path[actor] = _path(row, ids)
        setup = [(event, _fill(dict(before), ids)) for event, before in row.before]
        try:
            answers = await tab.call_many(
                [[*setup, (row.event, payload)] for _kind, payload in cases], path
            )
        except TimeoutError:
            answers = []
        if len(answers) == len(cases) and tab.connected and not self.log_errors():
            for (kind, payload), frames in zip(cases, answers, strict=True):
                sent = json.dumps([path, payload, [b for _e, b in setup]])
                expected = ledger.REFUSED if _refused(frames) else ledger.INERT
                self.record(Case(row, actor, kind, frames, "", sent), expected)
            return
        for kind, payload in cases:
            frames, error, sent = await self.send(actor, row, payload, ids, chains=False)
            expected = ledger.REFUSED if _refused(frames) else ledger.INERT
            self.record(Case(row, actor, kind, frames, error, sent), expected)

    async def forged(
        self,
        row: Handler,
        actor: str,
        foreign: dict[str, Any],
        compare: bool = True,
        kind: str = "forged",
    ) -> None:
        """The row with ``foreign`` ids (the other organization's, or for an outsider
        the real ones), then with never-existing ids: one answer for both."""
        missing = self.built.missing
        real_all, error, sent = await self.send(actor, row, _fill(dict(row.args), foreign), foreign)
        real_frames = self.last_main.get(actor, [])
        gone_all, gone_error, gone_sent = await self.send(
            actor, row, _fill(dict(row.args), missing), missing
        )
        gone_frames = self.last_main.get(actor, [])
        error = "; ".join(e for e in (error, gone_error) if e)
        values = [str(v) for ids in (foreign, missing) for v in ids.values()]
        differ = compare and _normalize(real_frames, values) != _normalize(gone_frames, values)
        if differ and not error:
            # The first of two sends may differ only in what the tab held before:
            # once more with the real ids, now after a never-existing one.
            again, error, sent = await self.send(
                actor, row, _fill(dict(row.args), foreign), foreign
            )
            real_all += again
            real_frames = self.last_main.get(actor, [])
            differ = _normalize(real_frames, values) != _normalize(gone_frames, values)
        case = Case(row, actor, kind, real_all + gone_all, error, sent + gone_sent)
        if differ and not error and not self.leaks(actor, case.frames, case.sent):
            if not self.recording:
                return
            self.cases += 1
            detail = (
                "the answer differs whether the id exists: "
                f"{_normalize(real_frames, values)[:2]} vs {_normalize(gone_frames, values)[:2]}"
            )[:800]
            ledger.record(
                SUITE, outcome=ledger.LEAK, operation=row.event, actor=actor, detail=detail
            )
            self.failures.append(f"leak: {row.event} [{kind}] as {actor}: {detail}")
            return
        self.record(case, ledger.REFUSED)

    async def run(self, rows: list[Handler]) -> None:
        """Row by row, every actor at once (one socket each), the server log checked
        and the database digested before and after the row; when the log shows an
        error or something changed, the row runs again actor by actor (not recorded
        twice) to name the case or the actor."""
        try:
            before = self.digest.take()
            for row in rows:
                start = self.log.size()
                self.concurrent = True
                try:
                    await asyncio.gather(*(self.batch(row, actor) for actor in ACTOR_NAMES))
                finally:
                    self.concurrent = False
                self.log.offset = start
                logged = self.log.errors()
                after = self.digest.take()
                if logged:
                    await self.server_error(row, logged)
                if after != before:
                    await self.forbidden_change(row, before, after)
                if logged or after != before:
                    after = self.digest.take()
                before = after
        finally:
            for tab in self.tabs.values():
                await tab.close()


def _refused(frames: list[str]) -> bool:
    return any(REFUSAL.search(frame) for frame in frames)


def test_every_handler_refuses_everyone_outside_its_audience(portal_server, matrix_world):
    started = time.monotonic()
    run = MatrixRun(portal_server, matrix_world)
    # PORTAL_MATRIX_ONLY=<text> runs only the rows whose event name contains it.
    only = os.environ.get("PORTAL_MATRIX_ONLY", "")
    _run(run.run([row for row in matrix.HANDLERS if only in row.event]))
    elapsed = time.monotonic() - started
    print(
        f"\n[handler matrix] {len(matrix.HANDLERS)} handlers, {run.cases} cases in "
        f"{elapsed:.1f} s (database digests {run.digest.seconds:.1f} s)"
    )
    if os.environ.get("PORTAL_MATRIX_REPORT"):
        Path(os.environ["PORTAL_MATRIX_REPORT"]).write_text("\n".join(run.failures))
    assert not run.failures, f"{len(run.failures)} failures:\n" + "\n".join(run.failures[:60])
    assert not run.allowed_refused, "allowed callers were refused:\n" + "\n".join(
        run.allowed_refused
    )
