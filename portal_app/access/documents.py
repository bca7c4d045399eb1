"""Who sees which client documents and folders, and who may change them.

- Staff (administrators and regular staff) see every organization's three areas:
  shared, internal and received (``models/documents.py``).
- A client sees only their own organization's *shared* area: never the internal or
  received folders (nothing says they exist), never another organization's.
- Guests see no folder; a guest reaches one document only through its share link.
- Staff organize (upload, rename, move, delete to the trash); administrators restore
  from the trash. Nobody else changes a document space.

Lookups answer the same ``NotFound`` whether a folder or a document is missing, in the
trash or hidden from the actor.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false
from sqlmodel import Session, col

from portal_app.access.actors import Actor
from portal_app.db import session_scope
from portal_app.errors import NotFound
from portal_app.ids import parse_id
from portal_app.models import Document, DocumentFolder, StoredFile
from portal_app.models.documents import DOCUMENT_OWNER, SHARED

FOLDER_NOT_FOUND = "This folder doesn't exist or isn't shared with you."
DOCUMENT_NOT_FOUND = "This document doesn't exist or isn't shared with you."


def can_manage_documents(actor: Actor) -> bool:
    """Upload into any folder, organize, see versions, share: the firm's people."""
    return actor.is_staff


def can_restore_documents(actor: Actor) -> bool:
    """The trash (restore within 30 days) is administrators'."""
    return actor.is_admin


def sends_to_dropsite(actor: Actor) -> int | None:
    """The organization whose dropsite ``actor`` sends to: a client's own, or the one a
    dropsite link opened for a guest; ``None`` for staff and everyone else."""
    if actor.is_guest:
        if actor.scope is not None and actor.scope[0] == "dropsite":
            return actor.scope[1]
        return None
    if actor.is_client:
        return actor.organization_id
    return None


def visible_folders_filter(actor: Actor) -> ColumnElement[bool]:
    live = col(DocumentFolder.deleted_at).is_(None)
    if actor.is_staff:
        return live
    if actor.is_client and actor.organization_id is not None:
        return and_(
            live,
            DocumentFolder.organization_id == actor.organization_id,
            DocumentFolder.area == SHARED,
        )
    return false()


def visible_documents_filter(actor: Actor) -> ColumnElement[bool]:
    live = col(Document.deleted_at).is_(None)
    if actor.is_staff:
        return live
    if actor.is_client and actor.organization_id is not None:
        return and_(
            live, Document.organization_id == actor.organization_id, Document.area == SHARED
        )
    return false()


def access_folder(session: Session, actor: Actor, folder_id: object) -> DocumentFolder:
    try:
        number = parse_id(folder_id)
    except NotFound as exc:
        raise NotFound(FOLDER_NOT_FOUND) from exc
    folder = session.get(DocumentFolder, number)
    if folder is None or not sees_folder(actor, folder):
        raise NotFound(FOLDER_NOT_FOUND)
    return folder


def sees_folder(actor: Actor, folder: DocumentFolder) -> bool:
    if folder.deleted_at is not None:
        return False
    if actor.is_staff:
        return True
    return (
        actor.is_client
        and actor.organization_id is not None
        and folder.organization_id == actor.organization_id
        and folder.area == SHARED
    )


def access_document(session: Session, actor: Actor, document_id: object) -> Document:
    try:
        number = parse_id(document_id)
    except NotFound as exc:
        raise NotFound(DOCUMENT_NOT_FOUND) from exc
    document = session.get(Document, number)
    if document is None or not sees_document(actor, document):
        raise NotFound(DOCUMENT_NOT_FOUND)
    return document


def sees_document(actor: Actor, document: Document) -> bool:
    if document.deleted_at is not None:
        return False
    if actor.is_staff:
        return True
    return (
        actor.is_client
        and actor.organization_id is not None
        and document.organization_id == actor.organization_id
        and document.area == SHARED
    )


def reads_document_file(actor: Actor, file: StoredFile) -> bool:
    """A document's version: staff read every version; a client of the organization only
    the current one of a shared document."""
    if file.owner_type != DOCUMENT_OWNER or not file.owner_id.isdigit():
        return False
    with session_scope() as session:
        document = session.get(Document, int(file.owner_id))
        if document is None or not sees_document(actor, document):
            return False
        return actor.is_staff or document.current_file_id == file.id
