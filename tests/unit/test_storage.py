"""The storage interface: blobs saved whole or not at all, read back in ranges, keys
that can't leave the storage; and the download response built on it (byte ranges,
RFC 6266 file names, headers)."""

from __future__ import annotations

import asyncio
import hashlib
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route

from portal_app import config
from portal_app.storage import (
    BlobNotFound,
    BlobTooLarge,
    InvalidKey,
    LocalStorage,
    Storage,
    get_storage,
)
from portal_app.storage.base import CHUNK_SIZE
from portal_app.storage.download import (
    RangeNotSatisfiable,
    byte_range,
    content_disposition,
    download_response,
)
from tests.unit.expect import refuses_all

DATA = bytes(range(256)) * 1000  # 256,000 bytes: several read chunks


@pytest.fixture
def storage(tmp_path) -> LocalStorage:
    return LocalStorage(tmp_path / "blobs")


def everything_under(storage: LocalStorage) -> list[str]:
    return sorted(p.name for p in storage.root.rglob("*") if p.is_file())


def pieces(data: bytes, size: int = 1000):
    for start in range(0, len(data), size):
        yield data[start : start + size]


# --- saving ------------------------------------------------------------------------------


def test_a_saved_blob_reads_back_whole_with_its_size_and_digest(storage):
    blob = storage.save(pieces(DATA), max_bytes=len(DATA))
    assert blob.size == len(DATA) and blob.sha256 == hashlib.sha256(DATA).hexdigest()
    assert storage.exists(blob.key) and storage.size(blob.key) == len(DATA)
    assert b"".join(storage.open_range(blob.key)) == DATA
    assert everything_under(storage) == [blob.key]
    assert isinstance(storage, Storage)


def test_every_save_gets_a_new_key(storage):
    first = storage.save([b"same"], max_bytes=10)
    second = storage.save([b"same"], max_bytes=10)
    assert first.key != second.key and first.sha256 == second.sha256


def test_an_interrupted_stream_leaves_nothing(storage):
    def broken():
        yield b"x" * CHUNK_SIZE
        yield b"y" * CHUNK_SIZE
        raise ConnectionResetError("the browser went away")

    with pytest.raises(ConnectionResetError):
        storage.save(broken(), max_bytes=10 * CHUNK_SIZE)
    assert everything_under(storage) == []


def test_an_oversized_stream_stops_at_the_limit_and_leaves_nothing(storage):
    pulled = []

    def endless():
        while True:
            pulled.append(1)
            yield b"0" * 1000

    with pytest.raises(BlobTooLarge) as refused:
        storage.save(endless(), max_bytes=10_000)
    assert refused.value.max_bytes == 10_000
    assert len(pulled) == 11  # the chunk that crossed the limit was never written
    assert everything_under(storage) == []
    assert storage.save([b"0" * 10_000], max_bytes=10_000).size == 10_000


def test_an_empty_stream_is_an_empty_blob(storage):
    blob = storage.save([], max_bytes=10)
    assert blob.size == 0 and b"".join(storage.open_range(blob.key)) == b""


def test_the_default_folder_follows_the_settings(portal_db, tmp_path, monkeypatch):
    assert get_storage().root == portal_db.data_dir / "files"
    monkeypatch.setenv("PORTAL_STORAGE_DIR", str(tmp_path / "shared"))
    config.reload_settings()
    blob = get_storage().save([b"shared"], max_bytes=10)
    assert (tmp_path / "shared" / blob.key[:2] / blob.key).read_bytes() == b"shared"


# --- reading ranges ----------------------------------------------------------------------


def test_ranges_read_exactly_the_bytes_asked_for(storage):
    key = storage.save([DATA], max_bytes=len(DATA)).key
    for start, end in [(0, 1), (10, 20), (0, CHUNK_SIZE + 1), (CHUNK_SIZE - 1, CHUNK_SIZE + 1)]:
        assert b"".join(storage.open_range(key, start, end)) == DATA[start:end]
    assert b"".join(storage.open_range(key, len(DATA) - 5)) == DATA[-5:]
    assert b"".join(storage.open_range(key, 7, 7)) == b""


def test_ranges_come_in_chunks_not_whole(storage):
    key = storage.save([DATA], max_bytes=len(DATA)).key
    chunks = list(storage.open_range(key))
    assert len(chunks) > 1 and max(len(c) for c in chunks) <= CHUNK_SIZE


def test_hostile_ranges_are_refused(storage):
    key = storage.save([DATA], max_bytes=len(DATA)).key
    refuses_all(
        ValueError,
        lambda span: storage.open_range(key, *span),
        [
            (-1, 10),
            (10, 5),
            (0, len(DATA) + 1),
            (len(DATA) + 1, None),
            (-(2**63), None),
            ("0", 10),
            (0.5, 10),
            (True, 2),
            (0, 10**30),
        ],
    )


def test_missing_blobs(storage):
    key = "0" * 32
    assert not storage.exists(key)
    with pytest.raises(BlobNotFound):
        storage.size(key)
    with pytest.raises(BlobNotFound):
        storage.open_range(key)
    storage.delete(key)  # nothing to delete is fine


def test_delete_removes_the_blob(storage):
    key = storage.save([b"bytes"], max_bytes=10).key
    storage.delete(key)
    assert not storage.exists(key) and everything_under(storage) == []


def test_keys_that_try_to_leave_the_storage_are_refused(storage, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not serve")
    made = storage.save([b"mine"], max_bytes=10).key
    hostile = [
        "../secret.txt",
        "../../etc/passwd",
        str(secret),
        "/etc/passwd",
        made[:2] + "/" + made,
        made.upper(),
        made + "\n",
        made + "/",
        made[:31],
        made + "0",
        "..",
        "",
        "٠" * 32,  # Arabic-Indic digits
        None,
        42,
        b"0" * 32,
    ]
    for action in (storage.exists, storage.size, storage.delete, storage.open_range):
        refuses_all(InvalidKey, action, hostile)
    assert secret.read_text() == "do not serve" and storage.exists(made)


# --- the download response ---------------------------------------------------------------


def test_byte_ranges():
    size = 1000
    assert byte_range(None, size) is None
    assert byte_range("", size) is None
    assert byte_range("bytes=0-0", size) == (0, 1)
    assert byte_range("bytes=0-499", size) == (0, 500)
    assert byte_range("bytes=500-", size) == (500, 1000)
    assert byte_range("bytes=-200", size) == (800, 1000)
    assert byte_range("bytes=-5000", size) == (0, 1000)
    assert byte_range("bytes=900-5000", size) == (900, 1000)
    assert byte_range(" Bytes = 1-2 ", size) == (1, 3)
    assert byte_range("items=0-5", size) is None  # another unit: ignored
    assert byte_range("bytes=0-1,5-6", size) is None  # several: the whole file
    with pytest.raises(RangeNotSatisfiable):
        byte_range("bytes=٣-٥", size)  # digits, but not ASCII ones


def _serve(storage: LocalStorage, key: str, filename: str, content_type: str = "text/plain"):
    async def route(request: Request):
        return download_response(
            storage,
            key,
            filename=filename,
            content_type=content_type,
            inline=False,
            range_header=request.headers.get("range"),
            head=request.method == "HEAD",
            headers={"Content-Security-Policy": "sandbox"},
        )

    app = Starlette(routes=[Route("/blob", route, methods=["GET", "HEAD"])])

    async def call(method: str, headers: dict[str, str]) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.request(method, "/blob", headers=headers)

    def get(range_header: str | None = None, method: str = "GET") -> httpx.Response:
        headers = {"range": range_header} if range_header is not None else {}
        # A private loop in a worker thread: in a full run Playwright owns this one.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, call(method, headers)).result()

    return get


def test_download_sends_the_whole_file_with_safe_headers(storage):
    key = storage.save([DATA], max_bytes=len(DATA)).key
    got = _serve(storage, key, "data.bin", "application/octet-stream")()
    assert got.status_code == 200 and got.content == DATA
    assert got.headers["content-length"] == str(len(DATA))
    assert got.headers["accept-ranges"] == "bytes"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["cache-control"].startswith("private")
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["content-disposition"] == 'attachment; filename="data.bin"'
    assert got.headers["content-security-policy"] == "sandbox"
    assert "content-range" not in got.headers


def test_download_answers_one_range_with_206(storage):
    key = storage.save([DATA], max_bytes=len(DATA)).key
    get = _serve(storage, key, "data.bin")
    for header, start, end in [
        ("bytes=0-7", 0, 8),
        ("bytes=100000-", 100000, len(DATA)),
        ("bytes=-10", len(DATA) - 10, len(DATA)),
        ("bytes=255990-999999999", 255990, len(DATA)),
    ]:
        part = get(header)
        assert part.status_code == 206, header
        assert part.content == DATA[start:end], header
        assert part.headers["content-range"] == f"bytes {start}-{end - 1}/{len(DATA)}"
        assert part.headers["content-length"] == str(end - start)
    whole = get("bytes=0-1,4-5")
    assert whole.status_code == 200 and whole.content == DATA


def test_download_refuses_ranges_it_cannot_serve_with_416(storage):
    key = storage.save([DATA], max_bytes=len(DATA)).key
    get = _serve(storage, key, "data.bin")
    for header in [
        f"bytes={len(DATA)}-",
        f"bytes={len(DATA) + 10}-{len(DATA) + 20}",
        "bytes=10-5",
        "bytes=-0",
        "bytes=-",
        "bytes=abc-def",
        "bytes=1-2-3",
        "bytes=--5",
        "bytes=0x10-20",
        "bytes=" + "9" * 40 + "-",
        "bytes=,",
    ]:
        refused = get(header)
        assert refused.status_code == 416, header
        assert refused.headers["content-range"] == f"bytes */{len(DATA)}", header
        assert refused.content == b"" and refused.headers["x-content-type-options"] == "nosniff"


def test_head_sends_headers_only(storage):
    key = storage.save([DATA], max_bytes=len(DATA)).key
    got = _serve(storage, key, "data.bin")(method="HEAD")
    assert got.status_code == 200 and got.content == b""
    assert got.headers["content-length"] == str(len(DATA))


def test_filenames_follow_rfc_6266():
    assert content_disposition("attachment", "Q1 report.pdf") == (
        'attachment; filename="Q1 report.pdf"'
    )
    assert content_disposition("inline", "Résumé – Ana.pdf") == (
        'inline; filename="Resume Ana.pdf"; '
        "filename*=UTF-8''R%C3%A9sum%C3%A9%20%E2%80%93%20Ana.pdf"
    )
    assert content_disposition("attachment", 'say "hi" \\ bye.txt') == (
        "attachment; filename=\"say hi bye.txt\"; filename*=UTF-8''say%20%22hi%22%20%5C%20bye.txt"
    )
    assert content_disposition("attachment", "报告.pdf") == (
        "attachment; filename=\"file.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf"
    )
    # A line break can't end the header and start another.
    injected = content_disposition("attachment", "a.txt\r\nSet-Cookie: x=1")
    assert "\r" not in injected and "\n" not in injected
    with pytest.raises(ValueError):
        content_disposition("form-data", "a.txt")


def test_a_non_ascii_name_reaches_the_browser_intact(storage):
    key = storage.save([b"notes"], max_bytes=10).key
    got = _serve(storage, key, 'Überblick "Q1".txt')()
    disposition = got.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Uberblick Q1.txt"; filename*=UTF-8')
    assert disposition.endswith("''%C3%9Cberblick%20%22Q1%22.txt")
