"""What the attachments widgets of the page being viewed show, and the upload, delete
and share-link events (the upload itself goes through the authorizing HTTP route)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal_app.services import files, sharing
from portal_app.services.files import FileRow
from portal_app.state.confirm import ConfirmsRowDelete
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState
from portal_app.state.widgets import positive_int, valid_widget_id, valid_widget_ids

LINK_KINDS = ("web", "secured")


class FilesState(ConfirmsRowDelete, SessionState):
    page_id: int = 0
    files: dict[str, list[FileRow]] = {}
    uploading: str = ""
    # The share-link dialog: the document it is about (0: closed), the link made (shown
    # once, to its maker, and dropped when the dialog closes), the refusal next to its
    # field.
    sharing_file_id: int = 0
    sharing_widget: str = ""
    sharing_file_name: str = ""
    share_kind: str = "web"
    share_url: str = ""
    share_error: str = ""
    share_error_field: str = ""

    async def _load(self, widget_id: str) -> None:
        self.files[widget_id] = await self._call(files.list_files, self.page_id, widget_id)

    @rx.event
    @shows_refusals()
    async def load_for_page(self, page_id: int, widget_ids: list[str]):
        self.page_id = positive_int(page_id)
        self.files = {}
        self.uploading = ""
        for widget_id in valid_widget_ids(widget_ids):
            await self._load(widget_id)

    @rx.event
    def upload_started(self, widget_id: str):
        self.uploading = widget_id if isinstance(widget_id, str) else ""

    @rx.event
    @shows_refusals()
    async def upload_finished(self, result: dict[str, Any]):
        """The browser's report once ``portalUpload`` is done; the upload route itself
        decided whether the file was accepted."""
        self.uploading = ""
        if not isinstance(result, dict) or result.get("cancelled"):
            return None
        widget_id = valid_widget_id(result.get("widget"))
        if not result.get("ok"):
            message = str(result.get("message") or "The file could not be uploaded.")[:300]
            return rx.toast.error(message, duration=8000)
        await self._load(widget_id)
        return rx.toast.success(f"Uploaded {str(result.get('name', 'the file'))[:200]}.")

    async def _delete_row(self, widget_id: str, row_id: int) -> str:
        await self._call(files.delete_file, row_id)
        await self._load(widget_id)
        return f"Deleted {self.deleting_label}."

    @rx.event
    def ask_share(self, widget_id: str, file_id: int, name: str):
        self.sharing_widget = widget_id if isinstance(widget_id, str) else ""
        self.sharing_file_id = positive_int(file_id)
        self.sharing_file_name = str(name)[:255]
        self.share_kind = "web"
        self.share_url = self.share_error = self.share_error_field = ""

    @rx.event
    def close_share(self):
        self.sharing_file_id = 0
        self.share_url = self.share_error = self.share_error_field = ""

    @rx.event
    def choose_share_kind(self, kind: str):
        self.share_kind = kind if kind in LINK_KINDS else "web"
        self.share_error = self.share_error_field = ""

    @rx.event
    @shows_refusals(invalid="share_error", invalid_field="share_error_field")
    async def create_share(self, form: dict[str, Any]):
        """A web or secured link to the document being shared (sharing.create_link
        decides who may and what the portal's policy asks for)."""
        form = form if isinstance(form, dict) else {}
        self.share_error = self.share_error_field = ""
        web = self.share_kind == "web"
        link = await self._call(
            sharing.create_link,
            self.share_kind,
            "file",
            self.sharing_file_id,
            password=str(form.get("password") or "")[:300] if web else "",
            expires_at=str(form.get("expires_at") or "")[:40] or None,
            download_limit=str(form.get("download_limit") or "")[:12] or None,
            notify_first_open=web and form.get("notify_first_open") == "on",
        )
        self.share_url = link.url
        return rx.toast.success("Link created. Copy it now: it is shown only once.")
