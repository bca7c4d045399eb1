"""Files on widgets: who may upload where, limits, sniffed types, clean names, and
downloads that only the right people get (through the service and the HTTP routes)."""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from portal_app import config
from portal_app.api import files as file_routes
from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.models import AuditEvent, StoredFile
from portal_app.services import files, subscriptions
from portal_app.storage import get_storage
from tests.support.pages import build_page
from tests.unit.expect import refuses_all

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n" + b"0" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
EXE = b"MZ\x90\x00\x03" + b"\x00" * 200
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'


@pytest.fixture
def room(world):
    """A page with attachments, media and a form; Northwind may contribute."""
    return build_page(
        world.admin,
        "Deliverables",
        [
            ("attachments", None),
            ("media", None),
            ("form", {"fields": [{"id": "doc", "label": "Document", "kind": "file"}]}),
            ("discussion", None),
        ],
        organizations={world.northwind_id: "contribute"},
    )


def upload(actor, page, type_name, name="report.pdf", data=PDF, declared="application/pdf"):
    return files.save_upload(actor, page.id, page.widget(type_name), name, [data], declared)


def stored_files() -> list[Path]:
    return [p for p in get_storage().root.rglob("*") if p.is_file()]


def downloaded(actor, file_id) -> bytes:
    file, storage = files.open_for_download(actor, file_id)
    return b"".join(storage.open_range(file.storage_key))


# --- who uploads where -----------------------------------------------------------------


def test_staff_upload_to_attachments_media_and_forms(world, room):
    for type_name in ("attachments", "media", "form"):
        row = upload(world.dana, room, type_name)
        assert row.name == "report.pdf" and row.type_label == "PDF document"
        assert row.uploader == "Dana Whitfield" and row.size == f"{len(PDF)} B" and row.inline
    with pytest.raises(Forbidden):
        upload(world.dana, room, "discussion")


def test_clients_upload_only_to_forms_where_they_contribute(world, room):
    assert upload(world.ana, room, "form").name == "report.pdf"
    for type_name in ("attachments", "media", "discussion"):
        with pytest.raises(Forbidden):
            upload(world.ana, room, type_name)
    view_only = build_page(
        world.admin, "Read only", [("form", None)], organizations={world.northwind_id: "view"}
    )
    with pytest.raises(Forbidden):
        upload(world.ana, view_only, "form")
    with pytest.raises(NotFound):
        upload(world.hank, room, "form")
    assert len(stored_files()) == 1


def test_files_are_stored_privately_under_server_made_names(world, room, portal_db):
    row = upload(world.dana, room, "attachments", name="../../../etc/passwd.pdf")
    [path] = stored_files()
    assert path.parent.parent == portal_db.data_dir / "files"
    assert path.name != "passwd.pdf" and len(path.name) == 32 and path.parent.name == path.name[:2]
    assert path.read_bytes() == PDF
    assert not list(path.parent.glob(".upload-*"))
    assert row.name == "passwd.pdf"
    assert not (Path.cwd() / "uploaded_files").exists() or not any(
        (Path.cwd() / "uploaded_files").rglob(path.name)
    )


# --- limits, names and types ------------------------------------------------------------


def test_oversized_uploads_are_refused_while_streaming(world, room, monkeypatch):
    monkeypatch.setenv("PORTAL_MAX_UPLOAD_MB", "1")
    config.reload_settings()
    pulled = []

    def endless():
        while True:
            pulled.append(1)
            yield b"%PDF" + b"0" * (64 * 1024 - 4)

    with pytest.raises(files.TooLarge) as refused:
        files.save_upload(world.dana, room.id, room.widget("attachments"), "big.pdf", endless(), "")
    assert refused.value.status == 413 and "1 MB" in str(refused.value)
    assert len(pulled) == 17  # stopped at the first chunk past the limit
    assert stored_files() == []
    exactly = PDF + b"0" * (1024 * 1024 - len(PDF))
    assert upload(world.dana, room, "attachments", data=exactly).size == "1.0 MB"


def test_empty_files_are_refused(world, room):
    with pytest.raises(Invalid, match="empty"):
        files.save_upload(world.dana, room.id, room.widget("attachments"), "empty.pdf", [], "")
    with pytest.raises(Invalid, match="empty"):
        files.save_upload(
            world.dana, room.id, room.widget("attachments"), "empty.txt", [b"", b""], ""
        )
    assert stored_files() == []


def test_spoofed_and_dangerous_types_are_refused(world, room):
    def attempt(case):
        name, data = case
        upload(world.dana, room, "attachments", name=name, data=data)

    refuses_all(
        files.UnsupportedType,
        attempt,
        [
            ("invoice.pdf", EXE),  # a program renamed .pdf
            ("invoice.pdf", ELF),
            ("invoice.pdf", HTML),  # a web page renamed .pdf
            ("photo.png", HTML),
            ("photo.jpg", PDF),  # named like an image, isn't one
            ("notes.txt", HTML),
            ("data.bin", SVG),
            ("logo.svg", PNG),
            ("page.html", b"hello"),
            ("setup.exe", PDF),
            ("run.sh", b"echo hi"),
            ("script", b"#!/bin/sh\nrm -rf /\n"),
            ("app", b"\xcf\xfa\xed\xfe" + b"\x00" * 100),
            ("mixed.PDF.HTML", PDF),
            ("utf16.txt", "\ufeff<html><script>x</script>".encode("utf-16-le")),
        ],
    )
    assert stored_files() == []


def test_the_stored_type_comes_from_the_bytes(world, room, database):
    upload(world.dana, room, "attachments", name="scan.pdf", data=PDF, declared="text/html")
    upload(
        world.dana, room, "attachments", name="photo", data=PNG, declared="application/x-msdownload"
    )
    upload(
        world.dana, room, "attachments", name="notes.txt", data=b"plain words", declared="text/html"
    )
    upload(
        world.dana, room, "attachments", name="blob.dat", data=b"\x00\x01\x02", declared="image/png"
    )
    types = [row.content_type for row in database.rows(StoredFile)]
    assert types == ["application/pdf", "image/png", "text/plain", "application/octet-stream"]


def test_display_names_are_cleaned():
    cases = {
        "../../etc/passwd": "passwd",
        "C:\\Users\\ana\\report.pdf": "report.pdf",
        "re\u202eport\x00fdp.exe": "reportfdp.exe",
        "  spaced   out .pdf ": "spaced out .pdf",
        'a<b>c:"d|e?f*.txt': "a_b_c__d_e_f_.txt",
        "...": "file",
        "": "file",
        None: "file",
        "Ünïcode.pdf": "Ünïcode.pdf",
    }
    for raw, expected in cases.items():
        assert files.clean_filename(raw) == expected, raw
    long = files.clean_filename("x" * 500 + ".pdf")
    assert len(long) == 200 and long.endswith(".pdf")


# --- downloads -------------------------------------------------------------------------------


def test_clients_of_the_page_download_attachments_others_do_not(world, room):
    row = upload(world.dana, room, "attachments")
    file, _ = files.open_for_download(world.ana, row.id)
    assert downloaded(world.ana, row.id) == PDF and file.filename == "report.pdf"
    assert files.open_for_download(world.sam, row.id)[0].id == row.id
    for outsider in (world.hank, world.mindy):
        with pytest.raises(NotFound):
            files.open_for_download(outsider, row.id)
        with pytest.raises(NotFound):
            files.list_files(outsider, room.id, room.widget("attachments"))
    refuses_all(
        NotFound,
        lambda fid: files.open_for_download(world.admin, fid),
        [0, -1, 9999, "1 OR 1=1", None, [1]],
    )


def test_form_files_are_private_to_their_uploader_and_staff(world, room):
    anas = upload(world.ana, room, "form", name="ana-passport.pdf")
    with pytest.raises(NotFound):
        files.open_for_download(world.thomas, anas.id)
    assert files.open_for_download(world.ana, anas.id)[0].id == anas.id
    assert files.open_for_download(world.dana, anas.id)[0].id == anas.id
    assert files.list_files(world.thomas, room.id, room.widget("form")) == []
    assert [f.name for f in files.list_files(world.dana, room.id, room.widget("form"))] == [
        "ana-passport.pdf"
    ]


def test_files_of_widgets_not_on_the_live_page_stay_with_staff(world, room):
    from tests.support.pages import add_widget

    draft_only = add_widget(world.admin, room.id, "attachments")
    row = files.save_upload(world.dana, room.id, draft_only, "draft.pdf", [PDF], "")
    with pytest.raises(NotFound):
        files.open_for_download(world.ana, row.id)
    assert files.open_for_download(world.dana, row.id)[0].id == row.id


def test_listing_shows_names_sizes_types_and_uploaders(world, room):
    upload(world.dana, room, "attachments", name="first.pdf")
    upload(world.admin, room, "attachments", name="photo.png", data=PNG)
    rows = files.list_files(world.ana, room.id, room.widget("attachments"))
    assert [(r.name, r.type_label, r.uploader, r.can_delete) for r in rows] == [
        ("photo.png", "PNG image", "Avery Admin", False),
        ("first.pdf", "PDF document", "Dana Whitfield", False),
    ]


def test_uploader_or_staff_delete_and_the_bytes_go(world, room, database):
    anas = upload(world.ana, room, "form")
    staff = upload(world.dana, room, "attachments")
    with pytest.raises(Forbidden):
        files.delete_file(world.ana, staff.id)
    with pytest.raises(NotFound):
        files.delete_file(world.thomas, anas.id)
    files.delete_file(world.ana, anas.id)
    files.delete_file(world.sam, staff.id)
    assert stored_files() == []
    with pytest.raises(NotFound):
        files.open_for_download(world.dana, staff.id)
    assert {
        e.target_id for e in database.rows(AuditEvent, AuditEvent.action == "file_deleted")
    } == {
        anas.id,
        staff.id,
    }


def test_client_uploads_are_told_to_staff_followers_only(world, room, smtp_inbox):
    subscriptions.set_subscribed(world.thomas, room.id, True)
    subscriptions.set_subscribed(world.dana, room.id, True)
    upload(world.ana, room, "form", name="signed.pdf")
    assert sorted(m["To"] for m in smtp_inbox.messages) == [
        "admin@firm.example",
        "dana@firm.example",
    ]
    smtp_inbox.messages.clear()
    upload(world.dana, room, "attachments")
    assert smtp_inbox.messages == []


def test_a_file_like_source_is_read_in_chunks(world, room):
    row = files.save_upload(
        world.dana, room.id, room.widget("attachments"), "r.pdf", io.BytesIO(PDF), ""
    )
    assert downloaded(world.dana, row.id) == PDF


# --- the HTTP routes -------------------------------------------------------------------------


@pytest.fixture
def http(portal_db):
    transport = httpx.ASGITransport(app=Starlette(routes=file_routes.routes))

    def client() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=transport, base_url="http://portal.test")

    return client


def _cookie_name():
    from portal_app.services import sessions

    return sessions.COOKIE_NAME


def request(http, token, method, url, **kwargs):
    """Run one request on a private event loop in a worker thread: the browser tests'
    Playwright owns this thread's loop in a full run."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, _request(http, token, method, url, **kwargs)).result()


async def _request(http, token, method, url, **kwargs):
    async with http() as client:
        if token:
            client.cookies.set(_cookie_name(), token)
        return await client.request(method, url, **kwargs)


def test_upload_and_download_over_http(world, room, http, session_for):
    dana = session_for(world.dana)
    url = f"/files/upload?page={room.id}&widget={room.widget('attachments')}&name=Q1%20report.pdf"
    response = request(
        http, dana, "POST", url, content=PDF, headers={"content-type": "application/pdf"}
    )
    assert response.status_code == 201, response.text
    file_id = response.json()["file"]["id"]
    assert response.json()["file"]["name"] == "Q1 report.pdf"

    ana = session_for(world.ana)
    got = request(http, ana, "GET", f"/files/{file_id}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"].startswith("inline;")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["cache-control"] == "private, no-store"

    part = request(http, ana, "GET", f"/files/{file_id}", headers={"range": "bytes=0-7"})
    assert part.status_code == 206 and part.content == PDF[:8]
    assert part.headers["content-range"] == f"bytes 0-7/{len(PDF)}"

    for token in (session_for(world.hank), None, "forged-token"):
        refused = request(http, token, "GET", f"/files/{file_id}")
        assert refused.status_code in (401, 404) and PDF[:8] not in refused.content
    assert (request(http, session_for(world.hank), "GET", f"/files/{file_id}")).status_code == 404


def test_multipart_upload_and_attachment_download(world, room, http, session_for):
    dana = session_for(world.dana)
    url = f"/files/upload?page={room.id}&widget={room.widget('attachments')}"
    response = request(
        http, dana, "POST", url, files={"file": ("notes.txt", b"meeting notes", "text/plain")}
    )
    assert response.status_code == 201, response.text
    got = request(http, dana, "GET", f"/files/{response.json()['file']['id']}")
    assert got.headers["content-disposition"] == 'attachment; filename="notes.txt"'
    assert got.headers["content-type"].startswith("text/plain")
    assert "sandbox" in got.headers["content-security-policy"]


def test_download_route_names_ranges_and_heads(world, room, http, session_for):
    dana = session_for(world.dana)
    url = f"/files/upload?page={room.id}&widget={room.widget('attachments')}"
    response = request(
        http, dana, "POST", url + "&name=R%C3%A9sum%C3%A9.txt", content=b"0123456789"
    )
    assert response.status_code == 201, response.text
    file_url = response.json()["file"]["url"]
    got = request(http, dana, "GET", file_url)
    assert got.headers["content-disposition"] == (
        "attachment; filename=\"Resume.txt\"; filename*=UTF-8''R%C3%A9sum%C3%A9.txt"
    )
    assert got.headers["accept-ranges"] == "bytes" and got.headers["content-length"] == "10"
    head = request(http, dana, "HEAD", file_url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == "10"
    suffix = request(http, dana, "GET", file_url, headers={"range": "bytes=-3"})
    assert suffix.status_code == 206 and suffix.content == b"789"
    refused = request(http, dana, "GET", file_url, headers={"range": "bytes=10-"})
    assert refused.status_code == 416 and refused.headers["content-range"] == "bytes */10"
    hank = request(http, session_for(world.hank), "GET", file_url, headers={"range": "bytes=0-"})
    assert hank.status_code == 404 and b"0123" not in hank.content


def test_upload_errors_over_http(world, room, http, session_for, monkeypatch):
    monkeypatch.setenv("PORTAL_MAX_UPLOAD_MB", "1")
    config.reload_settings()
    dana, ana = session_for(world.dana), session_for(world.ana)
    base = f"/files/upload?page={room.id}&widget={room.widget('attachments')}&name=x.pdf"

    def status(token, url=base, content=PDF, headers=None):
        response = request(http, token, "POST", url, content=content, headers=headers or {})
        assert "message" in response.json()
        return response.status_code

    assert status(None) == 401
    assert status(ana) == 403
    assert status(session_for(world.hank)) == 404
    assert status(dana, url=f"/files/upload?page={room.id}&widget=w000000000000&name=x.pdf") == 400
    assert status(dana, content=b"\x00" * (1024 * 1024 + 1)) == 413

    async def no_length():  # chunked: the limit applies while the bytes arrive
        for _ in range(20):
            yield b"%PDF" + b"0" * (64 * 1024)

    assert status(dana, content=no_length()) == 413
    assert status(dana, content=EXE) == 415
    assert status(dana, content=b"") == 400
    assert status(dana, headers={"origin": "https://evil.example"}) == 403
    assert stored_files() == []


def test_csv_export_route_is_staff_only(world, http, session_for):
    from portal_app.widgets.form import actions as forms

    page = build_page(
        world.admin, "Survey", [("form", None)], organizations={world.northwind_id: "contribute"}
    )
    forms.submit_form(world.ana, page.id, page.widget("form"), {"message": "=cmd|' /C calc'!A0"})
    url = f"/forms/{page.id}/{page.widget('form')}/submissions.csv"
    assert (request(http, session_for(world.ana), "GET", url)).status_code == 403
    assert (request(http, session_for(world.hank), "GET", url)).status_code == 403
    assert (request(http, None, "GET", url)).status_code == 401
    got = request(http, session_for(world.dana), "GET", url)
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    assert "'=cmd" in got.text and ",=cmd" not in got.text
