"""Where an upload may go: the destinations the resumable protocol
(``services/transfers.py``) hands a finished file to.

A destination is a small JSON object the browser sends when it starts an upload:

- ``{"kind": "widget", "page": P, "widget": W}``: a widget's file (``services/files.py``:
  attachments, media, rich text images, form fields);
- ``{"kind": "folder" | "library" | "dropsite", ...}``: a document or a new version
  (``services/documents.py``, ``plan_upload`` and ``accept_upload``);
- ``{"kind": "issue", "issue": I}``: an issue's attachment (``services/issues.py``,
  ``plan_attachment`` and ``accept_attachment``: whoever may reply to the issue).

Two questions per kind: ``plan`` (before a byte is sent: may ``actor`` upload this name and
size here, what is the largest file this destination takes, whose quota it counts
against) and ``accept`` (the bytes are stored, sniffed and scanned: make the file, and
answer the browser's JSON). ``accept`` asks the access rules again: they may have
changed while the bytes arrived.

Quota: a document destination counts against its organization's
``PORTAL_ORGANIZATION_QUOTA_MB``; ``documents.plan_upload`` refuses an upload that would
go past it before a byte is sent (413, with what is used of how much), and
``documents.accept_upload`` checks again when it is finished.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from portal_app.access import Actor
from portal_app.config import get_settings
from portal_app.db import session_scope
from portal_app.errors import Invalid
from portal_app.models import StoredFile
from portal_app.models.files import QUARANTINED, UNSCANNED
from portal_app.services import documents, files, issues
from portal_app.storage import InvalidKey, SavedBlob, get_storage

WIDGET = "widget"
ISSUE = "issue"
DOCUMENT_KINDS = ("folder", "library", "dropsite")
KINDS = (WIDGET, ISSUE, *DOCUMENT_KINDS)


@dataclass(frozen=True)
class Plan:
    max_bytes: int
    organization_id: int | None


def _kind(destination: object) -> str:
    if not isinstance(destination, dict) or destination.get("kind") not in KINDS:
        raise Invalid("Choose where the file should go.")
    return str(destination["kind"])


def plan(actor: Actor, destination: dict[str, Any], name: object, size: object) -> Plan:
    """May ``actor`` upload a file called ``name`` of ``size`` bytes to ``destination``?
    The answer is the plan (largest size, the organization whose quota it counts
    against); a refusal says why (403/404 access, 413 too large, 415 type, 507 quota,
    400 empty)."""
    kind = _kind(destination)
    cleaned = files.clean_filename(name)
    if kind == WIDGET:
        # Access first (the same answer for a hidden widget whatever the file), then
        # the extension and the size.
        widget_plan = files.plan_widget_upload(
            actor, destination.get("page"), destination.get("widget"), cleaned
        )
        files.check_size(size, widget_plan.max_bytes)
        return Plan(max_bytes=widget_plan.max_bytes, organization_id=None)
    if kind == ISSUE:
        max_bytes = issues.plan_attachment(actor, destination, cleaned, size)
        files.check_extension(cleaned)
        files.check_size(size, max_bytes)
        return Plan(max_bytes=max_bytes, organization_id=None)
    document_plan = documents.plan_upload(actor, destination, cleaned, size)
    files.check_extension(cleaned)
    max_bytes = min(int(document_plan.max_bytes), get_settings().max_document_bytes)
    files.check_size(size, max_bytes)
    return Plan(max_bytes=max_bytes, organization_id=document_plan.organization_id)


def widget_file_json(row: files.FileRow) -> dict[str, Any]:
    """What the browser is told of a new widget file (the old upload route's answer)."""
    return {
        "message": f"“{row.name}” was uploaded.",
        "file": {
            "id": row.id,
            "name": row.name,
            "size": row.size,
            "type_label": row.type_label,
            "url": row.url,
        },
    }


def accept(
    actor: Actor,
    destination: dict[str, Any],
    name: object,
    blob: SavedBlob,
    content_type: str,
    scan_status: str = UNSCANNED,
    scan_detail: str = "",
) -> dict[str, Any]:
    """Hand the stored, sniffed and scanned ``blob`` to ``destination``; the JSON for the
    browser. A quarantined file is kept (for administrators) and the answer says it was
    held back. On refusal nothing stays: the blob is removed."""
    try:
        kind = _kind(destination)
        cleaned = files.clean_filename(name)
        if kind == WIDGET:
            row = files.accept_widget_upload(
                actor,
                destination.get("page"),
                destination.get("widget"),
                cleaned,
                blob,
                content_type,
                scan_status,
                scan_detail,
            )
            result = widget_file_json(row)
        elif kind == ISSUE:
            result = issues.accept_attachment(
                actor,
                destination,
                cleaned,
                blob,
                content_type,
                scan_status=scan_status,
                scan_detail=scan_detail,
            )
        else:
            result = documents.accept_upload(
                actor,
                destination,
                cleaned,
                blob,
                content_type,
                scan_status=scan_status,
                scan_detail=scan_detail,
            )
    except BaseException:
        forget_blob(blob)
        raise
    if scan_status == QUARANTINED:
        result = {**result, "message": str(files.Quarantined(cleaned)), "quarantined": True}
    return result


def forget_blob(blob: object) -> None:
    """Remove a refused blob's bytes, unless a file row took them after all."""
    if not isinstance(blob, SavedBlob):
        return
    with session_scope() as session:
        kept = session.exec(select(StoredFile.id).where(StoredFile.storage_key == blob.key)).first()
    if kept is None:
        with contextlib.suppress(InvalidKey):
            get_storage().delete(blob.key)
