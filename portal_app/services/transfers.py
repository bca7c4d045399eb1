"""Resumable uploads (the tus idea, with offsets): a file of any size the destination
allows arrives in pieces, and an interrupted upload continues where it stopped.

1. ``create_upload`` — before a byte is sent: the destination is asked
   (``services/uploads.plan``: access, the size limit, the quota, the extension), the
   name cleaned; an upload session and an empty partial blob are made. The browser
   gets a random id (only its hash is stored), bound to this person (and, for a guest,
   their share).
2. ``append`` — bytes at an offset, which must be what has arrived so far (anything
   else is a ``Conflict`` carrying the real offset). Bytes are written as they arrive;
   a request cut midway keeps what got to disk, and ``upload_status`` tells the browser
   where to continue. Nothing is accepted past the declared size. Once the first 8 KB
   (or the whole of a smaller file) are in, the type is sniffed: a program renamed
   ``.pdf`` is refused then and its bytes discarded.
3. When the last byte arrives: the blob is completed (its hash streamed), scanned
   (``storage/scan.py``), and handed to the destination (``uploads.accept``, which asks
   access again). The destination's JSON answer is kept: asking again (a repeated last
   request, a status check) gets the same answer.
4. ``cancel`` discards it all. Sessions expire after 24 hours; ``sweep_expired`` (the
   worker's periodic sweep) removes them with their bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from portal_app.access import Actor
from portal_app.clock import utcnow
from portal_app.db import session_scope
from portal_app.errors import Conflict, Invalid, NotFound, PortalError
from portal_app.models import UploadSession
from portal_app.models.files import QUARANTINED
from portal_app.models.transfers import CANCELLED, DONE, RECEIVING
from portal_app.services import files, uploads
from portal_app.services.tokens import new_token, token_hash
from portal_app.storage import BlobNotFound, BlobTooLarge, OffsetMismatch, get_storage

CHUNK_SIZE = 8 * 1024 * 1024
LIFETIME = timedelta(hours=24)
COMPLETING = "completing"
MAX_DESTINATION_CHARS = 2000
NOT_FOUND = "This upload doesn't exist or has expired. Start it again."


class OffsetConflict(Conflict):
    """The bytes were sent for another offset than the upload has reached."""

    def __init__(self, offset: int, message: str = ""):
        super().__init__(
            message or f"The upload is at byte {offset}; continue from there.",
        )
        self.offset = offset


@dataclass(frozen=True)
class UploadStatus:
    id: str
    offset: int
    size: int
    chunk_size: int = CHUNK_SIZE
    done: bool = False
    result_status: int = 0
    result: dict[str, Any] = field(default_factory=dict)


def _destination(destination: object) -> dict[str, Any]:
    if not isinstance(destination, dict):
        raise Invalid("Choose where the file should go.")
    text = json.dumps(destination, sort_keys=True)
    if len(text) > MAX_DESTINATION_CHARS:
        raise Invalid("Choose where the file should go.")
    return dict(destination)


def _owner(actor: Actor) -> tuple[int | None, int | None]:
    """Whom an upload belongs to: the person, and a guest's share."""
    return (actor.user_id or None), (actor.share_id if actor.is_guest else None)


def create_upload(actor: Actor, destination: object, name: object, size: object) -> UploadStatus:
    """Start an upload of ``size`` bytes called ``name`` to ``destination`` (see
    ``services/uploads.py``); refused before a byte is sent when the destination
    wouldn't take it."""
    target = _destination(destination)
    cleaned = files.clean_filename(name)
    uploads.plan(actor, target, cleaned, size)
    assert isinstance(size, int)
    token = new_token()
    storage = get_storage()
    key = storage.begin_partial()
    user_id, share_id = _owner(actor)
    now = utcnow()
    try:
        with session_scope() as session:
            session.add(
                UploadSession(
                    token_hash=token_hash(token),
                    user_id=user_id,
                    share_id=share_id,
                    destination=json.dumps(target, sort_keys=True),
                    filename=cleaned,
                    size=size,
                    partial_key=key,
                    created_at=now,
                    updated_at=now,
                    expires_at=now + LIFETIME,
                )
            )
    except BaseException:
        storage.discard_partial(key)
        raise
    return UploadStatus(id=token, offset=0, size=size)


def _find(actor: Actor, upload_id: object) -> UploadSession:
    """The actor's own live upload; NotFound for anyone else's, an expired or a
    malformed id (one answer for all)."""
    if not isinstance(upload_id, str) or not 20 <= len(upload_id) <= 100:
        raise NotFound(NOT_FOUND)
    user_id, share_id = _owner(actor)
    with session_scope() as session:
        row = session.exec(
            select(UploadSession).where(UploadSession.token_hash == token_hash(upload_id))
        ).first()
        if row is not None:
            session.expunge(row)
    if row is None or row.user_id != user_id or row.share_id != share_id:
        raise NotFound(NOT_FOUND)
    if row.status == CANCELLED:
        raise NotFound(NOT_FOUND)
    if utcnow() >= row.expires_at:
        _remove(row)
        raise NotFound(NOT_FOUND)
    return row


def _status(upload_id: str, row: UploadSession, offset: int | None = None) -> UploadStatus:
    done = row.status == DONE
    return UploadStatus(
        id=upload_id,
        offset=row.size if done else (row.received if offset is None else offset),
        size=row.size,
        done=done,
        result_status=row.result_status,
        result=json.loads(row.result) if row.result else {},
    )


def upload_status(actor: Actor, upload_id: object) -> UploadStatus:
    """Where the actor's upload stands: the bytes on disk (continue from ``offset``),
    and once finished, the destination's answer."""
    row = _find(actor, upload_id)
    assert isinstance(upload_id, str)
    if row.status in (DONE, COMPLETING):
        return _status(upload_id, row)
    try:
        offset = get_storage().partial_size(row.partial_key)
    except BlobNotFound as exc:
        raise NotFound(NOT_FOUND) from exc
    return _status(upload_id, row, offset)


def _sniff(row: UploadSession, received: int) -> str:
    """The sniffed type once enough has arrived ("" before that); a refused type
    discards the upload."""
    if row.content_type or received < min(files.SNIFF_BYTES, row.size):
        return row.content_type
    storage = get_storage()
    head = storage.read_partial_head(row.partial_key, files.SNIFF_BYTES)
    try:
        return files.sniff_type(row.filename, head)
    except PortalError:
        _remove(row)
        raise


def append(
    actor: Actor, upload_id: object, offset: object, chunks: Iterable[bytes]
) -> UploadStatus:
    """Write ``chunks`` at ``offset`` of the actor's upload. Returns the new status:
    ``done`` with the destination's answer once the last byte arrived."""
    row = _find(actor, upload_id)
    assert isinstance(upload_id, str)
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise Invalid("The upload offset could not be read.")
    if row.status == DONE:
        if offset == row.size:
            return _status(upload_id, row)
        raise OffsetConflict(row.size)
    if row.status == COMPLETING:
        raise OffsetConflict(row.size, "The upload is being finished. Ask again in a moment.")
    storage = get_storage()
    try:
        received = storage.append_partial(
            row.partial_key, offset, _checked(chunks), max_bytes=row.size
        )
    except OffsetMismatch as exc:
        raise OffsetConflict(exc.expected) from exc
    except BlobTooLarge as exc:
        _remove(row)
        raise files.TooLarge(max(1, row.size // (1024 * 1024))) from exc
    except BlobNotFound as exc:
        raise NotFound(NOT_FOUND) from exc
    except BaseException:
        # The connection dropped midway: what arrived is on disk, and counted.
        _record(row, storage.partial_size(row.partial_key))
        raise
    content_type = _sniff(row, received)
    _record(row, received, content_type)
    row.received, row.content_type = received, content_type
    if received < row.size:
        return _status(upload_id, row, received)
    return _finish(actor, upload_id, row)


def _checked(chunks: Iterable[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise Invalid("The file could not be read. Try again.")
        if chunk:
            yield bytes(chunk)


def _record(row: UploadSession, received: int, content_type: str | None = None) -> None:
    values: dict[str, Any] = {"received": received, "updated_at": utcnow()}
    if content_type is not None:
        values["content_type"] = content_type
    with session_scope() as session:
        session.execute(
            update(UploadSession).where(col(UploadSession.id) == row.id).values(**values)
        )


def _finish(actor: Actor, upload_id: str, row: UploadSession) -> UploadStatus:
    """The last byte is in: complete, scan, hand over; one request does it (a claim on
    the row), the answer is kept for any that ask again."""
    with session_scope() as session:
        claimed = session.execute(
            update(UploadSession)
            .where(col(UploadSession.id) == row.id, UploadSession.status == RECEIVING)
            .values(status=COMPLETING, updated_at=utcnow())
        ).rowcount
    if not claimed:
        raise OffsetConflict(row.size, "The upload is being finished. Ask again in a moment.")
    storage = get_storage()
    blob = None
    try:
        content_type = row.content_type or files.sniff_type(
            row.filename, storage.read_partial_head(row.partial_key, files.SNIFF_BYTES)
        )
        blob = storage.complete_partial(row.partial_key)
        scan_status, scan_detail = files.scan_blob(storage, blob)
        result = uploads.accept(
            actor,
            json.loads(row.destination),
            row.filename,
            blob,
            content_type,
            scan_status,
            scan_detail,
        )
    except BaseException:
        _remove(row)
        if blob is not None:
            uploads.forget_blob(blob)
        raise
    result_status = 422 if scan_status == QUARANTINED else 201
    with session_scope() as session:
        session.execute(
            update(UploadSession)
            .where(col(UploadSession.id) == row.id)
            .values(
                status=DONE,
                received=row.size,
                content_type=content_type,
                result=json.dumps(result),
                result_status=result_status,
                updated_at=utcnow(),
            )
        )
    row.status, row.result, row.result_status = DONE, json.dumps(result), result_status
    return _status(upload_id, row)


def _remove(row: UploadSession) -> None:
    """Forget an upload and whatever bytes it had (a completed blob is the
    destination's, or already removed by its refusal)."""
    get_storage().discard_partial(row.partial_key)
    with session_scope() as session:
        session.execute(
            update(UploadSession)
            .where(col(UploadSession.id) == row.id)
            .values(status=CANCELLED, updated_at=utcnow(), received=0)
        )


def cancel(actor: Actor, upload_id: object) -> None:
    """Stop the actor's upload and discard its bytes (a finished one stays finished)."""
    row = _find(actor, upload_id)
    if row.status == RECEIVING:
        _remove(row)


def sweep_expired() -> int:
    """Remove expired upload sessions and their bytes, and partial blobs no session
    knows of any more (the worker runs it every hour). Returns how many went."""
    now = utcnow()
    storage = get_storage()
    with session_scope() as session:
        rows = session.exec(
            select(UploadSession).where(
                (col(UploadSession.expires_at) <= now) | (UploadSession.status == CANCELLED)
            )
        ).all()
        for row in rows:
            if row.status != DONE:
                storage.discard_partial(row.partial_key)
            session.delete(row)
    stray = storage.sweep_partials(LIFETIME.total_seconds() / 3600 + 1)
    return len(rows) + stray
