"""What the attachments widgets of the page being viewed show, and the upload and
delete events (the upload itself goes through the authorizing HTTP route)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal_app.errors import Invalid, PortalError
from portal_app.services import files
from portal_app.services.files import FileRow
from portal_app.state.session import SessionState
from portal_app.state.widgets import positive_int, valid_widget_id, valid_widget_ids


class FilesState(SessionState):
    page_id: int = 0
    files: dict[str, list[FileRow]] = {}
    uploading: str = ""
    deleting_id: int = 0
    deleting_widget: str = ""
    deleting_name: str = ""

    async def _load(self, widget_id: str) -> None:
        self.files[widget_id] = await self._call(files.list_files, self.page_id, widget_id)

    @rx.event
    async def load_for_page(self, page_id: int, widget_ids: list[str]):
        self.page_id = positive_int(page_id)
        self.files = {}
        self.uploading = ""
        try:
            for widget_id in valid_widget_ids(widget_ids):
                await self._load(widget_id)
        except PortalError as error:
            return self._failed(error)
        return None

    @rx.event
    def upload_started(self, widget_id: str):
        self.uploading = widget_id if isinstance(widget_id, str) else ""

    @rx.event
    async def upload_finished(self, result: dict[str, Any]):
        """The browser's report once ``portalUpload`` is done; the upload route itself
        decided whether the file was accepted."""
        self.uploading = ""
        if not isinstance(result, dict) or result.get("cancelled"):
            return None
        try:
            widget_id = valid_widget_id(result.get("widget"))
        except Invalid as error:
            return self._failed(error)
        if not result.get("ok"):
            message = str(result.get("message") or "The file could not be uploaded.")[:300]
            return rx.toast.error(message, duration=8000)
        try:
            await self._load(widget_id)
        except PortalError as error:
            return self._failed(error)
        return rx.toast.success(f"Uploaded {str(result.get('name', 'the file'))[:200]}.")

    @rx.event
    def ask_delete(self, widget_id: str, file_id: int, name: str):
        self.deleting_widget = widget_id if isinstance(widget_id, str) else ""
        self.deleting_id = positive_int(file_id)
        self.deleting_name = str(name)[:255]

    @rx.event
    def cancel_delete(self):
        self.deleting_id = 0

    @rx.event
    async def confirm_delete(self):
        file_id, self.deleting_id = self.deleting_id, 0
        try:
            widget_id = valid_widget_id(self.deleting_widget)
            await self._call(files.delete_file, file_id)
            await self._load(widget_id)
        except PortalError as error:
            return self._failed(error)
        return rx.toast.success(f"Deleted {self.deleting_name}.")
