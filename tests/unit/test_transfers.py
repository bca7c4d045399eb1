"""Resumable uploads over HTTP (api/transfers.py + services/transfers.py): create, send
in pieces, ask where it stands, finish; a body cut at 60% continues from what reached
the disk; wrong offsets, other people's ids, cancelling, expiry; partial blobs in the
storage; the memory a large upload takes. Real SQLite database, real storage folder."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from starlette.applications import Starlette

from portal_app.api import files as file_routes
from portal_app.api import transfers as transfer_routes
from portal_app.clock import utcnow
from portal_app.db import session_scope
from portal_app.models import StoredFile, UploadSession
from portal_app.services import sessions, transfers
from portal_app.storage import BlobTooLarge, OffsetMismatch, get_storage
from tests.support.pages import build_page

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n" + bytes(range(256)) * 400  # ~100 KB
APP = Starlette(routes=[*file_routes.routes, *transfer_routes.routes])


@pytest.fixture
def room(world):
    return build_page(
        world.admin,
        "Deliverables",
        [
            ("attachments", None),
            ("form", {"fields": [{"id": "doc", "label": "Doc", "kind": "file"}]}),
        ],
        organizations={world.northwind_id: "contribute"},
    )


def destination(room, type_name="attachments"):
    return {"kind": "widget", "page": room.id, "widget": room.widget(type_name)}


def call(token, method, url, **kwargs):
    """One request on a private event loop in a worker thread (Playwright may own this
    thread's loop in a full run)."""

    async def run():
        transport = httpx.ASGITransport(app=APP)
        async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as c:
            if token:
                c.cookies.set(sessions.COOKIE_NAME, token)
            return await c.request(method, url, **kwargs)

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


def cut_patch(token, url, offset, body, cut_at):
    """A PATCH whose connection drops after ``cut_at`` bytes of ``body`` (the browser
    went offline): raw ASGI, the server sees ``http.disconnect``."""
    sent = []
    pieces = [body[i : i + 16384] for i in range(0, cut_at, 16384)]
    pieces[-1] = pieces[-1][: cut_at - 16384 * (len(pieces) - 1)]

    async def receive():
        if pieces:
            return {"type": "http.request", "body": pieces.pop(0), "more_body": True}
        return {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "PATCH",
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"portal.test"),
            (b"cookie", f"{sessions.COOKIE_NAME}={token}".encode()),
            (b"upload-offset", str(offset).encode()),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("192.0.2.1", 1234),
        "server": ("portal.test", 80),
    }
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, APP(scope, receive, send)).result()
    return sent


def start(token, dest, name="report.pdf", size=len(PDF)):
    return call(token, "POST", "/uploads", json={"destination": dest, "name": name, "size": size})


def patch(token, upload_id, offset, body):
    return call(
        token,
        "PATCH",
        f"/uploads/{upload_id}",
        content=body,
        headers={"upload-offset": str(offset), "content-type": "application/offset+octet-stream"},
    )


def leftovers():
    """Every file in the storage folder, partials included."""
    return sorted(p for p in get_storage().root.rglob("*") if p.is_file())


# --- the protocol ---------------------------------------------------------------------------


def test_create_patch_head_finish(world, room, session_for):
    dana = session_for(world.dana)
    created = start(dana, destination(room))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["offset"] == 0 and body["chunk_size"] == 8 * 1024 * 1024
    upload_id = body["id"]
    assert len(upload_id) >= 43  # 256 random bits

    head = call(dana, "HEAD", f"/uploads/{upload_id}")
    assert head.status_code == 200
    assert head.headers["upload-offset"] == "0"
    assert head.headers["upload-length"] == str(len(PDF))

    half = len(PDF) // 2
    first = patch(dana, upload_id, 0, PDF[:half])
    assert first.status_code == 204 and first.headers["upload-offset"] == str(half)
    assert call(dana, "HEAD", f"/uploads/{upload_id}").headers["upload-offset"] == str(half)

    last = patch(dana, upload_id, half, PDF[half:])
    assert last.status_code == 201, last.text
    stored = last.json()["file"]
    assert stored["name"] == "report.pdf" and stored["url"] == f"/files/{stored['id']}"

    # Asking again (a retried last request, a status check) gets the same answer.
    again = patch(dana, upload_id, len(PDF), b"")
    assert again.status_code == 201 and again.json()["file"] == stored
    head = call(dana, "HEAD", f"/uploads/{upload_id}")
    assert head.headers["upload-offset"] == str(len(PDF)) and head.headers["upload-complete"]
    assert call(dana, "GET", f"/uploads/{upload_id}").json()["file"] == stored

    got = call(session_for(world.ana), "GET", stored["url"])
    assert got.status_code == 200 and got.content == PDF
    with session_scope() as session:
        row = session.get(StoredFile, stored["id"])
        assert row.scan_status == "unscanned" and row.size == len(PDF)
    # The partial became the blob: nothing else is left in the storage.
    assert len(leftovers()) == 1


def test_an_upload_cut_at_60_percent_continues_where_it_stopped(world, room, session_for):
    dana = session_for(world.dana)
    upload_id = start(dana, destination(room)).json()["id"]
    cut = int(len(PDF) * 0.6)
    answer = cut_patch(dana, f"/uploads/{upload_id}", 0, PDF, cut)
    assert answer[0]["status"] == 400  # the body never arrived whole

    head = call(dana, "HEAD", f"/uploads/{upload_id}")
    offset = int(head.headers["upload-offset"])
    assert offset == cut  # everything that reached the server was kept
    with session_scope() as session:
        assert session.query(StoredFile).count() == 0

    done = patch(dana, upload_id, offset, PDF[offset:])
    assert done.status_code == 201, done.text
    got = call(dana, "GET", done.json()["file"]["url"])
    assert got.content == PDF


def test_a_wrong_offset_is_told_the_right_one(world, room, session_for):
    dana = session_for(world.dana)
    upload_id = start(dana, destination(room)).json()["id"]
    assert patch(dana, upload_id, 0, PDF[:1000]).status_code == 204
    for wrong in (0, 999, 1001, 50_000):
        refused = patch(dana, upload_id, wrong, PDF[wrong : wrong + 10])
        assert refused.status_code == 409
        assert refused.headers["upload-offset"] == "1000"
        assert "1000" in refused.json()["message"]
    bad = patch(dana, upload_id, "-1", b"x")
    assert bad.status_code == 400 and "offset" in bad.json()["message"]
    assert call(dana, "HEAD", f"/uploads/{upload_id}").headers["upload-offset"] == "1000"


def test_another_persons_upload_is_not_found(world, room, session_for):
    dana = session_for(world.dana)
    upload_id = start(dana, destination(room)).json()["id"]
    patch(dana, upload_id, 0, PDF[:100])
    for token in (session_for(world.admin), session_for(world.sam), session_for(world.ana)):
        assert call(token, "HEAD", f"/uploads/{upload_id}").status_code == 404
        refused = patch(token, upload_id, 100, PDF[100:])
        assert refused.status_code == 404 and "upload-offset" not in refused.headers
        assert call(token, "DELETE", f"/uploads/{upload_id}").status_code == 404
    assert call(None, "HEAD", f"/uploads/{upload_id}").status_code == 401
    assert call(dana, "HEAD", "/uploads/" + "A" * 43).status_code == 404
    assert call(dana, "HEAD", f"/uploads/{upload_id}").headers["upload-offset"] == "100"


def test_writes_from_another_site_are_refused(world, room, session_for):
    dana = session_for(world.dana)
    evil = {"origin": "https://evil.example"}
    created = call(
        dana,
        "POST",
        "/uploads",
        json={"destination": destination(room), "name": "a.pdf", "size": 10},
        headers=evil,
    )
    assert created.status_code == 403
    upload_id = start(dana, destination(room)).json()["id"]
    refused = call(
        dana,
        "PATCH",
        f"/uploads/{upload_id}",
        content=PDF,
        headers={**evil, "upload-offset": "0"},
    )
    assert refused.status_code == 403
    assert call(dana, "DELETE", f"/uploads/{upload_id}", headers=evil).status_code == 403


def test_cancel_discards_the_bytes(world, room, session_for):
    dana = session_for(world.dana)
    upload_id = start(dana, destination(room)).json()["id"]
    patch(dana, upload_id, 0, PDF[:5000])
    assert leftovers()
    assert call(dana, "DELETE", f"/uploads/{upload_id}").status_code == 204
    assert leftovers() == []
    assert call(dana, "HEAD", f"/uploads/{upload_id}").status_code == 404
    assert patch(dana, upload_id, 5000, PDF[5000:]).status_code == 404


def test_clients_and_guest_rules_are_the_destinations(world, room, session_for):
    """A client may upload where the widget lets contributors (a form), not to staff
    attachments; the check runs before a byte is sent."""
    ana = session_for(world.ana)
    refused = start(ana, destination(room, "attachments"))
    assert refused.status_code == 403 and refused.json()["message"]
    hidden = start(session_for(world.hank), destination(room, "form"))
    assert hidden.status_code == 404
    created = start(ana, destination(room, "form"))
    assert created.status_code == 201
    done = patch(ana, created.json()["id"], 0, PDF)
    assert done.status_code == 201 and done.json()["file"]["name"] == "report.pdf"
    for bad in ({}, {"kind": "elsewhere"}, "widget", [1], {"kind": "widget", "page": "x"}):
        answer = start(ana, bad)
        assert 400 <= answer.status_code < 500 and answer.json()["message"]


def test_access_is_asked_again_when_the_last_byte_arrives(world, room, session_for):
    from portal_app.services import grants

    ana = session_for(world.ana)
    upload_id = start(ana, destination(room, "form")).json()["id"]
    patch(ana, upload_id, 0, PDF[:9000])
    grants.set_permissions(
        world.admin,
        room.id,
        staff_access="all",
        staff_ids=[],
        grants=[{"kind": "organization", "id": world.northwind_id, "level": "view"}],
    )
    refused = patch(ana, upload_id, 9000, PDF[9000:])
    assert refused.status_code == 403
    assert leftovers() == []
    with session_scope() as session:
        assert session.query(StoredFile).count() == 0


def test_expired_uploads_are_swept_with_their_bytes(world, room, session_for, database):
    dana = session_for(world.dana)
    upload_id = start(dana, destination(room)).json()["id"]
    patch(dana, upload_id, 0, PDF[:5000])
    keep = start(dana, destination(room)).json()["id"]
    with session_scope() as session:
        row = session.exec(
            UploadSession.__table__.select().where(  # type: ignore[attr-defined]
                UploadSession.token_hash == transfers.token_hash(upload_id)
            )
        ).first()
        expired = session.get(UploadSession, row.id)
        expired.expires_at = utcnow() - timedelta(seconds=1)
        session.add(expired)
    assert call(dana, "HEAD", f"/uploads/{upload_id}").status_code == 404
    assert transfers.sweep_expired() >= 1
    assert database.rows(UploadSession) and len(database.rows(UploadSession)) == 1
    assert call(dana, "HEAD", f"/uploads/{keep}").status_code == 200
    assert len(leftovers()) == 1  # the kept upload's empty partial


def test_the_worker_sweeps_uploads_every_hour(tmp_path):
    from portal_app import worker

    queue = worker.build_queue(str(tmp_path), "")
    names = {task.__name__ for task in queue._registry._periodic_tasks}
    assert "sweep_uploads" in names


# --- the storage's partial blobs ----------------------------------------------------------------


def test_partials_are_kept_apart_and_checked(portal_db):
    storage = get_storage()
    key = storage.begin_partial()
    assert not storage.exists(key)
    assert storage.append_partial(key, 0, [b"abc", b"def"], max_bytes=10) == 6
    with pytest.raises(OffsetMismatch) as mismatch:
        storage.append_partial(key, 3, [b"x"], max_bytes=10)
    assert mismatch.value.expected == 6
    with pytest.raises(BlobTooLarge):
        storage.append_partial(key, 6, [b"ghij", b"klm"], max_bytes=10)
    assert storage.partial_size(key) == 10  # stopped before the chunk that crossed
    assert storage.read_partial_head(key, 4) == b"abcd"

    def broken():
        yield b"zz"
        raise ConnectionError("gone")

    other = storage.begin_partial()
    with pytest.raises(ConnectionError):
        storage.append_partial(other, 0, broken(), max_bytes=100)
    assert storage.partial_size(other) == 2

    blob = storage.complete_partial(key)
    assert blob.key == key and blob.size == 10
    assert b"".join(storage.open_range(key)) == b"abcdefghij"
    import hashlib

    assert blob.sha256 == hashlib.sha256(b"abcdefghij").hexdigest()
    old = storage.root / ".partial" / other
    os.utime(old, (time.time() - 30 * 3600,) * 2)
    assert storage.sweep_partials(25) == 1 and not old.exists()
    storage.discard_partial(other)  # gone already: not an error
    for forged in ("../../etc/passwd", "A" * 32, ""):
        with pytest.raises(ValueError):
            storage.append_partial(forged, 0, [b"x"], max_bytes=10)


# --- memory ------------------------------------------------------------------------------------


async def asgi(method, path, token, chunks, headers, keep=True):
    """One request to the app over ASGI: ``chunks`` sent as the body; the answer's
    status, headers and body (or, with ``keep=False``, only its length)."""
    pending = iter(chunks)
    answer: dict = {"status": 0, "headers": [], "body": b"", "length": 0}

    async def receive():
        piece = next(pending, None)
        await asyncio.sleep(0)
        if piece is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": piece, "more_body": True}

    async def send(message):
        if message["type"] == "http.response.start":
            answer["status"], answer["headers"] = message["status"], message["headers"]
        elif message["type"] == "http.response.body":
            answer["length"] += len(message.get("body", b""))
            if keep:
                answer["body"] += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"portal.test"),
            (b"cookie", f"{sessions.COOKIE_NAME}={token}".encode()),
            *((k.encode(), str(v).encode()) for k, v in headers.items()),
        ],
        "client": ("192.0.2.1", 1234),
        "server": ("portal.test", 80),
    }
    await APP(scope, receive, send)
    return answer["status"], answer["headers"], answer["body"] if keep else answer["length"]


def _rss() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux /proc")
def test_a_300_mb_upload_and_download_stay_small_in_memory(world, room, session_for, monkeypatch):
    """300 MB through the protocol (8 MB pieces, streamed bodies) and back through the
    download route: the process's resident memory grows by less than 100 MB."""
    from portal_app import config

    monkeypatch.setenv("PORTAL_MAX_UPLOAD_MB", "400")
    config.reload_settings()
    dana = session_for(world.dana)
    size = 300 * 1024 * 1024
    piece = 8 * 1024 * 1024
    block = PDF[:4096] + b"\0" * (1024 * 1024 - 4096)
    upload_id = start(dana, destination(room), name="big.pdf", size=size).json()["id"]

    peak = [0]
    running = threading.Event()
    running.set()

    def watch():
        while running.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.02)

    def body(first: int):
        for at in range(first, min(first + piece, size), len(block)):
            yield block[: size - at]

    async def run():
        # Straight to the ASGI app (httpx's in-process transport keeps a whole response
        # body in memory): bodies go in piece by piece and come out counted, not kept.
        last = None
        for offset in range(0, size, piece):
            last = await asgi(
                "PATCH", f"/uploads/{upload_id}", dana, body(offset), {"upload-offset": offset}
            )
            assert last[0] in (201, 204), last
        url = json.loads(last[2])["file"]["url"]
        status, _, received = await asgi("GET", url, dana, iter(()), {}, keep=False)
        assert status == 200
        return received

    before = _rss()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            received = pool.submit(asyncio.run, run()).result()
    finally:
        running.clear()
        watcher.join()
    assert received == size
    growth = peak[0] - before
    print(f"RSS growth {growth / 2**20:.1f} MB")
    assert growth < 100 * 1024 * 1024, f"RSS grew by {growth / 2**20:.0f} MB"


def test_the_upload_id_is_stored_only_as_its_hash(world, room, session_for, database):
    dana = session_for(world.dana)
    upload_id = start(dana, destination(room)).json()["id"]
    assert upload_id not in database.dump()
    assert json.loads(database.rows(UploadSession)[0].destination)["kind"] == "widget"
