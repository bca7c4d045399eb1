"""Client document spaces: folders, documents and their versions, dropsite batches.

Every organization has three top folders, made the first time anyone needs them:

| area | who sees it | what goes in |
| --- | --- | --- |
| ``shared`` | staff and the organization's members | what the firm and the client share |
| ``internal`` | staff only; clients never learn it exists | the firm's working papers |
| ``received`` | staff only | what comes through a dropsite (a folder per sender and day) |

A folder belongs to one organization and one area (its top folder's); a document to
one folder. A document's versions are ``stored_file`` rows owned by
``("document", "<document id>")``; ``current_file_id`` is the one people download.
Deleting puts a document or a folder in the trash (``deleted_at``); admins restore it
for 30 days, after which the bytes are removed.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from portal_app.clock import utcnow

SHARED, INTERNAL, RECEIVED = "shared", "internal", "received"
AREAS = (SHARED, INTERNAL, RECEIVED)
DOCUMENT_OWNER = "document"


class DocumentFolder(SQLModel, table=True):
    __tablename__ = "document_folder"
    __table_args__ = (Index("ix_document_folder_place", "organization_id", "area", "parent_id"),)

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id")
    area: str = Field(max_length=16)
    # None: the area's top folder.
    parent_id: int | None = Field(default=None, foreign_key="document_folder.id", index=True)
    name: str = Field(max_length=120)
    # The received area's folders are one per sender and day.
    sender_id: int | None = Field(default=None, foreign_key="user_account.id")
    sender_day: date | None = None
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None
    deleted_by: int | None = Field(default=None, foreign_key="user_account.id")


class Document(SQLModel, table=True):
    __tablename__ = "document"
    __table_args__ = (Index("ix_document_folder_name", "folder_id", "name_key"),)

    id: int | None = Field(default=None, primary_key=True)
    folder_id: int = Field(foreign_key="document_folder.id")
    # Copied from the folder: quotas and "which documents may this actor see" need no join.
    organization_id: int = Field(foreign_key="organization.id", index=True)
    area: str = Field(max_length=16)
    name: str = Field(max_length=255)
    # The name compared when a file of the same name arrives (a new version).
    name_key: str = Field(max_length=255)
    current_file_id: int | None = Field(default=None, foreign_key="stored_file.id")
    batch_id: int | None = Field(default=None, foreign_key="dropsite_batch.id", index=True)
    created_by: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    deleted_at: datetime | None = None
    deleted_by: int | None = Field(default=None, foreign_key="user_account.id")


class DropsiteBatch(SQLModel, table=True):
    """One sending through a dropsite: the files a person dropped together, their
    message and, when they aren't signed in, the name and address they gave. Staff are
    told once per batch, when the sender's browser says it is done."""

    __tablename__ = "dropsite_batch"

    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    uploader_id: int = Field(foreign_key="user_account.id", index=True)
    # Where it was sent from: a dropsite widget ("<page id>:<widget id>") or a link.
    page_id: int | None = Field(default=None, foreign_key="page.id")
    widget_id: str = Field(default="", max_length=40)
    share_id: int | None = Field(default=None, foreign_key="share.id")
    sender_name: str = Field(default="", max_length=120)
    sender_email: str = Field(default="", max_length=254)
    message: str = Field(default="", max_length=2000)
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
