"""Hostile uploads over the real upload route of the running portal
(``POST /files/upload``, raw body and multipart, as the attachments and form widgets
send them), signed in as a Northwind client (form files) and as staff (attachments).

What is tried: names that climb out of folders (``../../etc/passwd``, backslashes,
absolute paths, NUL), programs and web pages disguised as PDFs and images, an empty
file, a file over the size limit (declared and streamed), and uploads whose client
drops the connection halfway through the body.

What must hold: a refusal says why (4xx with a message); an accepted file is stored
under a server-made name inside the storage folder and listed under a clean name; a
refused or interrupted upload leaves nothing behind (no file, no temporary file, no
``stored_file`` row, nothing new in the widget's list); no traceback in the server log.
Every case is recorded in the security ledger (suite "uploads").
"""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from sqlmodel import select

from portal_app.db import session_scope
from portal_app.models import StoredFile
from portal_app.services import files
from tests.e2e.support import server_env
from tests.support import ledger
from tests.support.tenant_world import PASSWORD, build_tenant_world

SUITE = "uploads"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n" + b"0" * 300
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 300
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 300
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'
KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}$")


@pytest.fixture(scope="module")
def tenant(portal_server):
    with server_env(portal_server):
        world = build_tenant_world()
    cookies = {}
    for name in ("ana", "dana"):
        response = httpx.post(
            f"{portal_server.url}/auth/login",
            json={"email": world.emails[name], "password": PASSWORD},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        cookies[name] = response.cookies["portal_session"]
    world.cookies = cookies
    return world


def storage_root(portal_server) -> Path:
    return Path(portal_server.data_dir) / "files"


def stored_paths(portal_server) -> set[str]:
    root = storage_root(portal_server)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def stored_rows() -> list[tuple]:
    with session_scope() as session:
        return sorted(
            (f.id, f.filename, f.storage_key, f.deleted_at is None)
            for f in session.exec(select(StoredFile))
        )


def data_dir_files(portal_server) -> set[str]:
    """Every file under the server's data folder except its database, queue and log."""
    root = Path(portal_server.data_dir)
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file()
        and not p.name.startswith(("portal.db", "queue.db", "server.log"))
        and "states" not in p.parts
    }


class Uploads:
    def __init__(self, portal_server, tenant, who: str, widget: str) -> None:
        room = tenant.pages["northwind_room"]
        self.url = portal_server.url
        self.cookie = tenant.cookies[who]
        self.page_id = room.id
        self.widget_id = room.widget(widget)
        self.actor = tenant.actor(who)

    def raw(self, name: str, data: bytes, content_type: str = "application/pdf"):
        return httpx.post(
            f"{self.url}/files/upload?page={self.page_id}&widget={self.widget_id}"
            f"&name={quote(name, safe='')}",
            content=data,
            headers={"Content-Type": content_type, "Origin": self.url},
            cookies={"portal_session": self.cookie},
            timeout=60,
        )

    def multipart(self, name: str, data: bytes, content_type: str = "application/pdf"):
        return httpx.post(
            f"{self.url}/files/upload?page={self.page_id}&widget={self.widget_id}",
            files={"file": (name, data, content_type)},
            headers={"Origin": self.url},
            cookies={"portal_session": self.cookie},
            timeout=60,
        )

    def listed(self) -> list[str]:
        return [row.name for row in files.list_files(self.actor, self.page_id, self.widget_id)]


@pytest.fixture
def ana(portal_server, tenant) -> Uploads:
    return Uploads(portal_server, tenant, "ana", "form")


@pytest.fixture
def dana(portal_server, tenant) -> Uploads:
    return Uploads(portal_server, tenant, "dana", "attachments")


class LeavesNothing:
    """Storage folder, data folder, stored_file rows and the widget's list, before and
    after: a refused upload changes none of them."""

    def __init__(self, portal_server, uploads: Uploads) -> None:
        self.server = portal_server
        self.uploads = uploads
        self.log_start = portal_server.log_path.stat().st_size

    def __enter__(self):
        self.paths = data_dir_files(self.server)
        self.rows = stored_rows()
        self.listed = self.uploads.listed()
        return self

    def __exit__(self, *exc):
        if exc[0] is not None:
            return False
        assert data_dir_files(self.server) == self.paths
        assert stored_rows() == self.rows
        assert self.uploads.listed() == self.listed
        assert_no_traceback(self.server, self.log_start)
        return False


def assert_no_traceback(portal_server, start: int) -> None:
    with portal_server.log_path.open("rb") as log:
        log.seek(start)
        logged = log.read().decode("utf-8", "replace")
    assert "Traceback" not in logged, logged[-3000:]


# --- names that climb out of folders ----------------------------------------------------------

# (name sent, names it may be listed under). A multipart client writes a NUL in a file
# name as "%00" (the HTML form encoding), so the server gets that text instead.
TRAVERSAL = [
    ("../../etc/passwd", {"passwd"}),
    ("..\\..\\windows\\win.ini.pdf", {"win.ini.pdf"}),
    ("/etc/cron.d/evil.pdf", {"evil.pdf"}),
    ("C:\\Users\\Public\\evil.pdf", {"evil.pdf"}),
    ("....//....//evil.pdf", {"evil.pdf"}),
    ("report\x00.exe.pdf", {"report.exe.pdf", "report%00.exe.pdf"}),
    ("%2e%2e%2f%2e%2e%2fencoded.pdf", {"%2e%2e%2f%2e%2e%2fencoded.pdf"}),
    ("\u202egpj.pdf", {"gpj.pdf"}),
    ("..", {"file"}),
]
# A name longer than any file system allows: cut to 200 characters, extension kept (a
# multipart header that long is refused as unreadable, which is as good).
LONG_NAME = "x" * 5000 + ".pdf"


@pytest.mark.parametrize("send", ["raw", "multipart"])
def test_names_that_climb_out_of_folders_stay_names(portal_server, tenant, ana, send):
    start = portal_server.log_path.stat().st_size
    before = stored_paths(portal_server)
    for name, expected in TRAVERSAL:
        response = getattr(ana, send)(name, PDF)
        operation = f"upload {send} named {name!r}"
        assert response.status_code == 201, (name, response.text)
        stored = response.json()["file"]["name"]
        assert stored in expected, (name, stored)
        assert "/" not in stored and "\\" not in stored and "\x00" not in stored
        ledger.record(SUITE, outcome=ledger.INERT, operation=operation, actor="northwind client")
    long = getattr(ana, send)(LONG_NAME, PDF)
    if long.status_code == 201:
        assert long.json()["file"]["name"] == "x" * 196 + ".pdf"
    else:
        assert long.status_code == 400 and "could not be read" in long.json()["message"]
    ledger.record(SUITE, outcome=ledger.INERT, operation=f"upload {send} 5000-character name")
    # Every byte went to a server-made key inside the storage folder, nowhere else.
    added = stored_paths(portal_server) - before
    assert len(added) == len(TRAVERSAL) + (long.status_code == 201)
    assert all(KEY.match(path) for path in added), added
    assert not (Path(portal_server.data_dir) / "etc").exists()
    assert_no_traceback(portal_server, start)


# --- disguised programs and pages, empty and oversized files ---------------------------------

REFUSED = [
    ("invoice.pdf", EXE, 415, "programs"),  # a Windows program named .pdf
    ("invoice.pdf", ELF, 415, "programs"),  # a Linux one
    ("scan.pdf", HTML, 415, "Web pages"),
    ("photo.png", HTML, 415, "Web pages"),
    ("photo.png", SVG, 415, "Web pages"),
    ("logo.svg", SVG, 415, "Web pages"),
    ("photo.jpg", PDF, 415, "isn't one"),  # named like an image, isn't one
    ("setup.exe", PDF, 415, "programs"),
    ("page.html", b"hello", 415, "Web pages"),
    ("notes.txt", "\ufeff<html><script>x</script>".encode("utf-16-le"), 415, "Web pages"),
    ("empty.pdf", b"", 400, "empty"),
]
REFUSED_IDS = [f"{i}-{name}" for i, (name, *_) in enumerate(REFUSED)]


@pytest.mark.parametrize("send", ["raw", "multipart"])
@pytest.mark.parametrize(("name", "data", "status", "reason"), REFUSED, ids=REFUSED_IDS)
def test_disguised_and_empty_files_are_refused_and_leave_nothing(
    portal_server, tenant, ana, send, name, data, status, reason
):
    with LeavesNothing(portal_server, ana):
        response = getattr(ana, send)(name, data, "application/pdf")
    assert response.status_code == status, response.text
    assert reason in response.json()["message"]
    ledger.record(
        SUITE,
        outcome=ledger.REFUSED,
        operation=f"upload {send} {name} ({len(data)} B)",
        actor="ana",
    )


def test_files_over_the_limit_are_refused_declared_or_streamed(portal_server, tenant, dana):
    from portal_app.config import get_settings

    limit = get_settings().max_upload_bytes
    big = PDF + b"0" * (limit + 1 - len(PDF))

    def streamed():
        sent = 0
        while sent < limit + 1024 * 1024:
            chunk = b"0" * (256 * 1024) if sent else PDF + b"0" * (256 * 1024)
            sent += len(chunk)
            yield chunk

    with LeavesNothing(portal_server, dana):
        declared = dana.raw("big.pdf", big)
        chunked = httpx.post(
            f"{dana.url}/files/upload?page={dana.page_id}&widget={dana.widget_id}&name=big.pdf",
            content=streamed(),
            headers={"Origin": dana.url},
            cookies={"portal_session": dana.cookie},
            timeout=120,
        )
        multipart = dana.multipart("big.pdf", big)
    for label, response in (
        ("declared", declared),
        ("streamed", chunked),
        ("multipart", multipart),
    ):
        assert response.status_code == 413, (label, response.text)
        assert "larger than" in response.json()["message"]
        ledger.record(SUITE, outcome=ledger.REFUSED, operation=f"oversized {label}", actor="dana")


# --- the client hangs up halfway -------------------------------------------------------------


def _interrupted(uploads: Uploads, multipart: bool) -> None:
    """Send the headers and a third of the body, then drop the connection."""
    host, port = re.match(r"https?://([^:/]+):(\d+)", uploads.url).groups()
    path = f"/files/upload?page={uploads.page_id}&widget={uploads.widget_id}&name=partial.pdf"
    body = PDF + b"0" * 300_000
    content_type = "application/pdf"
    if multipart:
        head = (
            b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="partial.pdf"\r\n'
            b"Content-Type: application/pdf\r\n\r\n"
        )
        body = head + body
        content_type = "multipart/form-data; boundary=XyZ"
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Cookie: portal_session={uploads.cookie}\r\nOrigin: {uploads.url}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body) * 3}\r\n\r\n"
    ).encode()
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request + body)
        time.sleep(0.5)
        connection.shutdown(socket.SHUT_RDWR)


@pytest.mark.parametrize("multipart", [False, True], ids=["raw", "multipart"])
def test_an_interrupted_upload_leaves_no_partial_file(portal_server, tenant, ana, multipart):
    with LeavesNothing(portal_server, ana):
        _interrupted(ana, multipart)
        time.sleep(2)  # whatever the server does with it, it has done by now
        # No temporary file is left in the storage folder either.
        assert not [p for p in storage_root(portal_server).rglob(".upload-*")]
    # The server still takes the next upload.
    assert ana.raw("after.pdf", PDF).status_code == 201
    ledger.record(
        SUITE,
        outcome=ledger.REFUSED,
        operation=f"interrupted {'multipart' if multipart else 'raw'} upload",
        actor="ana",
    )


def test_reflex_upload_route_is_not_served(portal_server, tenant):
    """The portal uploads only through its own checked route; Reflex's generic one (which
    would call a handler with the files) is not mounted."""
    response = httpx.post(
        f"{portal_server.url}/_upload",
        files={"files": ("x.pdf", PDF)},
        headers={"reflex-client-token": "x", "reflex-event-handler": "x"},
        cookies={"portal_session": tenant.cookies["ana"]},
    )
    assert response.status_code in (404, 405)
    ledger.record(SUITE, outcome=ledger.REFUSED, operation="POST /_upload", actor="ana")
