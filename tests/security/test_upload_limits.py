"""Hostile uploads through the resumable protocol (``/uploads``) and the one-request
route: each is refused with a clear message (or, for a name, cleaned), and a refusal
leaves nothing: no ``stored_file`` row, no blob, no partial, no open upload.

Real SQLite database, real storage folder, the real Starlette routes."""

from __future__ import annotations

import io
import zipfile

import pytest

from portal_app import config
from portal_app.db import session_scope
from portal_app.models import StoredFile
from portal_app.models.documents import SHARED
from portal_app.services import documents, files
from portal_app.storage import get_storage
from tests.support.pages import build_page
from tests.unit.test_transfers import call, patch, start

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n" + b"0" * 20_000
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 20_000


@pytest.fixture
def room(world):
    return build_page(
        world.admin,
        "Deliverables",
        [("attachments", None)],
        organizations={world.northwind_id: "view"},
    )


@pytest.fixture
def dana(world, session_for):
    return session_for(world.dana)


def to_widget(room):
    return {"kind": "widget", "page": room.id, "widget": room.widget("attachments")}


def everything_in_storage():
    return sorted(p for p in get_storage().root.rglob("*") if p.is_file())


def assert_nothing_stored():
    with session_scope() as session:
        assert session.query(StoredFile).count() == 0
    assert everything_in_storage() == []


def upload(token, destination, name, data, size=None):
    """Create and send in one piece; the last answer."""
    created = start(token, destination, name=name, size=len(data) if size is None else size)
    if created.status_code != 201:
        return created
    return patch(token, created.json()["id"], 0, data)


def test_a_path_in_the_name_is_cut_to_its_last_part(room, dana):
    answer = upload(dana, to_widget(room), "../../x.pdf", PDF)
    assert answer.status_code == 201, answer.text
    assert answer.json()["file"]["name"] == "x.pdf"
    (blob,) = everything_in_storage()
    root = get_storage().root.resolve()
    assert blob.resolve().is_relative_to(root) and blob.name != "x.pdf"
    assert len(blob.name) == 32  # the storage's own key, never the sender's name
    assert not (root.parent / "x.pdf").exists() and not (root.parent.parent / "x.pdf").exists()
    for name in ("..\\..\\evil.pdf", "/etc/passwd.pdf", "a/../../b.pdf"):
        assert files.clean_filename(name) in ("evil.pdf", "passwd.pdf", "b.pdf")


def test_a_program_renamed_pdf_is_refused_once_its_first_bytes_arrive(room, dana):
    created = start(dana, to_widget(room), name="invoice.pdf", size=len(EXE))
    assert created.status_code == 201
    upload_id = created.json()["id"]
    refused = patch(dana, upload_id, 0, EXE[:9000])  # more than the 8 KB sniffed
    assert refused.status_code == 415
    assert "isn't one" in refused.json()["message"] or "programs" in refused.json()["message"]
    assert_nothing_stored()
    assert call(dana, "HEAD", f"/uploads/{upload_id}").status_code == 404
    assert patch(dana, upload_id, 9000, EXE[9000:]).status_code == 404
    # A small one is sniffed when it is complete.
    small = upload(dana, to_widget(room), "tiny.pdf", EXE[:500])
    assert small.status_code == 415
    assert_nothing_stored()


def test_programs_are_refused_by_name_before_a_byte(room, dana, monkeypatch):
    for name in ("setup.exe", "run.sh", "page.html", "image.svg", "x.PHP"):
        refused = start(dana, to_widget(room), name=name, size=100)
        assert refused.status_code == 415 and refused.json()["message"]
    monkeypatch.setenv("PORTAL_UPLOAD_DENIED_EXTENSIONS", "docx, .iso")
    config.reload_settings()
    refused = start(dana, to_widget(room), name="letter.docx", size=100)
    assert refused.status_code == 415
    assert refused.json()["message"] == "Files ending in .docx can't be uploaded here."
    monkeypatch.setenv("PORTAL_UPLOAD_ALLOWED_EXTENSIONS", "pdf")
    config.reload_settings()
    refused = start(dana, to_widget(room), name="notes.txt", size=100)
    assert refused.status_code == 415 and "pdf" in refused.json()["message"]
    assert upload(dana, to_widget(room), "fine.pdf", PDF).status_code == 201


def test_an_oversized_file_is_refused_declared_or_actual(room, dana, monkeypatch):
    monkeypatch.setenv("PORTAL_MAX_UPLOAD_MB", "1")
    config.reload_settings()
    declared = start(dana, to_widget(room), name="big.pdf", size=1024 * 1024 + 1)
    assert declared.status_code == 413
    assert declared.json()["message"] == "This file is larger than 1 MB. Choose a smaller file."
    assert_nothing_stored()
    # A client that declares a small size and sends more is stopped at its word.
    created = start(dana, to_widget(room), name="liar.pdf", size=len(PDF))
    upload_id = created.json()["id"]
    lying = patch(dana, upload_id, 0, PDF + b"0" * (2 * 1024 * 1024))
    assert lying.status_code == 413
    assert_nothing_stored()
    assert call(dana, "HEAD", f"/uploads/{upload_id}").status_code == 404
    # The one-request route too, while streaming.
    old = call(
        dana,
        "POST",
        f"/files/upload?page={room.id}&widget={room.widget('attachments')}&name=a.pdf",
        content=PDF + b"0" * (2 * 1024 * 1024),
    )
    assert old.status_code == 413
    assert_nothing_stored()


def test_a_quota_overrun_is_refused_before_a_byte(world, dana, monkeypatch):
    monkeypatch.setenv("PORTAL_ORGANIZATION_QUOTA_MB", "1")
    config.reload_settings()
    view = documents.open_space(world.dana, world.northwind_id)
    shared = next(row for row in view.areas if row.area == SHARED)
    folder = {"kind": "folder", "folder": shared.id}
    first = upload(dana, folder, "first.pdf", PDF + b"0" * 900_000)
    assert first.status_code == 201, first.text
    before = everything_in_storage()
    refused = start(dana, folder, name="second.pdf", size=300_000)
    assert refused.status_code == 413
    assert "room" in refused.json()["message"] and "1.0 MB" in refused.json()["message"]
    assert everything_in_storage() == before
    with session_scope() as session:
        assert session.query(StoredFile).count() == 1


def _zip_bomb() -> bytes:
    """A zip whose one member expands to 200 MB of zeros (about 200 KB compressed)."""
    out = io.BytesIO()
    block = b"\0" * (1024 * 1024)
    with (
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("zeros.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(200):
            member.write(block)
    return out.getvalue()


def test_a_zip_bomb_is_stored_as_it_is_and_never_opened(room, dana):
    bomb = _zip_bomb()
    assert len(bomb) < 1024 * 1024
    answer = upload(dana, to_widget(room), "archive.zip", bomb)
    assert answer.status_code == 201, answer.text
    (blob,) = everything_in_storage()
    assert blob.stat().st_size == len(bomb)  # its compressed size, nothing expanded
    assert blob.read_bytes() == bomb
    with session_scope() as session:
        (row,) = session.query(StoredFile).all()
        assert row.size == len(bomb) and row.content_type == "application/zip"
    download = call(dana, "GET", answer.json()["file"]["url"])
    assert download.content == bomb
    assert download.headers["content-disposition"].startswith("attachment;")


def test_a_zero_byte_file_is_refused(room, dana):
    refused = start(dana, to_widget(room), name="empty.pdf", size=0)
    assert refused.status_code == 400 and refused.json()["message"] == "This file is empty."
    old = call(
        dana,
        "POST",
        f"/files/upload?page={room.id}&widget={room.widget('attachments')}&name=e.pdf",
        content=b"",
    )
    assert old.status_code == 400 and old.json()["message"] == "This file is empty."
    for size in (-1, "12", 1.5, True, None):
        bad = start(dana, to_widget(room), name="x.pdf", size=size)
        assert bad.status_code == 400 and bad.json()["message"]
    assert_nothing_stored()


def test_a_name_of_1000_characters_is_shortened_keeping_its_extension(room, dana):
    answer = upload(dana, to_widget(room), "a" * 996 + ".pdf", PDF)
    assert answer.status_code == 201
    name = answer.json()["file"]["name"]
    assert len(name) == 200 and name.endswith(".pdf") and name.startswith("aaa")


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("CON.pdf", "CON_.pdf"),
        ("nul", "nul_"),
        ("com1.txt", "com1_.txt"),
        ("LPT9.tar.gz", "LPT9_.tar.gz"),
        ("aux .txt", "aux_.txt"),
        ("console.txt", "console.txt"),
        ("report\u202etxt.pdf", "reporttxt.pdf"),
        ("bad\x00na\nme.pdf", "badname.pdf"),
        ('a<b>c:"d|e?f*.pdf', "a_b_c__d_e_f_.pdf"),
        ("...", "file"),
    ],
)
def test_reserved_and_hostile_names_are_cleaned(raw, cleaned):
    assert files.clean_filename(raw) == cleaned


def test_a_reserved_name_is_stored_with_a_suffix(room, dana):
    answer = upload(dana, to_widget(room), "PRN.pdf", PDF)
    assert answer.status_code == 201 and answer.json()["file"]["name"] == "PRN_.pdf"


def test_hostile_destinations_are_refused(room, dana, world, session_for):
    hank = session_for(world.hank)
    assert start(hank, to_widget(room), name="x.pdf", size=10).status_code == 404
    for destination in (
        {"kind": "widget", "page": room.id, "widget": "../../etc"},
        {"kind": "widget", "page": "1 OR 1=1", "widget": room.widget("attachments")},
        {"kind": "folder", "folder": 2**63},
        {"kind": "folder", "folder": "x" * 5000},
        {"kind": "dropsite", "batch": -1},
        {"kind": "__class__"},
    ):
        answer = start(dana, destination, name="x.pdf", size=10)
        assert 400 <= answer.status_code < 500, (destination, answer.text)
        assert answer.json()["message"]
    assert_nothing_stored()
