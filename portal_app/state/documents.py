"""/documents: a client organization's document space.

Staff choose a client, move between its areas (shared, internal, received) and
folders, make folders, upload (the bytes go through portal.js's ``portalUploadFiles``
to ``space.upload_destination``; the upload routes decide), see and restore versions
and delete to the trash; administrators restore from the trash. A client sees their own
organization's shared area, read-only. ``?folder=ID`` opens that folder (search links).

The vars hold the services' DTOs only; every handler calls its service through
``_call`` (who may do what is decided there).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import reflex as rx

from portal_app import access
from portal_app.errors import Invalid
from portal_app.services import documents
from portal_app.services.documents import (
    Choice,
    FolderRow,
    SpaceView,
    TrashRow,
    VersionRow,
)
from portal_app.services.files import size_text
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState
from portal_app.state.widgets import positive_int

UPLOAD_KEY = "documents"
MAX_FILES = 100
_NO_FOLDER = FolderRow(id=0, name="", area="", items=0, updated="", sender="")
EMPTY_SPACE = SpaceView(
    client_id=0,
    organization_name="",
    folder=_NO_FOLDER,
    crumbs=[],
    areas=[],
    folders=[],
    documents=[],
    can_manage=False,
    can_upload=False,
)


@dataclass
class UploadRow:
    """A file being uploaded from this tab (name and size as the browser said)."""

    index: int
    name: str
    size: str
    status: str = "uploading"  # uploading | done | refused
    reason: str = ""


class DocumentsState(SessionState):
    manages: bool = False
    may_restore: bool = False
    clients: list[Choice] = []
    chosen: str = ""
    has_space: bool = False
    space: SpaceView = EMPTY_SPACE
    # The upload under way (or just finished) from this tab.
    uploads: list[UploadRow] = []
    uploading: bool = False
    # New folder dialog.
    folder_dialog: bool = False
    folder_error: str = ""
    # Versions dialog: the document (0: closed), its name, its versions.
    versions_of: int = 0
    versions_name: str = ""
    versions: list[VersionRow] = []
    # Delete confirmation of a document or a folder (0: closed).
    deleting_kind: str = "document"
    deleting_id: int = 0
    deleting_label: str = ""
    # Rename dialog of a document or a folder (0: closed), the name it has now.
    renaming_kind: str = "document"
    renaming_id: int = 0
    renaming_name: str = ""
    rename_error: str = ""
    # Move dialog: what moves (0: closed), where it may go, the folder chosen.
    moving_kind: str = "document"
    moving_id: int = 0
    moving_name: str = ""
    move_choices: list[Choice] = []
    move_target: str = ""
    move_error: str = ""
    # Trash dialog (administrators).
    trash_open: bool = False
    trash: list[TrashRow] = []

    async def _open(self, organization_id: Any = None, folder_id: Any = None) -> None:
        space = await self._call(documents.open_space, organization_id, folder_id)
        self.space, self.has_space = space, True
        if self.manages:
            self.chosen = str(space.client_id)

    async def _reload(self) -> None:
        if self.has_space:
            await self._open(None, self.space.folder.id)

    @rx.event
    @shows_refusals(on_load=True, reset=("space", "has_space", "clients", "chosen"))
    async def load(self):
        self.space, self.has_space, self.clients, self.chosen = EMPTY_SPACE, False, [], ""
        self.uploads, self.uploading = [], False
        self.folder_dialog, self.folder_error = False, ""
        self.versions_of, self.versions, self.deleting_id = 0, [], 0
        self.renaming_id, self.moving_id, self.move_choices = 0, 0, []
        self.trash_open, self.trash = False, []
        actor = await self._actor()
        if actor is None:
            return self._sign_in_redirect()
        self.manages = access.can_manage_documents(actor)
        self.may_restore = access.can_restore_documents(actor)
        folder = positive_int(self.router.url.query_parameters.get("folder", ""))
        if self.manages:
            self.clients = await self._call(documents.organizations)
            if folder:
                await self._open(None, folder)
        else:
            await self._open(None, folder or None)
        self.page_status = "ready"
        return None

    @rx.event
    @shows_refusals()
    async def choose_client(self, organization_id: str):
        number = positive_int(organization_id)
        if not number:
            raise Invalid("Choose a client.")
        self.uploads = []
        await self._open(number, None)

    @rx.event
    @shows_refusals()
    async def open_folder(self, folder_id: int):
        number = positive_int(folder_id)
        if not number:
            raise Invalid("This folder doesn't exist.")
        self.uploads = []
        await self._open(None, number)

    # --- new folder ------------------------------------------------------------------

    @rx.event
    def show_new_folder(self, shown: bool):
        self.folder_dialog = shown is True and self.has_space
        self.folder_error = ""

    @rx.event
    @shows_refusals(invalid="folder_error")
    async def create_folder(self, form: dict[str, Any]):
        name = form.get("name") if isinstance(form, dict) else ""
        if not self.has_space:
            raise Invalid("Choose a client first.")
        row = await self._call(documents.create_folder, self.space.folder.id, str(name or "")[:500])
        self.folder_dialog, self.folder_error = False, ""
        await self._reload()
        return rx.toast.success(f"Folder “{row.name}” made.")

    # --- uploads ---------------------------------------------------------------------

    @rx.event
    def files_picked(self, files: list[dict[str, Any]]):
        """The files the browser holds for upload (names and sizes): their rows are
        drawn, then the browser uploads them to the open folder."""
        if not isinstance(files, list) or not files or self.uploading:
            return None
        if not (self.has_space and self.space.can_upload):
            return rx.toast.error("Files can't be added here.")
        rows = []
        for item in files[:MAX_FILES]:
            if not isinstance(item, dict):
                continue
            size = item.get("size")
            number = size if isinstance(size, int) and not isinstance(size, bool) else 0
            name = item.get("name")
            name = name[:255] if isinstance(name, str) and name else "(no name)"
            rows.append(UploadRow(index=len(rows), name=name, size=size_text(max(0, number))))
        if not rows:
            return None
        self.uploads, self.uploading = rows, True
        destination = json.dumps(self.space.upload_destination)
        return rx.call_script(
            "(async function(){const files=(window.portalDocumentFiles||[]).slice(0,"
            f"{MAX_FILES});window.portalDocumentFiles=[];"
            "for(let n=0;n<200&&files.length&&!document.getElementById("
            f"'upload-progress-{UPLOAD_KEY}-'+(files.length-1));n++)"
            "{await new Promise(function(r){setTimeout(r,25);});}"
            f"const r=await window.portalUploadFiles('{UPLOAD_KEY}',{destination},files);"
            "return {results:r};})()",
            callback=DocumentsState.upload_finished,
        )

    @rx.event
    @shows_refusals()
    async def upload_finished(self, report: dict[str, Any]):
        """The browser's report once ``portalUploadFiles`` is done (the upload routes
        decided what was taken): each row's outcome, the folder listed again."""
        self.uploading = False
        results = report.get("results") if isinstance(report, dict) else None
        reports = [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []
        for result in reports:
            index = result.get("index")
            if isinstance(index, int) and 0 <= index < len(self.uploads):
                row = self.uploads[index]
                row.status = "done" if result.get("ok") else "refused"
                row.reason = "" if result.get("ok") else str(result.get("message") or "")[:300]
        self.uploads = list(self.uploads)
        await self._reload()
        refused = sum(1 for r in reports if not r.get("ok"))
        done = len(reports) - refused
        if refused:
            return rx.toast.error(
                f"{refused} file{'s' if refused != 1 else ''} could not be uploaded."
            )
        if done:
            return rx.toast.success(f"Uploaded {done} file{'s' if done != 1 else ''}.")
        return None

    @rx.event
    def clear_uploads(self):
        if not self.uploading:
            self.uploads = []

    # --- versions --------------------------------------------------------------------

    @rx.event
    @shows_refusals()
    async def open_versions(self, document_id: int, name: str):
        number = positive_int(document_id)
        self.versions = await self._call(documents.list_versions, number)
        self.versions_of, self.versions_name = number, str(name)[:255]

    @rx.event
    def close_versions(self):
        self.versions_of, self.versions = 0, []

    @rx.event
    @shows_refusals()
    async def restore_version(self, file_id: int):
        if not self.versions_of:
            return None
        number = next((v.number for v in self.versions if v.file_id == file_id), 0)
        await self._call(documents.restore_version, self.versions_of, positive_int(file_id))
        self.versions = await self._call(documents.list_versions, self.versions_of)
        await self._reload()
        return rx.toast.success(
            f"Version {number} restored as the newest version." if number else "Restored."
        )

    # --- rename, move, delete -------------------------------------------------------

    @rx.event
    def ask_rename(self, kind: str, item_id: int, name: str):
        self.renaming_kind = "folder" if kind == "folder" else "document"
        self.renaming_id = positive_int(item_id)
        self.renaming_name, self.rename_error = str(name)[:255], ""

    @rx.event
    def cancel_rename(self):
        self.renaming_id, self.rename_error = 0, ""

    @rx.event
    @shows_refusals(invalid="rename_error")
    async def rename(self, form: dict[str, Any]):
        name = str((form.get("name") if isinstance(form, dict) else "") or "")[:500]
        if not self.renaming_id:
            return None
        if self.renaming_kind == "folder":
            await self._call(documents.rename_folder, self.renaming_id, name)
        else:
            await self._call(documents.rename_document, self.renaming_id, name)
        self.renaming_id, self.rename_error = 0, ""
        await self._reload()
        return rx.toast.success("Renamed.")

    @rx.event
    @shows_refusals()
    async def ask_move(self, kind: str, item_id: int, name: str):
        number = positive_int(item_id)
        if kind == "folder":
            choices = await self._call(documents.folder_move_choices, number)
        else:
            choices = await self._call(documents.move_choices, number)
        self.moving_kind = "folder" if kind == "folder" else "document"
        self.move_choices, self.move_target, self.move_error = choices, "", ""
        self.moving_id, self.moving_name = number, str(name)[:255]

    @rx.event
    def choose_move_target(self, folder_id: str):
        self.move_target, self.move_error = str(folder_id)[:20], ""

    @rx.event
    def cancel_move(self):
        self.moving_id, self.move_choices, self.move_error = 0, [], ""

    @rx.event
    @shows_refusals(invalid="move_error")
    async def move(self):
        if not self.moving_id:
            return None
        target = positive_int(self.move_target)
        if not target:
            raise Invalid("Choose a folder.", "folder")
        if self.moving_kind == "folder":
            await self._call(documents.move_folder, self.moving_id, target)
        else:
            await self._call(documents.move_document, self.moving_id, target)
        where = next((c.name for c in self.move_choices if c.id == target), "")
        self.moving_id, self.move_choices = 0, []
        await self._reload()
        return rx.toast.success(f"Moved to {where}." if where else "Moved.")

    @rx.event
    def ask_delete(self, document_id: int, label: str):
        self.deleting_kind = "document"
        self.deleting_id = positive_int(document_id)
        self.deleting_label = str(label)[:255]

    @rx.event
    def ask_delete_folder(self, folder_id: int, label: str):
        self.deleting_kind = "folder"
        self.deleting_id = positive_int(folder_id)
        self.deleting_label = str(label)[:255]

    @rx.event
    def cancel_delete(self):
        self.deleting_id = 0

    @rx.event
    @shows_refusals()
    async def confirm_delete(self):
        number, self.deleting_id = self.deleting_id, 0
        if not number:
            return None
        if self.deleting_kind == "folder":
            await self._call(documents.delete_folder, number)
        else:
            await self._call(documents.delete_document, number)
        await self._reload()
        return rx.toast.success(f"“{self.deleting_label}” moved to the trash.")

    # --- the trash (administrators) --------------------------------------------------

    @rx.event
    @shows_refusals()
    async def open_trash(self):
        self.trash = await self._call(documents.list_trash)
        self.trash_open = True

    @rx.event
    def close_trash(self):
        self.trash_open, self.trash = False, []

    @rx.event
    @shows_refusals()
    async def restore_from_trash(self, kind: str, item_id: int):
        if kind not in ("document", "folder"):
            raise Invalid("Choose a document or a folder.")
        await self._call(documents.restore_from_trash, kind, positive_int(item_id))
        self.trash = await self._call(documents.list_trash)
        await self._reload()
        return rx.toast.success("Restored.")
