"""The scan hook (storage/scan.py): clamd's INSTREAM protocol, quarantined files never
served, a scanner that can't answer refuses the upload, and ``portal doctor``.

clamd isn't installed on this machine: these tests run an in-process TCP server that
speaks clamd's INSTREAM protocol (``zINSTREAM\\0``, 4-byte big-endian length-prefixed
chunks, a zero length to end; it answers ``stream: OK`` or
``stream: Eicar-Signature FOUND``) and flags the EICAR test string as a real clamd
does. Everything else (database, storage, routes) is the real thing."""

from __future__ import annotations

import socket
import socketserver
import struct
import threading

import pytest

from portal_app import config, doctor
from portal_app.db import session_scope
from portal_app.errors import Forbidden
from portal_app.models import StoredFile
from portal_app.services import files
from portal_app.storage import get_storage
from portal_app.storage.scan import CLEAN, ERROR, INFECTED, ClamdScanner, get_scanner
from tests.support.pages import build_page
from tests.unit.test_transfers import call, patch, start

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
TEXT = b"minutes of the meeting\n" * 50


class _Clamd(socketserver.BaseRequestHandler):
    def handle(self):
        command = b""
        while not command.endswith(b"\0"):
            part = self.request.recv(1)
            if not part:
                return
            command += part
        if command == b"zVERSION\0":
            self.request.sendall(b"ClamAV 1.0.0/27000/fake\0")
            return
        if command != b"zINSTREAM\0":
            self.request.sendall(b"UNKNOWN COMMAND\0")
            return
        data = b""
        while True:
            length = struct.unpack(">I", self._exactly(4))[0]
            if length == 0:
                break
            data += self._exactly(length)
            self.server.received += length  # type: ignore[attr-defined]
        if self.server.broken:  # type: ignore[attr-defined]
            self.request.sendall(b"INSTREAM size limit exceeded. ERROR\0")
        elif EICAR in data:
            self.request.sendall(b"stream: Eicar-Signature FOUND\0")
        else:
            self.request.sendall(b"stream: OK\0")

    def _exactly(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            part = self.request.recv(n - len(out))
            if not part:
                raise ConnectionError("closed")
            out += part
        return out


@pytest.fixture
def clamd(monkeypatch):
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _Clamd)
    server.daemon_threads = True
    server.received = 0  # type: ignore[attr-defined]
    server.broken = False  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    address = f"127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("PORTAL_CLAMAV_SOCKET", address)
    config.reload_settings()
    server.address = address  # type: ignore[attr-defined]
    yield server
    server.shutdown()
    server.server_close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def room(world):
    return build_page(
        world.admin,
        "Deliverables",
        [("attachments", None)],
        organizations={world.northwind_id: "view"},
    )


def test_the_scanner_speaks_instream(clamd):
    scanner = get_scanner()
    assert isinstance(scanner, ClamdScanner)
    assert scanner.scan([TEXT]).verdict == CLEAN
    found = scanner.scan([b"harmless start ", EICAR, b" end"])
    assert found.verdict == INFECTED and found.detail == "Eicar-Signature"
    big = [b"\0" * (1024 * 1024)] * 3  # split into 64 KB INSTREAM chunks
    assert scanner.scan(big).verdict == CLEAN
    assert clamd.received >= 3 * 1024 * 1024
    clamd.broken = True
    assert scanner.scan([TEXT]).verdict == ERROR
    assert "ClamAV" in scanner.ping()


def test_no_setting_no_scanner(portal_db, monkeypatch):
    monkeypatch.delenv("PORTAL_CLAMAV_SOCKET", raising=False)
    config.reload_settings()
    assert get_scanner() is None


def test_an_unreachable_scanner_is_an_error_verdict():
    result = ClamdScanner(f"127.0.0.1:{_closed_port()}", timeout=2).scan([TEXT])
    assert result.verdict == ERROR and "unreachable" in result.detail


def test_clean_files_are_marked_clean(world, room, clamd):
    row = files.save_upload(world.dana, room.id, room.widget("attachments"), "notes.txt", [TEXT])
    with session_scope() as session:
        assert session.get(StoredFile, row.id).scan_status == "clean"
    file, storage = files.open_for_download(world.ana, row.id)
    assert b"".join(storage.open_range(file.storage_key)) == TEXT


def test_infected_files_are_quarantined_and_never_served(world, room, clamd, database):
    with pytest.raises(files.Quarantined) as refused:
        files.save_upload(world.dana, room.id, room.widget("attachments"), "eicar.txt", [EICAR])
    assert "held back by the virus scanner" in str(refused.value)
    (row,) = database.rows(StoredFile)
    assert row.scan_status == "quarantined" and row.scan_detail == "Eicar-Signature"
    for person in (world.admin, world.dana, world.ana):
        with pytest.raises(Forbidden, match="held back by the virus scanner"):
            files.open_for_download(person, row.id)
    assert files.list_files(world.dana, room.id, room.widget("attachments")) == []
    # Kept for the administrators to look into; staff may still remove it.
    assert get_storage().exists(row.storage_key)
    files.delete_file(world.admin, row.id)
    assert not get_storage().exists(row.storage_key)


def test_infected_files_through_the_resumable_protocol(world, room, clamd, session_for):
    dana = session_for(world.dana)
    dest = {"kind": "widget", "page": room.id, "widget": room.widget("attachments")}
    upload_id = start(dana, dest, name="eicar.txt", size=len(EICAR)).json()["id"]
    answer = patch(dana, upload_id, 0, EICAR)
    assert answer.status_code == 422
    assert "held back by the virus scanner" in answer.json()["message"]
    file_id = answer.json()["file"]["id"]
    download = call(dana, "GET", f"/files/{file_id}")
    assert download.status_code == 403 and EICAR not in download.content
    assert "virus scanner" in download.json()["message"]


def test_a_scanner_that_cannot_answer_refuses_the_upload(
    world, room, monkeypatch, database, session_for
):
    monkeypatch.setenv("PORTAL_CLAMAV_SOCKET", f"127.0.0.1:{_closed_port()}")
    config.reload_settings()
    with pytest.raises(files.ScannerUnavailable, match="try again later"):
        files.save_upload(world.dana, room.id, room.widget("attachments"), "notes.txt", [TEXT])
    dana = session_for(world.dana)
    dest = {"kind": "widget", "page": room.id, "widget": room.widget("attachments")}
    upload_id = start(dana, dest, name="notes.txt", size=len(TEXT)).json()["id"]
    answer = patch(dana, upload_id, 0, TEXT)
    assert answer.status_code == 503
    assert answer.json()["message"] == (
        "The virus scanner could not check this file; try again later."
    )
    assert database.rows(StoredFile) == []
    assert [p for p in get_storage().root.rglob("*") if p.is_file()] == []


def test_doctor_says_whether_the_scanner_answers(portal_db, clamd):
    check = doctor.check_virus_scanner(config.get_settings())
    assert check.status == doctor.OK
    assert check.message.startswith(f"ClamAV at {clamd.address}: reachable")


def test_doctor_fails_when_the_configured_scanner_is_unreachable(portal_db, monkeypatch):
    address = f"127.0.0.1:{_closed_port()}"
    monkeypatch.setenv("PORTAL_CLAMAV_SOCKET", address)
    config.reload_settings()
    check = doctor.check_virus_scanner(config.get_settings())
    assert check.status == doctor.FAIL
    assert check.message.startswith(f"ClamAV at {address}: unreachable")
