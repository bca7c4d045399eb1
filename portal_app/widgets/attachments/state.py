"""What the attachments widgets of the page being viewed show, and the upload and
delete events (the upload itself goes through the authorizing HTTP route)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal_app.services import files
from portal_app.services.files import FileRow
from portal_app.state.confirm import ConfirmsRowDelete
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState
from portal_app.state.widgets import positive_int, valid_widget_id, valid_widget_ids


class FilesState(ConfirmsRowDelete, SessionState):
    page_id: int = 0
    files: dict[str, list[FileRow]] = {}
    uploading: str = ""

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
