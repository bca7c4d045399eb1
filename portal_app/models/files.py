"""Stored files and who owns them.

A file's bytes live in the storage under ``storage_key`` (made by the storage, see
``portal_app/storage``); the row says what the file is and who owns it. The owner is
generic, ``(owner_type, owner_id)``, so documents, issue attachments or form submissions
can own files the way widgets do, without a table or a column of their own:

| owner_type | owner_id | files |
| --- | --- | --- |
| ``widget`` | ``"<page id>:<widget id>"`` | attachments, media, rich text images, form fields |
| ``document`` | ``"<document id>"`` | a document's versions (``models/documents.py``) |

Who may read a file is the owner's rule: ``services/files.py`` asks the owner type.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from portal_app.clock import utcnow

WIDGET_OWNER = "widget"
UNSCANNED, CLEAN, QUARANTINED = "unscanned", "clean", "quarantined"


def widget_owner(page_id: int, widget_id: str) -> tuple[str, str]:
    """The ``(owner_type, owner_id)`` of the files on one widget of one page."""
    return WIDGET_OWNER, f"{page_id}:{widget_id}"


def parse_widget_owner(owner_id: str) -> tuple[int, str]:
    """``(page_id, widget_id)`` back from a widget owner id; ``ValueError`` otherwise."""
    page_id, colon, widget_id = owner_id.partition(":")
    if not colon or not page_id.isascii() or not page_id.isdigit() or not widget_id:
        raise ValueError(f"not a widget owner: {owner_id!r}")
    return int(page_id), widget_id


class StoredFile(SQLModel, table=True):
    """One file someone uploaded; its bytes leave only through the authorizing
    download route."""

    __tablename__ = "stored_file"
    __table_args__ = (Index("ix_stored_file_owner", "owner_type", "owner_id"),)

    id: int | None = Field(default=None, primary_key=True)
    owner_type: str = Field(max_length=32)
    owner_id: str = Field(max_length=80)
    uploader_id: int = Field(foreign_key="user_account.id")
    filename: str = Field(max_length=255)
    storage_key: str = Field(max_length=64, unique=True)
    size: int
    content_type: str = Field(max_length=120)
    sha256: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None
    # The scan hook's verdict (storage/scan.py): ``unscanned`` (no scanner configured),
    # ``clean``, or ``quarantined`` (never served to anyone).
    scan_status: str = Field(default="unscanned", max_length=16)
    scan_detail: str = Field(default="", max_length=200)
