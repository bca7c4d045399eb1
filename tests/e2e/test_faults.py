"""Faults: the portal is killed (SIGKILL to its whole process group, as a power cut or
the OOM killer would) in the middle of what it is doing, then started again on the
same data. Nothing may be left half done:

(a) an upload whose request body was half sent: after the restart no partial file is
    listed, the storage folder holds no blob without a row, and no row lacks its bytes;
(b) a publish (the event sent, the kill right behind it, at several delays): the page a
    client reads is the old published version or the new one, never a mix, and no
    version row exists that the page doesn't point at;
(c) a comment whose subscriber mail is still pending (the first run has no delivery
    worker, ``PORTAL_WORKER=off``): after the restart the real SMTP server receives
    that mail exactly once.

Each case is recorded in the security ledger (suite ``faults``).

Every test runs its own server (``own_server``) on its own port and data folder, so
killing it leaves the session's browser-test server alone. It serves backend only
(``scripts/serve.sh --backend-only``: the HTTP routes and the event socket, all these
faults touch): the .web-e2e frontend build has the session server's port baked into it
and is served by that server, so a server on another port would have to rebuild it
(minutes) and would overwrite it under the running session server. A restart therefore
costs the backend's start-up only (``portal migrate`` + serve), printed as
``[faults] ... started in N s``. Clients are real: raw HTTP for the upload,
``tests.support.wire.PortalTab`` (socket.io, Reflex's protocol) for the events, and a
real SMTP server (``tests.support.smtp.SmtpCapture``) for the mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlmodel import select

from portal_app.access import Actor, actor_for
from portal_app.db import session_scope
from portal_app.models import OutboxMessage, Page, PageVersion, StoredFile, User
from portal_app.services import files, organizations, sessions, subscriptions
from portal_app.services import pages as page_service
from portal_app.state.editor import EditorState
from portal_app.storage import get_storage
from portal_app.storage.base import KEY
from portal_app.widgets.discussion import actions as discussion
from portal_app.widgets.discussion.state import DiscussionState
from tests.e2e.server import PortalServer, free_port, make_server, start_portal
from tests.e2e.support import server_env
from tests.e2e.support_world import add_person
from tests.support import ledger
from tests.support.pages import build_page
from tests.support.smtp import SmtpCapture
from tests.support.wire import PortalTab, handler_name

pytestmark = pytest.mark.own_server

PASSWORD = "fault line rehearsal"  # noqa: S105  (test fixture)
STAFF_EMAIL = "fiona.faults@firm.example"
CLIENT_EMAIL = "cleo@faultline.example"
PDF_HEAD = b"%PDF-1.7\n"
STARTS: list[tuple[str, float]] = []
PUBLISH = handler_name(EditorState.publish)
POST_COMMENT = handler_name(DiscussionState.post)


# --------------------------------------------------------------------------- the server
class Portal:
    """One data folder, served by a portal that can be killed and started again."""

    def __init__(self, data_dir: Path, smtp: SmtpCapture | None) -> None:
        self.data_dir = data_dir
        self.port = free_port()
        self.smtp = smtp
        self.server: PortalServer | None = None

    def start(self, label: str, **extra: str) -> PortalServer:
        env = {"PORTAL_WORKER": "on", **extra}
        if self.smtp is not None:
            env |= {"PORTAL_SMTP_HOST": self.smtp.host, "PORTAL_SMTP_PORT": str(self.smtp.port)}
        self.server = make_server(self.port, self.data_dir, env)
        started = time.monotonic()
        start_portal(self.server, backend_only=True)
        took = time.monotonic() - started
        STARTS.append((label, took))
        print(f"\n[faults] {label} started in {took:.1f} s", file=sys.stderr)
        return self.server

    def kill(self) -> None:
        """SIGKILL to the whole process group: serve.sh's python, Granian and its
        workers, the mail worker's threads. Nothing gets to clean up."""
        assert self.server is not None and self.server.process is not None
        process = self.server.process
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)
        deadline = time.monotonic() + 15
        while _group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _group_alive(process.pid), "a process of the killed group survived"

    def stop(self) -> None:
        process = self.server.process if self.server is not None else None
        if process is not None and process.poll() is None:
            self.kill()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def portal(tmp_path):
    made = Portal(tmp_path / "data", None)
    yield made
    made.stop()


@pytest.fixture
def mail_portal(tmp_path):
    with SmtpCapture() as smtp:
        made = Portal(tmp_path / "data", smtp)
        yield made
        made.stop()


def _people(server: PortalServer) -> dict[str, Actor]:
    with server_env(server):
        staff_id = add_person(STAFF_EMAIL, "Fiona Faults", "admin", None, PASSWORD)
        with session_scope() as session:
            admin = actor_for(session.get(User, staff_id))
        org = organizations.create_organization(admin, "Faultline Clients").id
        client_id = add_person(CLIENT_EMAIL, "Cleo Client", "limited", org, PASSWORD)
        with session_scope() as session:
            client = actor_for(session.get(User, client_id))
        return {"staff": admin, "client": client, "org": org}  # type: ignore[dict-item]


def _cookie(server: PortalServer, actor: Actor) -> str:
    with server_env(server), session_scope() as session:
        user = session.get(User, actor.user_id)
        return sessions.open_session(session, user, ip="192.0.2.9", user_agent="faults")


def _wire(coroutine):
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result(timeout=180)


def _record(operation: str, problems: list[str]) -> None:
    ledger.record(
        "faults",
        operation=operation,
        actor="kill -9",
        outcome=ledger.FORBIDDEN_CHANGE if problems else ledger.ALLOWED,
        detail="; ".join(problems),
    )


# --------------------------------------------------------------------------- (a) upload
def _upload_request(server: PortalServer, cookie: str, page_id: int, widget: str, size: int):
    head = (
        f"POST /files/upload?page={page_id}&widget={widget}&name=half-sent.pdf HTTP/1.1\r\n"
        f"Host: localhost:{server.port}\r\n"
        f"Cookie: portal_session={cookie}\r\n"
        "Content-Type: application/pdf\r\n"
        f"Content-Length: {size}\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    return head


def _storage_state(server: PortalServer) -> tuple[set[str], list[Path], dict[str, str]]:
    """(key-shaped blobs in the storage folder, anything else in it, key -> file name
    of every row)."""
    with server_env(server):
        root = get_storage().root  # type: ignore[attr-defined]
        with session_scope() as session:
            rows = {f.storage_key: f.filename for f in session.exec(select(StoredFile)).all()}
    blobs, other = set(), []
    for path in root.rglob("*") if root.exists() else []:
        if path.is_file():
            if KEY.fullmatch(path.name) and path.parent.name == path.name[:2]:
                blobs.add(path.name)
            else:
                other.append(path)
    return blobs, other, rows


def test_killed_during_an_upload_leaves_no_partial_file(portal):
    server = portal.start("first start")
    people = _people(server)
    staff = people["staff"]
    with server_env(server):
        page = build_page(staff, "Fault upload room", [("attachments", None)])
        widget = page.widget("attachments")
        kept = files.save_upload(staff, page.id, widget, "kept.pdf", [PDF_HEAD + b"1" * 500])
    cookie = _cookie(server, staff)
    size = 8 * 1024 * 1024
    half = PDF_HEAD + b"0" * (size // 2 - len(PDF_HEAD))

    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(_upload_request(server, cookie, page.id, widget, size) + half)
    # The server is writing it: a temporary file is growing in the storage folder.
    deadline = time.monotonic() + 30
    temporary: list[Path] = []
    while time.monotonic() < deadline:
        temporary = [p for p in _storage_state(server)[1] if p.name.startswith(".upload-")]
        if temporary and temporary[0].stat().st_size > 0:
            break
        time.sleep(0.05)
    assert temporary, "the upload never reached the storage folder"
    written = temporary[0].stat().st_size
    portal.kill()
    sock.close()

    server = portal.start("restart after upload kill")
    problems = []
    blobs, other, rows = _storage_state(server)
    with server_env(server):
        listed = [f.name for f in files.list_files(staff, page.id, widget)]
        storage = get_storage()
        for key, name in rows.items():
            if not storage.exists(key):
                problems.append(f"row {name!r} has no bytes")
    if listed != ["kept.pdf"]:
        problems.append(f"the widget lists {listed}")
    if "half-sent.pdf" in rows.values():
        problems.append("a row was written for the half-sent file")
    if blobs != set(rows):
        problems.append(f"blobs without a row: {sorted(blobs - set(rows))}")
    # Over the wire, as the browser's widget gets it.
    frames = _wire(_open_page(server, cookie, page.slug))
    if "kept.pdf" not in frames:
        problems.append("the page never showed its files over the socket")
    if "half-sent" in frames:
        problems.append("the half-sent file reached the widget")
    leftovers = [p for p in other if p.name.startswith(".upload-")]
    print(
        f"[faults] upload killed after {written:,} of {size:,} bytes reached storage; "
        f"{len(leftovers)} temporary file(s) left (dot-named, never a key, so never listed "
        "or served)",
        file=sys.stderr,
    )
    if [p for p in other if not p.name.startswith(".upload-")]:
        problems.append(f"unexpected files in storage: {other}")
    _record("kill -9 during an upload (body half sent)", problems)
    assert not problems, problems
    assert kept.name == "kept.pdf"


async def _open_page(server: PortalServer, cookie: str, slug: str) -> str:
    tab = PortalTab(server.url)
    await tab.open(f"/pages/{slug}", cookie, settle=2.0)
    await tab.close()
    return tab.text()


# --------------------------------------------------------------------------- (b) publish
def _version_state(server: PortalServer, page_id: int) -> tuple[int | None, list[int]]:
    with server_env(server), session_scope() as session:
        page = session.get(Page, page_id)
        numbers = session.exec(
            select(PageVersion.number).where(PageVersion.page_id == page_id)
        ).all()
    assert page is not None
    return page.published_version, sorted(numbers)


async def _publish_and_die(portal: Portal, cookie: str, page_id: int, delay: float) -> None:
    server = portal.server
    assert server is not None
    tab = PortalTab(server.url)
    await tab.open(f"/editor/{page_id}", cookie, settle=2.0)
    assert "alpha-v" in tab.text(), "the editor never loaded"
    assert tab._client is not None
    await tab._client.emit(
        "event",
        {
            "name": PUBLISH,
            "payload": {},
            "router_data": {"pathname": f"/editor/{page_id}", "asPath": f"/editor/{page_id}"},
        },
        namespace="/_event",
    )
    await asyncio.sleep(delay)
    portal.kill()
    with contextlib.suppress(Exception):  # the server is gone
        await tab.close()


def test_killed_while_publishing_leaves_the_old_or_the_new_version(portal):
    server = portal.start("first start")
    people = _people(server)
    staff, client = people["staff"], people["client"]
    with server_env(server):
        page = build_page(
            staff,
            "Fault publish room",
            [("rich_text", {"html": "<p>alpha-v1</p>"}), ("heading", {"text": "beta-v1"})],
            organizations={people["org"]: "view"},  # type: ignore[dict-item]
        )
    cookie = _cookie(server, staff)
    outcomes = []
    for attempt, delay in enumerate((0.0, 0.02, 0.08, 0.3), start=2):
        with server_env(server):
            _edit_both(staff, page, f"v{attempt}")
        before = _version_state(server, page.id)
        _wire(_publish_and_die(portal, cookie, page.id, delay))
        server = portal.start(f"restart after publish kill ({delay * 1000:.0f} ms)")
        published, numbers = _version_state(server, page.id)
        problems = []
        if numbers and published != numbers[-1]:
            problems.append(f"version rows {numbers} but the page points at {published}")
        if published not in (before[0], (before[0] or 0) + 1):
            problems.append(f"published {published}, expected {before[0]} or the next")
        with server_env(server):
            shown = _published_text(client, page.slug)
        marks = {m for m in ("v1", *(f"v{n}" for n in range(2, 6))) if f"alpha-{m}" in shown}
        marks |= {m for m in ("v1", *(f"v{n}" for n in range(2, 6))) if f"beta-{m}" in shown}
        expected = f"v{attempt}" if published == (before[0] or 0) + 1 else None
        if len(marks) != 1 or (expected and marks != {expected}):
            problems.append(f"the client reads a mix: {sorted(marks)} in {shown[:200]!r}")
        frames = _wire(_open_page(server, _cookie(server, client), page.slug))
        seen = {m for m in ("v1", *(f"v{n}" for n in range(2, 6))) if f"-{m}" in frames}
        if seen != marks:
            problems.append(f"the socket showed {sorted(seen)}, the service {sorted(marks)}")
        outcomes.append((delay, "new" if published != before[0] else "old"))
        _record(f"kill -9 {delay * 1000:.0f} ms after the publish event", problems)
        assert not problems, problems
    print(
        f"[faults] publish kills (delay s, version the client reads): {outcomes}", file=sys.stderr
    )


def _edit_both(editor: Actor, page, mark: str) -> None:
    """Two widgets changed in the draft: a publish shows both changes or neither."""
    from portal_app.services import drafts

    revision = drafts.get_draft(editor, page.id).revision
    for type_name, config in (
        ("rich_text", {"html": f"<p>alpha-{mark}</p>"}),
        ("heading", {"text": f"beta-{mark}"}),
    ):
        revision = drafts.edit_draft(
            editor,
            page.id,
            revision,
            "update_widget",
            {"widget_id": page.widget(type_name), "config": config},
        ).revision


def _published_text(client: Actor, slug: str) -> str:
    view = page_service.view_page(client, slug)
    return repr(view)


# --------------------------------------------------------------------------- (c) mail
def test_mail_pending_when_killed_is_delivered_once_after_restart(mail_portal):
    smtp = mail_portal.smtp
    assert smtp is not None
    server = mail_portal.start("first start (no mail worker)", PORTAL_WORKER="off")
    people = _people(server)
    staff, client = people["staff"], people["client"]
    with server_env(server):
        page = build_page(
            staff,
            "Fault mail room",
            [("discussion", None)],
            organizations={people["org"]: "contribute"},  # type: ignore[dict-item]
        )
        subscriptions.set_subscribed(staff, page.id, True)
    words = "kingfisher ledger reconciliation"
    _wire(
        _post_comment(server, _cookie(server, client), page.slug, page.widget("discussion"), words)
    )
    with server_env(server), session_scope() as session:
        queued = session.exec(
            select(OutboxMessage).where(OutboxMessage.recipient == STAFF_EMAIL)
        ).all()
    assert [m.status for m in queued] == ["pending"], queued
    assert words in queued[0].body
    assert smtp.find(to=STAFF_EMAIL) == []
    mail_portal.kill()

    started = time.monotonic()
    server = mail_portal.start("restart with the mail worker")
    smtp.wait_for(to=STAFF_EMAIL, subject="Fault mail room", timeout=120)
    took = time.monotonic() - started
    time.sleep(5)  # anything sent twice would arrive by now
    got = [m for m in smtp.find(to=STAFF_EMAIL) if words in m.text]
    with server_env(server), session_scope() as session:
        row = session.get(OutboxMessage, queued[0].id)
    problems = []
    if len(got) != 1:
        problems.append(f"the mail arrived {len(got)} times")
    if row is None or row.status != "sent" or row.attempts != 1:
        problems.append(f"outbox row: {row}")
    print(f"[faults] pending mail delivered {took:.1f} s after the restart began", file=sys.stderr)
    _record("kill -9 with subscriber mail pending", problems)
    assert not problems, problems
    with server_env(server):  # the comment itself survived
        assert [
            c.body for c in discussion.list_comments(staff, page.id, page.widget("discussion"))
        ] == [words]


async def _post_comment(server: PortalServer, cookie: str, slug: str, widget: str, body: str):
    tab = PortalTab(server.url)
    await tab.open(f"/pages/{slug}", cookie, settle=2.0)
    await tab.send(
        POST_COMMENT,
        {"form": {"widget": widget, "body": body, "parent": ""}},
        f"/pages/{slug}",
        settle=2.0,
    )
    await tab.close()
    assert body in tab.text(), "the comment never came back over the socket"


def teardown_module(module):
    if STARTS:
        print(
            "\n[faults] server starts: "
            + ", ".join(f"{label} {took:.1f} s" for label, took in STARTS),
            file=sys.stderr,
        )
