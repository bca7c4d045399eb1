"""Client document spaces: folders, documents and versions, the trash, dropsites.

Rules enforced here on every call (who sees what is ``access/documents.py``):
- each organization has three top folders, made when first needed: *shared* (staff
  and the organization's members), *internal* (staff only) and *received* (staff only:
  what comes through a dropsite, in a folder per sender and day);
- staff organize: folders, uploads, rename, move (within the organization only),
  delete to the trash, versions; administrators restore from the trash for 30 days,
  after which the bytes are removed for good (``purge_trash``);
- a file of the same name in the same folder is a new version of that document;
  restoring a version copies it as the newest one, so the history keeps every step;
- a dropsite is upload-only: the sender never lists or downloads what is there, and a
  name sent twice is kept twice (``report (2).pdf``);
- sizes: ``PORTAL_MAX_DOCUMENT_MB`` per file, ``PORTAL_ORGANIZATION_QUOTA_MB`` for all of
  an organization's documents (every version, the trash included until purged).

Uploads arrive through the transfer protocol (``services/uploads.py``), which asks
``plan_upload`` before the first byte and ``accept_upload`` once the bytes are stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, func
from sqlmodel import Session, col, select

from portal_app import access
from portal_app.access import Actor
from portal_app.clock import utcnow
from portal_app.config import get_settings
from portal_app.db import session_scope
from portal_app.errors import Forbidden, Invalid, NotFound, PortalError
from portal_app.ids import parse_id
from portal_app.models import (
    Document,
    DocumentFolder,
    DropsiteBatch,
    Organization,
    OrganizationStaff,
    PageSubscription,
    StoredFile,
    User,
)
from portal_app.models.documents import DOCUMENT_OWNER, INTERNAL, RECEIVED, SHARED
from portal_app.models.files import QUARANTINED
from portal_app.services import audit, mail
from portal_app.services.files import clean_filename, is_inline, size_text, type_label
from portal_app.services.links import portal_url
from portal_app.services.text import clean_line, clean_text
from portal_app.services.widget_targets import widget_target
from portal_app.storage import SavedBlob, get_storage

AREA_LABELS = {
    SHARED: "Shared with client",
    INTERNAL: "Internal (staff only)",
    RECEIVED: "Received",
}
AREA_ORDER = (SHARED, INTERNAL, RECEIVED)
TRASH_DAYS = 30
MAX_FOLDER_NAME = 120
MAX_MESSAGE = 2000
MAX_DEPTH = 12
LIBRARY_TYPE, DROPSITE_TYPE = "library", "dropsite"


class QuotaExceeded(PortalError):
    status = 413


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


@dataclass(frozen=True)
class FolderRow:
    id: int
    name: str
    area: str
    items: int
    updated: str
    sender: str


@dataclass(frozen=True)
class DocumentRow:
    id: int
    name: str
    size: str
    type_label: str
    updated: str
    uploader: str
    versions: int
    url: str
    inline: bool
    can_manage: bool
    quarantined: bool
    message: str


@dataclass(frozen=True)
class SpaceView:
    # The client whose space this is, for staff (who switch between clients); 0 for a
    # client, who has only their own and needs no id for it.
    client_id: int
    organization_name: str
    folder: FolderRow
    crumbs: list[FolderRow]
    areas: list[FolderRow]
    folders: list[FolderRow]
    documents: list[DocumentRow]
    can_manage: bool
    can_upload: bool
    upload_destination: dict[str, Any] = field(default_factory=dict)
    used: str = ""


@dataclass(frozen=True)
class VersionRow:
    file_id: int
    number: int
    size: str
    uploaded: str
    uploader: str
    url: str
    current: bool


@dataclass(frozen=True)
class TrashRow:
    kind: str
    id: int
    name: str
    organization: str
    deleted: str
    deleted_by: str
    purge_on: str


@dataclass(frozen=True)
class DropsiteInfo:
    organization_name: str
    asks_sender: bool
    sender_name: str
    sender_email: str


@dataclass(frozen=True)
class BatchSummary:
    count: int
    names: list[str]


@dataclass(frozen=True)
class UploadPlan:
    max_bytes: int
    organization_id: int


# --- small helpers -----------------------------------------------------------------------


def _day(moment: datetime | None) -> str:
    return moment.strftime("%-d %b %Y") if moment else ""


def _when(moment: datetime | None) -> str:
    return moment.strftime("%-d %b %Y, %H:%M") if moment else ""


def name_key(name: str) -> str:
    return name.casefold()


def _folder_name(raw: object) -> str:
    name = clean_line(raw if isinstance(raw, str) else "")
    name = re.sub(r"[/\\]", "-", name).strip(" .")
    if not name:
        raise Invalid("Enter a folder name.", "name")
    if len(name) > MAX_FOLDER_NAME:
        raise Invalid(f"Use at most {MAX_FOLDER_NAME} characters.", "name")
    return name


def _require_manager(actor: Actor) -> None:
    access.require(access.can_manage_documents(actor))


def _organization(session: Session, organization_id: int) -> Organization:
    organization = session.get(Organization, organization_id)
    if organization is None:
        raise NotFound("This client doesn't exist.")
    return organization


def _top(session: Session, organization_id: int, area: str) -> DocumentFolder:
    """The area's top folder, made the first time it is needed."""
    folder = session.exec(
        select(DocumentFolder)
        .where(
            DocumentFolder.organization_id == organization_id,
            DocumentFolder.area == area,
            col(DocumentFolder.parent_id).is_(None),
        )
        .order_by(col(DocumentFolder.id))
    ).first()
    if folder is None:
        folder = DocumentFolder(
            organization_id=organization_id, area=area, parent_id=None, name=AREA_LABELS[area]
        )
        session.add(folder)
        session.flush()
    return folder


def _path(session: Session, folder: DocumentFolder) -> list[DocumentFolder]:
    """The folder's ancestors from its top folder down, the folder itself last."""
    chain = [folder]
    while chain[-1].parent_id is not None and len(chain) < MAX_DEPTH + 2:
        parent = session.get(DocumentFolder, chain[-1].parent_id)
        if parent is None:
            break
        chain.append(parent)
    return list(reversed(chain))


def _child_named(session: Session, parent: DocumentFolder, name: str) -> DocumentFolder | None:
    for child in session.exec(
        select(DocumentFolder).where(
            DocumentFolder.parent_id == parent.id, col(DocumentFolder.deleted_at).is_(None)
        )
    ):
        if name_key(child.name) == name_key(name):
            return child
    return None


def _live_document(session: Session, folder_id: int, name: str) -> Document | None:
    return session.exec(
        select(Document).where(
            Document.folder_id == folder_id,
            Document.name_key == name_key(name),
            col(Document.deleted_at).is_(None),
        )
    ).first()


def _used_bytes(session: Session, organization_id: int) -> int:
    ids = select(cast(Document.id, String)).where(Document.organization_id == organization_id)
    total = session.exec(
        select(func.coalesce(func.sum(StoredFile.size), 0)).where(
            StoredFile.owner_type == DOCUMENT_OWNER,
            col(StoredFile.deleted_at).is_(None),
            col(StoredFile.owner_id).in_(ids),
        )
    ).one()
    return int(total or 0)


def _used_text(session: Session, organization_id: int) -> str:
    settings = get_settings()
    return (
        f"{size_text(_used_bytes(session, organization_id))} of "
        f"{size_text(settings.organization_quota_bytes)} used"
    )


# --- rows ------------------------------------------------------------------------------


def _folder_rows(session: Session, actor: Actor, folders: list[DocumentFolder]) -> list[FolderRow]:
    ids = [f.id for f in folders if f.id is not None]
    counts: dict[int, int] = {}
    latest: dict[int, datetime] = {}
    if ids:
        for parent_id, number in session.exec(
            select(DocumentFolder.parent_id, func.count())
            .where(col(DocumentFolder.parent_id).in_(ids), access.visible_folders_filter(actor))
            .group_by(DocumentFolder.parent_id)
        ):
            counts[parent_id] = counts.get(parent_id, 0) + number  # type: ignore[index]
        for folder_id, number, newest in session.exec(
            select(Document.folder_id, func.count(), func.max(Document.updated_at))
            .where(col(Document.folder_id).in_(ids), access.visible_documents_filter(actor))
            .group_by(Document.folder_id)
        ):
            counts[folder_id] = counts.get(folder_id, 0) + number
            latest[folder_id] = newest
    senders = {
        user.id: user.display_name
        for user in session.exec(
            select(User).where(
                col(User.id).in_({f.sender_id for f in folders if f.sender_id is not None})
            )
        )
    }
    return [
        FolderRow(
            id=f.id or 0,
            name=f.name,
            area=f.area,
            items=counts.get(f.id or 0, 0),
            updated=_day(latest.get(f.id or 0)),
            sender=senders.get(f.sender_id, "") if f.sender_id is not None else "",
        )
        for f in folders
    ]


def _document_rows(session: Session, actor: Actor, documents: list[Document]) -> list[DocumentRow]:
    file_ids = [d.current_file_id for d in documents if d.current_file_id is not None]
    files = {
        f.id: f for f in session.exec(select(StoredFile).where(col(StoredFile.id).in_(file_ids)))
    }
    people = {
        u.id: u.display_name
        for u in session.exec(
            select(User).where(col(User.id).in_({f.uploader_id for f in files.values()}))
        )
    }
    versions = dict(
        session.exec(
            select(StoredFile.owner_id, func.count())
            .where(
                StoredFile.owner_type == DOCUMENT_OWNER,
                col(StoredFile.owner_id).in_([str(d.id) for d in documents]),
                col(StoredFile.deleted_at).is_(None),
            )
            .group_by(StoredFile.owner_id)
        ).all()
    )
    batches = {
        b.id: b
        for b in session.exec(
            select(DropsiteBatch).where(
                col(DropsiteBatch.id).in_({d.batch_id for d in documents if d.batch_id})
            )
        )
    }
    manage = access.can_manage_documents(actor)
    rows = []
    for document in documents:
        file = files.get(document.current_file_id)
        if file is None:
            continue
        batch = batches.get(document.batch_id) if document.batch_id else None
        uploader = people.get(file.uploader_id, "")
        if batch is not None and batch.sender_name:
            uploader = f"{batch.sender_name} ({batch.sender_email})"
        quarantined = file.scan_status == QUARANTINED
        rows.append(
            DocumentRow(
                id=document.id or 0,
                name=document.name,
                size=size_text(file.size),
                type_label=type_label(file.content_type),
                updated=_when(document.updated_at),
                uploader=uploader,
                versions=versions.get(str(document.id), 1),
                url="" if quarantined else f"/files/{file.id}",
                inline=is_inline(file.content_type),
                can_manage=manage,
                quarantined=quarantined,
                message=batch.message if batch is not None and manage else "",
            )
        )
    return rows


def _view(
    session: Session,
    actor: Actor,
    folder: DocumentFolder,
    *,
    base: DocumentFolder | None = None,
    can_upload: bool,
    destination: dict[str, Any],
) -> SpaceView:
    organization = _organization(session, folder.organization_id)
    chain = _path(session, folder)
    if base is not None:
        chain = chain[[f.id for f in chain].index(base.id) :]
    areas = (
        [_top(session, folder.organization_id, area) for area in AREA_ORDER]
        if access.can_manage_documents(actor) and base is None
        else [chain[0]]
    )
    subfolders = list(
        session.exec(
            select(DocumentFolder)
            .where(DocumentFolder.parent_id == folder.id, access.visible_folders_filter(actor))
            .order_by(col(DocumentFolder.sender_day).desc(), func.lower(DocumentFolder.name))
        )
    )
    documents = list(
        session.exec(
            select(Document)
            .where(Document.folder_id == folder.id, access.visible_documents_filter(actor))
            .order_by(Document.name_key)
        )
    )
    rows = _folder_rows(session, actor, [*chain, *areas, *subfolders])
    by_id = {row.id: row for row in rows}
    manage = access.can_manage_documents(actor)
    return SpaceView(
        client_id=(organization.id or 0) if manage else 0,
        organization_name=organization.name,
        folder=by_id[folder.id or 0],
        crumbs=[by_id[f.id or 0] for f in chain[:-1]],
        areas=[by_id[f.id or 0] for f in areas],
        folders=[by_id[f.id or 0] for f in subfolders],
        documents=_document_rows(session, actor, documents),
        can_manage=manage,
        can_upload=can_upload,
        upload_destination=destination if can_upload else {},
        used=_used_text(session, folder.organization_id) if manage else "",
    )


# --- the document space -----------------------------------------------------------------


def _own_organization_only(actor: Actor, organization_id: object) -> None:
    """A client names no organization but their own (nothing else is theirs to open)."""
    if access.can_manage_documents(actor) or organization_id in (None, "", 0):
        return
    if organization_id != actor.organization_id:
        raise NotFound(access.FOLDER_NOT_FOUND)


def organizations(actor: Actor) -> list[Choice]:
    """The client organizations whose documents ``actor`` may open."""
    with session_scope() as session:
        rows = session.exec(
            select(Organization)
            .where(
                access.visible_organizations_filter(actor), col(Organization.archived).is_(False)
            )
            .order_by(func.lower(Organization.name))
        ).all()
        return [Choice(o.id or 0, o.name) for o in rows]


def open_space(actor: Actor, organization_id: object = None, folder_id: object = None) -> SpaceView:
    """A folder of a document space: a client always sees their own organization's
    shared area; staff open a folder, or an organization's shared top folder."""
    with session_scope() as session:
        _own_organization_only(actor, organization_id)
        if actor.is_client and actor.organization_id is not None and folder_id in (None, "", 0):
            folder = _top(session, actor.organization_id, SHARED)
        elif folder_id not in (None, "", 0):
            folder = access.access_folder(session, actor, folder_id)
        elif access.can_manage_documents(actor) and organization_id not in (None, "", 0):
            organization = _organization(session, parse_id(organization_id))
            folder = _top(session, organization.id or 0, SHARED)
        elif access.can_manage_documents(actor):
            raise Invalid("Choose a client.", "organization")
        else:
            raise NotFound(access.FOLDER_NOT_FOUND)
        manage = access.can_manage_documents(actor)
        return _view(
            session,
            actor,
            folder,
            can_upload=manage,
            destination={"kind": "folder", "folder": folder.id},
        )


def create_folder(actor: Actor, parent_id: object, name: object) -> FolderRow:
    _require_manager(actor)
    clean = _folder_name(name)
    with session_scope() as session:
        parent = access.access_folder(session, actor, parent_id)
        if len(_path(session, parent)) > MAX_DEPTH:
            raise Invalid("Folders can't be nested this deep.", "name")
        if _child_named(session, parent, clean) is not None:
            raise Invalid(f"There is already a folder named “{clean}” here.", "name")
        folder = DocumentFolder(
            organization_id=parent.organization_id,
            area=parent.area,
            parent_id=parent.id,
            name=clean,
            created_by=actor.user_id,
        )
        session.add(folder)
        session.flush()
        audit.record(
            session,
            "folder_created",
            actor_id=actor.user_id,
            target_type="folder",
            target_id=folder.id,
            organization_id=folder.organization_id,
            name=clean,
        )
        return _folder_rows(session, actor, [folder])[0]


def rename_folder(actor: Actor, folder_id: object, name: object) -> None:
    _require_manager(actor)
    clean = _folder_name(name)
    with session_scope() as session:
        folder = access.access_folder(session, actor, folder_id)
        if folder.parent_id is None:
            raise Invalid("The top folders keep their names.", "name")
        parent = session.get(DocumentFolder, folder.parent_id)
        assert parent is not None
        other = _child_named(session, parent, clean)
        if other is not None and other.id != folder.id:
            raise Invalid(f"There is already a folder named “{clean}” here.", "name")
        audit.record(
            session,
            "folder_renamed",
            actor_id=actor.user_id,
            target_type="folder",
            target_id=folder.id,
            name=clean,
            previous=folder.name,
        )
        folder.name = clean
        session.add(folder)


def _descendants(session: Session, folder: DocumentFolder) -> list[DocumentFolder]:
    found, frontier = [folder], [folder.id]
    while frontier:
        children = list(
            session.exec(
                select(DocumentFolder).where(
                    col(DocumentFolder.parent_id).in_(frontier),
                    col(DocumentFolder.deleted_at).is_(None),
                )
            )
        )
        found.extend(children)
        frontier = [c.id for c in children]
    return found


def delete_folder(actor: Actor, folder_id: object) -> None:
    """To the trash with everything in it (restored together)."""
    _require_manager(actor)
    now = utcnow()
    with session_scope() as session:
        folder = access.access_folder(session, actor, folder_id)
        if folder.parent_id is None:
            raise Invalid("The top folders can't be deleted.")
        folders = _descendants(session, folder)
        for each in folders:
            each.deleted_at, each.deleted_by = now, actor.user_id
            session.add(each)
        for document in session.exec(
            select(Document).where(
                col(Document.folder_id).in_([f.id for f in folders]),
                col(Document.deleted_at).is_(None),
            )
        ):
            document.deleted_at, document.deleted_by = now, actor.user_id
            session.add(document)
        audit.record(
            session,
            "folder_deleted",
            actor_id=actor.user_id,
            target_type="folder",
            target_id=folder.id,
            name=folder.name,
        )


def _managed_document(session: Session, actor: Actor, document_id: object) -> Document:
    _require_manager(actor)
    return access.access_document(session, actor, document_id)


def rename_document(actor: Actor, document_id: object, name: object) -> None:
    with session_scope() as session:
        document = _managed_document(session, actor, document_id)
        clean = clean_filename(name)
        if not isinstance(name, str) or not name.strip():
            raise Invalid("Enter a name.", "name")
        other = _live_document(session, document.folder_id, clean)
        if other is not None and other.id != document.id:
            raise Invalid(f"There is already a document named “{clean}” here.", "name")
        audit.record(
            session,
            "document_renamed",
            actor_id=actor.user_id,
            target_type="document",
            target_id=document.id,
            name=clean,
            previous=document.name,
        )
        document.name, document.name_key = clean, name_key(clean)
        session.add(document)


def _folder_choices(session: Session, organization_id: int, leave_out: set[int]) -> list[Choice]:
    """The organization's live folders by path ("Shared with client › Tax"), but the
    ones in ``leave_out``."""
    folders = list(
        session.exec(
            select(DocumentFolder).where(
                DocumentFolder.organization_id == organization_id,
                col(DocumentFolder.deleted_at).is_(None),
            )
        )
    )
    by_id = {f.id: f for f in folders}

    def path(folder: DocumentFolder) -> str:
        parts, current = [], folder
        while current is not None and len(parts) <= MAX_DEPTH:
            parts.append(current.name)
            current = by_id.get(current.parent_id)  # type: ignore[assignment]
        return " › ".join(reversed(parts))

    choices = [Choice(f.id or 0, path(f)) for f in folders if f.id not in leave_out]
    return sorted(choices, key=lambda c: c.name.casefold())


def move_choices(actor: Actor, document_id: object) -> list[Choice]:
    """Every folder of the document's organization it may move to, by path."""
    with session_scope() as session:
        document = _managed_document(session, actor, document_id)
        return _folder_choices(session, document.organization_id, {document.folder_id})


def _managed_subfolder(session: Session, actor: Actor, folder_id: object) -> DocumentFolder:
    _require_manager(actor)
    folder = access.access_folder(session, actor, folder_id)
    if folder.parent_id is None:
        raise Invalid("The top folders stay where they are.")
    return folder


def folder_move_choices(actor: Actor, folder_id: object) -> list[Choice]:
    """Where a folder may go: any folder of its organization but itself, what is inside
    it, and the folder it is already in."""
    with session_scope() as session:
        folder = _managed_subfolder(session, actor, folder_id)
        inside = {f.id or 0 for f in _descendants(session, folder)}
        return _folder_choices(session, folder.organization_id, inside | {folder.parent_id or 0})


def move_folder(actor: Actor, folder_id: object, target_id: object) -> None:
    """Moves a folder with everything in it; what it holds takes the new area (moving
    into *Shared with client* shows it to the client, as moving a document does)."""
    with session_scope() as session:
        folder = _managed_subfolder(session, actor, folder_id)
        target = access.access_folder(session, actor, target_id)
        if target.organization_id != folder.organization_id:
            raise Invalid("Folders move only within the same client's folders.", "folder")
        inside = _descendants(session, folder)
        if target.id in {f.id for f in inside}:
            raise Invalid("A folder can't move into itself.", "folder")
        if len(_path(session, target)) + _depth_below(inside, folder) > MAX_DEPTH + 1:
            raise Invalid("That would nest folders too deep.", "folder")
        other = _child_named(session, target, folder.name)
        if other is not None and other.id != folder.id:
            raise Invalid(f"There is already a folder named “{folder.name}” there.", "folder")
        audit.record(
            session,
            "folder_moved",
            actor_id=actor.user_id,
            target_type="folder",
            target_id=folder.id,
            from_folder=folder.parent_id,
            to_folder=target.id,
        )
        folder.parent_id = target.id
        ids = [f.id for f in inside]
        for each in inside:
            each.area = target.area
            session.add(each)
        for document in session.exec(select(Document).where(col(Document.folder_id).in_(ids))):
            document.area = target.area
            session.add(document)


def _depth_below(inside: list[DocumentFolder], folder: DocumentFolder) -> int:
    """How many levels ``folder`` and its subfolders take (1: no subfolders)."""
    depth = {folder.id: 1}
    pending = [f for f in inside if f.id != folder.id]
    while pending:
        rest = []
        for each in pending:
            if each.parent_id in depth:
                depth[each.id] = depth[each.parent_id] + 1
            else:
                rest.append(each)
        if len(rest) == len(pending):
            break
        pending = rest
    return max(depth.values())


def move_document(actor: Actor, document_id: object, folder_id: object) -> None:
    with session_scope() as session:
        document = _managed_document(session, actor, document_id)
        target = access.access_folder(session, actor, folder_id)
        if target.organization_id != document.organization_id:
            # A document never changes client: that would hand one client's file to another.
            raise Invalid("Documents move only within the same client's folders.", "folder")
        if _live_document(session, target.id or 0, document.name) is not None:
            raise Invalid(f"There is already a document named “{document.name}” there.", "folder")
        audit.record(
            session,
            "document_moved",
            actor_id=actor.user_id,
            target_type="document",
            target_id=document.id,
            from_folder=document.folder_id,
            to_folder=target.id,
        )
        document.folder_id, document.area = target.id or 0, target.area
        session.add(document)


def delete_document(actor: Actor, document_id: object) -> None:
    with session_scope() as session:
        document = _managed_document(session, actor, document_id)
        document.deleted_at, document.deleted_by = utcnow(), actor.user_id
        session.add(document)
        audit.record(
            session,
            "document_deleted",
            actor_id=actor.user_id,
            target_type="document",
            target_id=document.id,
            name=document.name,
        )


# --- versions --------------------------------------------------------------------------


def _versions(session: Session, document: Document) -> list[StoredFile]:
    return list(
        session.exec(
            select(StoredFile)
            .where(
                StoredFile.owner_type == DOCUMENT_OWNER,
                StoredFile.owner_id == str(document.id),
                col(StoredFile.deleted_at).is_(None),
            )
            .order_by(col(StoredFile.created_at), col(StoredFile.id))
        )
    )


def list_versions(actor: Actor, document_id: object) -> list[VersionRow]:
    """Every version, newest first."""
    with session_scope() as session:
        document = _managed_document(session, actor, document_id)
        versions = _versions(session, document)
        people = {
            u.id: u.display_name
            for u in session.exec(
                select(User).where(col(User.id).in_({v.uploader_id for v in versions}))
            )
        }
        rows = [
            VersionRow(
                file_id=v.id or 0,
                number=number,
                size=size_text(v.size),
                uploaded=_when(v.created_at),
                uploader=people.get(v.uploader_id, ""),
                url="" if v.scan_status == QUARANTINED else f"/files/{v.id}",
                current=v.id == document.current_file_id,
            )
            for number, v in enumerate(versions, start=1)
        ]
        return list(reversed(rows))


def restore_version(actor: Actor, document_id: object, file_id: object) -> None:
    """The chosen version becomes the newest one (its bytes copied), so the history
    keeps every step and the quota counts what is stored."""
    with session_scope() as session:
        document = _managed_document(session, actor, document_id)
        number = parse_id(file_id)
        old = next((v for v in _versions(session, document) if v.id == number), None)
        if old is None:
            raise NotFound("This version doesn't exist.")
        if old.id == document.current_file_id:
            raise Invalid("This is already the current version.")
        if old.scan_status == QUARANTINED:
            raise Invalid("A version held back by the virus scanner can't be restored.")
        organization_id = document.organization_id
        key, size, content_type = old.storage_key, old.size, old.content_type
        scan_status, scan_detail = old.scan_status, old.scan_detail
        _check_quota(session, organization_id, size)
    storage = get_storage()
    blob = storage.save(storage.open_range(key), max_bytes=size)
    try:
        with session_scope() as session:
            document = _managed_document(session, actor, document_id)
            copy = StoredFile(
                owner_type=DOCUMENT_OWNER,
                owner_id=str(document.id),
                uploader_id=actor.user_id,
                filename=document.name,
                storage_key=blob.key,
                size=blob.size,
                content_type=content_type,
                sha256=blob.sha256,
                scan_status=scan_status,
                scan_detail=scan_detail,
            )
            session.add(copy)
            session.flush()
            document.current_file_id, document.updated_at = copy.id, utcnow()
            session.add(document)
            audit.record(
                session,
                "document_version_restored",
                actor_id=actor.user_id,
                target_type="document",
                target_id=document.id,
                file_id=number,
            )
    except BaseException:
        storage.delete(blob.key)
        raise


# --- the trash ---------------------------------------------------------------------------


def list_trash(actor: Actor) -> list[TrashRow]:
    """What was deleted in the last 30 days: folders deleted as one (their contents go
    with them) and documents deleted on their own."""
    access.require(access.can_restore_documents(actor))
    since = utcnow() - timedelta(days=TRASH_DAYS)
    with session_scope() as session:
        folders = list(
            session.exec(
                select(DocumentFolder).where(
                    col(DocumentFolder.deleted_at).is_not(None),
                    col(DocumentFolder.deleted_at) >= since,
                )
            )
        )
        folder_ids = {f.id: f for f in folders}
        # Only the folder that was deleted, not each one inside it.
        roots = [
            f
            for f in folders
            if f.parent_id not in folder_ids or folder_ids[f.parent_id].deleted_at != f.deleted_at
        ]
        documents = [
            d
            for d in session.exec(
                select(Document).where(
                    col(Document.deleted_at).is_not(None), col(Document.deleted_at) >= since
                )
            )
            if not (
                d.folder_id in folder_ids and folder_ids[d.folder_id].deleted_at == d.deleted_at
            )
        ]
        names = {
            o.id: o.name
            for o in session.exec(
                select(Organization).where(
                    col(Organization.id).in_(
                        {f.organization_id for f in roots} | {d.organization_id for d in documents}
                    )
                )
            )
        }
        people = {
            u.id: u.display_name
            for u in session.exec(
                select(User).where(
                    col(User.id).in_(
                        {f.deleted_by for f in roots} | {d.deleted_by for d in documents}
                    )
                )
            )
        }

        def row(kind: str, item: DocumentFolder | Document) -> TrashRow:
            assert item.deleted_at is not None
            return TrashRow(
                kind=kind,
                id=item.id or 0,
                name=item.name,
                organization=names.get(item.organization_id, ""),
                deleted=_when(item.deleted_at),
                deleted_by=people.get(item.deleted_by, ""),
                purge_on=_day(item.deleted_at + timedelta(days=TRASH_DAYS)),
            )

        rows = [row("folder", f) for f in roots] + [row("document", d) for d in documents]
        return sorted(rows, key=lambda r: r.deleted, reverse=True)


def restore_from_trash(actor: Actor, kind: object, item_id: object) -> None:
    access.require(access.can_restore_documents(actor))
    since = utcnow() - timedelta(days=TRASH_DAYS)
    number = parse_id(item_id)
    with session_scope() as session:
        if kind == "document":
            document = session.get(Document, number)
            if document is None or document.deleted_at is None or document.deleted_at < since:
                raise NotFound("This document isn't in the trash.")
            folder = session.get(DocumentFolder, document.folder_id)
            if folder is None or folder.deleted_at is not None:
                raise Invalid("Restore its folder first.")
            if _live_document(session, document.folder_id, document.name) is not None:
                raise Invalid(f"A document named “{document.name}” is there now: rename it first.")
            document.deleted_at = document.deleted_by = None
            session.add(document)
        elif kind == "folder":
            folder = session.get(DocumentFolder, number)
            if folder is None or folder.deleted_at is None or folder.deleted_at < since:
                raise NotFound("This folder isn't in the trash.")
            when = folder.deleted_at
            parent = session.get(DocumentFolder, folder.parent_id) if folder.parent_id else None
            if parent is not None and parent.deleted_at is not None:
                raise Invalid("Restore the folder it was in first.")
            group, frontier = [folder], [folder.id]
            while frontier:
                children = list(
                    session.exec(
                        select(DocumentFolder).where(
                            col(DocumentFolder.parent_id).in_(frontier),
                            DocumentFolder.deleted_at == when,
                        )
                    )
                )
                group.extend(children)
                frontier = [c.id for c in children]
            for each in group:
                each.deleted_at = each.deleted_by = None
                session.add(each)
            for document in session.exec(
                select(Document).where(
                    col(Document.folder_id).in_([f.id for f in group]),
                    Document.deleted_at == when,
                )
            ):
                document.deleted_at = document.deleted_by = None
                session.add(document)
        else:
            raise Invalid("Choose a document or a folder.")
        audit.record(
            session,
            "restored_from_trash",
            actor_id=actor.user_id,
            target_type=str(kind),
            target_id=number,
        )


def purge_trash(now: datetime | None = None) -> int:
    """Remove for good what has been in the trash for more than 30 days: the bytes of
    every version go, the rows stay for the record. Returns how many files went."""
    cutoff = (now or utcnow()) - timedelta(days=TRASH_DAYS)
    with session_scope() as session:
        expired = list(
            session.exec(
                select(Document).where(
                    col(Document.deleted_at).is_not(None), col(Document.deleted_at) < cutoff
                )
            )
        )
        files = list(
            session.exec(
                select(StoredFile).where(
                    StoredFile.owner_type == DOCUMENT_OWNER,
                    col(StoredFile.owner_id).in_([str(d.id) for d in expired]),
                    col(StoredFile.deleted_at).is_(None),
                )
            )
        )
        moment = utcnow()
        for file in files:
            file.deleted_at = moment
            session.add(file)
        keys = [f.storage_key for f in files]
    storage = get_storage()
    for key in keys:
        storage.delete(key)
    return len(keys)


# --- the library widget -------------------------------------------------------------------


def _widget_folder(session: Session, organization_id: int, path: object) -> DocumentFolder:
    """The folder a library widget shows for one organization: its ``folder`` path
    inside the shared area, made when first needed."""
    folder = _top(session, organization_id, SHARED)
    parts = [p for p in (path if isinstance(path, str) else "").split("/") if p.strip()]
    for part in parts[:MAX_DEPTH]:
        name = _folder_name(part)
        child = _child_named(session, folder, name)
        if child is None:
            child = DocumentFolder(
                organization_id=organization_id, area=SHARED, parent_id=folder.id, name=name
            )
            session.add(child)
            session.flush()
        folder = child
    return folder


def library_view(
    actor: Actor,
    page_id: object,
    widget_id: object,
    organization_id: object = None,
    folder_id: object = None,
) -> SpaceView | None:
    """What a Document library widget shows ``actor``: a client their own organization's
    folder (and below); staff the organization they chose (``None`` until then)."""
    target = widget_target(actor, page_id, widget_id, LIBRARY_TYPE)
    manage = access.can_manage_documents(actor)
    with session_scope() as session:
        if manage:
            if organization_id in (None, "", 0):
                return None
            organization = _organization(session, parse_id(organization_id))
            chosen = organization.id or 0
        elif actor.is_client and actor.organization_id is not None:
            _own_organization_only(actor, organization_id)
            chosen = actor.organization_id
        else:
            raise Forbidden("Documents are shown to the client's own people.")
        base = _widget_folder(session, chosen, target.config.get("folder"))
        folder = base
        if folder_id not in (None, "", 0) and folder_id != base.id:
            folder = access.access_folder(session, actor, folder_id)
            if base.id not in [f.id for f in _path(session, folder)]:
                raise NotFound(access.FOLDER_NOT_FOUND)
        contributors = bool(target.config.get("contributors_may_upload"))
        can_upload = manage or (contributors and target.may_contribute)
        destination: dict[str, Any] = (
            {"kind": "folder", "folder": folder.id}
            if manage
            else {
                "kind": "library",
                "page": target.page.id,
                "widget": target.widget_id,
                "folder": folder.id,
            }
        )
        return _view(
            session, actor, folder, base=base, can_upload=can_upload, destination=destination
        )


# --- dropsites ------------------------------------------------------------------------------


def _dropsite_organization(actor: Actor, page_id: object, widget_id: object) -> int:
    if page_id not in (None, "", 0):
        widget_target(actor, page_id, widget_id, DROPSITE_TYPE, contributing=True)
    organization_id = access.sends_to_dropsite(actor)
    if organization_id is None:
        if access.can_manage_documents(actor):
            raise Forbidden("Dropsites are for clients: staff add files in Documents.")
        raise Forbidden("Files can't be sent here. Ask for a dropsite link.")
    if page_id in (None, "", 0) and actor.is_guest and not actor.scope:
        raise Forbidden("Files can't be sent here. Ask for a dropsite link.")
    return organization_id


def _asks_sender(actor: Actor) -> bool:
    return actor.is_guest


def dropsite_info(actor: Actor, page_id: object = None, widget_id: object = None) -> DropsiteInfo:
    organization_id = _dropsite_organization(actor, page_id, widget_id)
    with session_scope() as session:
        organization = _organization(session, organization_id)
        return DropsiteInfo(
            organization_name=organization.name,
            asks_sender=_asks_sender(actor),
            sender_name="" if _asks_sender(actor) else actor.display_name,
            sender_email="" if _asks_sender(actor) else actor.email,
        )


def start_batch(
    actor: Actor,
    page_id: object = None,
    widget_id: object = None,
    *,
    message: object = "",
    sender_name: object = "",
    sender_email: object = "",
) -> int:
    """A new sending through a dropsite; its files go to ``{"kind": "dropsite",
    "batch": id}``."""
    from portal_app.services.auth import normalize_email

    organization_id = _dropsite_organization(actor, page_id, widget_id)
    note = clean_text(message if isinstance(message, str) else "").strip()
    if len(note) > MAX_MESSAGE:
        raise Invalid(f"Keep the message under {MAX_MESSAGE:,} characters.", "message")
    name, email = "", ""
    if _asks_sender(actor):
        name = clean_line(sender_name if isinstance(sender_name, str) else "")
        if not name:
            raise Invalid("Enter your name.", "sender_name")
        if len(name) > 120:
            raise Invalid("Use at most 120 characters.", "sender_name")
        try:
            email = normalize_email(sender_email)
        except Invalid as exc:
            raise Invalid("Enter your e-mail address.", "sender_email") from exc
    if not actor.user_id:
        raise Forbidden("Files can't be sent here. Ask for a dropsite link.")
    with session_scope() as session:
        batch = DropsiteBatch(
            organization_id=organization_id,
            uploader_id=actor.user_id,
            page_id=int(page_id) if page_id not in (None, "", 0) else None,  # type: ignore[arg-type]
            widget_id=widget_id if isinstance(widget_id, str) and page_id else "",
            share_id=actor.share_id if actor.is_guest else None,
            sender_name=name,
            sender_email=email,
            message=note,
        )
        session.add(batch)
        session.flush()
        return batch.id or 0


def _own_batch(session: Session, actor: Actor, batch_id: object) -> DropsiteBatch:
    try:
        number = parse_id(batch_id)
    except NotFound as exc:
        raise NotFound("Start sending again.") from exc
    batch = session.get(DropsiteBatch, number)
    if (
        batch is None
        or batch.uploader_id != actor.user_id
        or (actor.is_guest and batch.share_id != actor.share_id)
        or batch.organization_id != access.sends_to_dropsite(actor)
    ):
        raise NotFound("Start sending again.")
    return batch


def _received_folder(session: Session, batch: DropsiteBatch) -> DocumentFolder:
    """The sender's folder for today in the organization's received area."""
    top = _top(session, batch.organization_id, RECEIVED)
    today = utcnow().date()
    folder = session.exec(
        select(DocumentFolder).where(
            DocumentFolder.parent_id == top.id,
            DocumentFolder.sender_id == batch.uploader_id,
            DocumentFolder.sender_day == today,
            col(DocumentFolder.deleted_at).is_(None),
        )
    ).first()
    if folder is None:
        uploader = session.get(User, batch.uploader_id)
        who = batch.sender_name or (uploader.display_name if uploader else "Someone")
        folder = DocumentFolder(
            organization_id=batch.organization_id,
            area=RECEIVED,
            parent_id=top.id,
            name=f"{who[:90]} · {today:%Y-%m-%d}",
            sender_id=batch.uploader_id,
            sender_day=today,
        )
        session.add(folder)
        session.flush()
    return folder


def _free_name(session: Session, folder_id: int, name: str) -> str:
    """``name``, or ``name (2).ext``, ``(3)``...: a dropsite never overwrites."""
    if _live_document(session, folder_id, name) is None:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, extension = name, ""
    for number in range(2, 10_000):
        candidate = f"{stem} ({number}){'.' + extension if extension else ''}"
        if _live_document(session, folder_id, candidate) is None:
            return candidate
    raise Invalid("Too many files with this name: rename it and try again.")


def finish_batch(actor: Actor, batch_id: object) -> BatchSummary:
    """The sender's browser is done: staff are told once, with every file of the batch
    (again for the same batch is a no-op)."""
    with session_scope() as session:
        batch = _own_batch(session, actor, batch_id)
        names = [
            d.name
            for d in session.exec(
                select(Document).where(Document.batch_id == batch.id).order_by(col(Document.id))
            )
        ]
        if batch.finished_at is None and names:
            batch.finished_at = utcnow()
            session.add(batch)
            _tell_staff(session, batch, names)
        return BatchSummary(len(names), names)


def _tell_staff(session: Session, batch: DropsiteBatch, names: list[str]) -> None:
    organization = _organization(session, batch.organization_id)
    uploader = session.get(User, batch.uploader_id)
    who = (
        f"{batch.sender_name} ({batch.sender_email})"
        if batch.sender_name
        else (uploader.display_name if uploader else "Someone")
    )
    ids = set(
        session.exec(
            select(OrganizationStaff.user_id).where(
                OrganizationStaff.organization_id == batch.organization_id
            )
        )
    )
    if batch.page_id is not None:
        ids |= set(
            session.exec(
                select(PageSubscription.user_id).where(PageSubscription.page_id == batch.page_id)
            )
        )
    recipients = [
        u
        for u in session.exec(
            select(User).where(col(User.id).in_(ids), access.staff_accounts_filter())
        )
    ]
    if not recipients:
        recipients = list(
            session.exec(select(User).where(access.admin_accounts_filter(), User.active))
        )
    listing = "\n".join(f"- {name}" for name in names[:50])
    if len(names) > 50:
        listing += f"\n- and {len(names) - 50} more"
    message = f"\nTheir message:\n{batch.message}\n" if batch.message else ""
    count = f"{len(names)} file{'s' if len(names) != 1 else ''}"
    subject = f"{who} sent {count} ({organization.name})"
    body = (
        f"{who} sent {count} to {organization.name}'s documents:\n\n{listing}\n{message}\n"
        f"Open them: {portal_url('/documents')}\n"
    )
    mail.queue_many(session, [(u.email, subject, body) for u in recipients])


# --- uploads (the transfer protocol asks these) ------------------------------------------------


def _check_size(size: object) -> int:
    settings = get_settings()
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise Invalid("The file's size could not be read.")
    if size > settings.max_document_bytes:
        raise QuotaExceeded(
            f"This file is larger than {size_text(settings.max_document_bytes)}. "
            "Choose a smaller file."
        )
    return size


def _check_quota(session: Session, organization_id: int, size: int) -> None:
    settings = get_settings()
    used = _used_bytes(session, organization_id)
    if used + size > settings.organization_quota_bytes:
        raise QuotaExceeded(
            f"There isn't room for this file: this client's documents use {size_text(used)} "
            f"of {size_text(settings.organization_quota_bytes)}. Delete files or ask an "
            "administrator for more space."
        )


def _destination_folder(
    session: Session, actor: Actor, destination: object
) -> tuple[str, DocumentFolder | None, DropsiteBatch | None]:
    if not isinstance(destination, dict):
        raise Invalid("Choose where the file goes.")
    kind = destination.get("kind")
    if kind == "folder":
        _require_manager(actor)
        return "folder", access.access_folder(session, actor, destination.get("folder")), None
    if kind == "library":
        target = widget_target(
            actor, destination.get("page"), destination.get("widget"), LIBRARY_TYPE
        )
        if not (access.can_manage_documents(actor) or target.may_contribute):
            raise Forbidden("This page is view-only for you.")
        if not access.can_manage_documents(actor) and not target.config.get(
            "contributors_may_upload"
        ):
            raise Forbidden("Files can't be added here.")
        if not actor.is_client or actor.organization_id is None:
            raise Forbidden("Files can't be added here.")
        base = _widget_folder(session, actor.organization_id, target.config.get("folder"))
        folder = access.access_folder(session, actor, destination.get("folder"))
        if base.id not in [f.id for f in _path(session, folder)]:
            raise NotFound(access.FOLDER_NOT_FOUND)
        return "library", folder, None
    if kind == "dropsite":
        batch = _own_batch(session, actor, destination.get("batch"))
        if batch.finished_at is not None:
            raise Invalid("These files were sent already. Start a new sending.")
        return "dropsite", None, batch
    raise Invalid("Choose where the file goes.")


def plan_upload(actor: Actor, destination: object, name: str, size: object) -> UploadPlan:
    """Before the first byte: may ``actor`` send this file there, and is there room?"""
    number = _check_size(size)
    with session_scope() as session:
        _, folder, batch = _destination_folder(session, actor, destination)
        organization_id = folder.organization_id if folder is not None else batch.organization_id  # type: ignore[union-attr]
        _check_quota(session, organization_id, number)
        return UploadPlan(get_settings().max_document_bytes, organization_id)


def accept_upload(
    actor: Actor,
    destination: object,
    name: str,
    blob: SavedBlob,
    content_type: str,
    *,
    scan_status: str = "unscanned",
    scan_detail: str = "",
) -> dict[str, Any]:
    """Once the bytes are stored: the document (or its new version). Access and room
    are checked again (they may have changed while the bytes arrived); on any refusal
    the blob is deleted, so nothing of a refused file stays."""
    try:
        return _accept_upload(
            actor, destination, name, blob, content_type, scan_status, scan_detail
        )
    except PortalError:
        if isinstance(blob, SavedBlob):
            get_storage().delete(blob.key)
        raise


def _accept_upload(
    actor: Actor,
    destination: object,
    name: str,
    blob: SavedBlob,
    content_type: str,
    scan_status: str,
    scan_detail: str,
) -> dict[str, Any]:
    if not isinstance(blob, SavedBlob) or not get_storage().exists(blob.key):
        raise Invalid("Upload the file again.")
    clean = clean_filename(name)
    with session_scope() as session:
        kind, folder, batch = _destination_folder(session, actor, destination)
        if folder is None:
            assert batch is not None
            folder = _received_folder(session, batch)
            clean = _free_name(session, folder.id or 0, clean)
        _check_quota(session, folder.organization_id, blob.size)
        document = None if kind == "dropsite" else _live_document(session, folder.id or 0, clean)
        now = utcnow()
        if document is None:
            document = Document(
                folder_id=folder.id or 0,
                organization_id=folder.organization_id,
                area=folder.area,
                name=clean,
                name_key=name_key(clean),
                batch_id=batch.id if batch is not None else None,
                created_by=actor.user_id,
                created_at=now,
                updated_at=now,
            )
            session.add(document)
            session.flush()
        file = StoredFile(
            owner_type=DOCUMENT_OWNER,
            owner_id=str(document.id),
            uploader_id=actor.user_id,
            filename=clean,
            storage_key=blob.key,
            size=blob.size,
            content_type=content_type,
            sha256=blob.sha256,
            scan_status=scan_status,
            scan_detail=scan_detail[:200],
        )
        session.add(file)
        session.flush()
        document.current_file_id, document.updated_at = file.id, now
        session.add(document)
        version = len(_versions(session, document))
        audit.record(
            session,
            "document_uploaded",
            actor_id=actor.user_id,
            target_type="document",
            target_id=document.id,
            organization_id=folder.organization_id,
            area=folder.area,
            name=clean,
            size=blob.size,
            version=version,
            via=kind,
        )
        quarantined = scan_status == QUARANTINED
        shown: dict[str, Any] = {
            "name": clean,
            "size": size_text(blob.size),
            "type_label": type_label(content_type),
            "quarantined": quarantined,
        }
        if kind != "dropsite":
            # Upload-only: a dropsite sender gets no id or link back.
            shown |= {
                "id": document.id,
                "version": version,
                "url": "" if quarantined else f"/files/{file.id}",
            }
        return {"file": shown}
