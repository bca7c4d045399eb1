"""What the document library widgets of the page being viewed show: the viewer's
organization's folder (staff choose the client), opening subfolders, the upload's
report (the bytes go through the resumable upload routes)."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from portal_app.services import documents
from portal_app.services.documents import Choice, SpaceView
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState
from portal_app.state.widgets import positive_int, valid_widget_id, valid_widget_ids


class LibraryState(SessionState):
    page_id: int = 0
    views: dict[str, SpaceView] = {}
    # The destination each widget's upload goes to, as JSON for the upload script.
    destinations: dict[str, str] = {}
    chosen: dict[str, str] = {}
    clients: list[Choice] = []
    uploading: str = ""

    async def _load(self, widget_id: str, folder_id: int = 0) -> None:
        organization = int(self.chosen.get(widget_id) or 0) or None
        view = await self._call(
            documents.library_view, self.page_id, widget_id, organization, folder_id or None
        )
        if view is None:
            self.views.pop(widget_id, None)
            self.destinations.pop(widget_id, None)
            return
        self.views[widget_id] = view
        self.destinations[widget_id] = json.dumps(view.upload_destination)

    @rx.event
    @shows_refusals()
    async def load_for_page(self, page_id: int, widget_ids: list[str]):
        self.page_id = positive_int(page_id)
        self.views, self.destinations, self.chosen, self.uploading = {}, {}, {}, ""
        ids = valid_widget_ids(widget_ids)
        self.clients = (
            await self._call(documents.organizations)
            if ids and self.may_manage_page_content
            else []
        )
        for widget_id in ids:
            await self._load(widget_id)

    @rx.event
    @shows_refusals()
    async def choose_client(self, widget_id: str, organization_id: str):
        key = valid_widget_id(widget_id)
        self.chosen[key] = str(positive_int(organization_id) or "")
        await self._load(key)

    @rx.event
    @shows_refusals()
    async def open_folder(self, widget_id: str, folder_id: int):
        await self._load(valid_widget_id(widget_id), positive_int(folder_id))

    @rx.event
    def upload_started(self, widget_id: str):
        self.uploading = widget_id if isinstance(widget_id, str) else ""

    @rx.event
    @shows_refusals()
    async def upload_finished(self, report: dict[str, Any]):
        """The browser's report once ``portalUploadFiles`` is done: ``{widget, results}``
        (the upload routes decided what was taken)."""
        self.uploading = ""
        report = report if isinstance(report, dict) else {}
        key = valid_widget_id(report.get("widget"))
        results = report.get("results")
        reports = [r for r in results if isinstance(r, dict)] if isinstance(results, list) else []
        view = self.views.get(key)
        await self._load(key, view.folder.id if view is not None else 0)
        refused = [r for r in reports if not r.get("ok")]
        done = len(reports) - len(refused)
        if refused:
            first = str(refused[0].get("message") or "The file could not be uploaded.")[:300]
            return rx.toast.error(f"{str(refused[0].get('name', ''))[:120]}: {first}")
        if done:
            return rx.toast.success(f"Uploaded {done} file{'s' if done != 1 else ''}.")
        return None
