"""Sending files through a dropsite: what the sender's screen shows, for the Dropsite
widget (``widgets/dropsite/state.py``, one sending per widget id) and the /dropsite page
(``DropsitePageState``, the key ``"page"``).

The files wait in the browser (``assets/dropsite.js``) until the sender presses Send:
``documents.start_batch`` opens a sending, the browser uploads each file to
``{"kind": "dropsite", "batch": id}`` (the upload routes check it), reports each file's
outcome, and ``documents.finish_batch`` closes it once every file is done (staff are told
once). Upload-only: the screen keeps only the names this tab just sent, never a list of
what anyone sent before and never a link.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import reflex as rx

from portal_app.errors import Forbidden, Invalid, PortalError
from portal_app.services import documents
from portal_app.services.files import size_text
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState

PAGE_KEY = "page"
MAX_FILES = 100
STATUSES = ("waiting", "uploading", "done", "refused")
# The fields whose refusal shows next to them.
FIELDS = ("message", "sender_name", "sender_email")
_KEY = re.compile(r"^(page|w[0-9a-f]{12})$")


@dataclass
class SendingFile:
    """One file of a sending as its sender sees it."""

    index: int
    name: str
    size: str
    status: str = "waiting"  # waiting | uploading | done | refused
    reason: str = ""


@dataclass
class DropsiteScreen:
    """What a drop zone shows: ``mode`` "open" (may send), "staff" (a note pointing to
    Documents) or "closed" (``note`` says why); the organization the files go to and
    whether the sender must say who they are."""

    mode: str = ""
    note: str = ""
    organization_name: str = ""
    asks_sender: bool = False
    sender_name: str = ""
    sender_email: str = ""


def valid_key(value: object) -> str:
    if isinstance(value, str) and _KEY.match(value):
        return value
    raise Invalid("That part of the page no longer exists. Reload the page.")


def _text(value: object, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def screen_for(info: documents.DropsiteInfo) -> DropsiteScreen:
    return DropsiteScreen(
        mode="open",
        organization_name=info.organization_name,
        asks_sender=info.asks_sender,
        sender_name=info.sender_name,
        sender_email=info.sender_email,
    )


def refused_screen(error: Forbidden, *, staff: bool) -> DropsiteScreen:
    """Staff (``dropsite_info`` refuses them) see where the files arrive instead; anyone
    else who may not send sees why."""
    return DropsiteScreen(mode="staff" if staff else "closed", note="" if staff else str(error))


class SendsFiles(rx.State, mixin=True):
    """A sending per key (a widget id, or "page")."""

    screens: dict[str, DropsiteScreen] = {}
    chosen: dict[str, list[SendingFile]] = {}
    # "choosing" (files being picked), "sending", "sent"
    phase: dict[str, str] = {}
    sent_note: dict[str, str] = {}
    field_error: dict[str, str] = {}
    error_field: dict[str, str] = {}
    # The sending under way per key (a batch only its own sender can use).
    _batches: dict[str, int] = {}

    def _page_and_widget(self, key: str) -> tuple[Any, Any]:
        """What ``start_batch`` is told the sending comes from."""
        raise NotImplementedError

    def _reset_sending(self, key: str) -> None:
        self.chosen[key] = []
        self.phase[key] = "choosing"
        self.sent_note.pop(key, None)
        self.field_error.pop(key, None)
        self.error_field.pop(key, None)
        self._batches.pop(key, None)

    @rx.event
    def files_chosen(self, chosen: dict[str, Any]):
        """The browser's list of the files waiting in a zone (names and sizes only: the
        bytes stay in the browser until Send)."""
        if not isinstance(chosen, dict):
            return
        key, files = chosen.get("key"), chosen.get("files")
        if not isinstance(key, str) or not _KEY.match(key) or not isinstance(files, list):
            return
        if self.phase.get(key) == "sending":
            return
        if self.phase.get(key) == "sent":
            self._reset_sending(key)
        rows = []
        for item in files[:MAX_FILES]:
            if not isinstance(item, dict):
                continue
            size = item.get("size")
            number = size if isinstance(size, int) and not isinstance(size, bool) else 0
            name = _text(item.get("name"), 255) or "(no name)"
            rows.append(SendingFile(index=len(rows), name=name, size=size_text(max(0, number))))
        self.chosen[key] = rows
        self.phase[key] = "choosing"
        self.field_error.pop(key, None)
        self.error_field.pop(key, None)

    @rx.event
    def forget_file(self, key: str, index: int):
        """Take a file off the list before sending."""
        if not isinstance(key, str) or not _KEY.match(key) or self.phase.get(key) != "choosing":
            return None
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < MAX_FILES:
            return None
        return rx.call_script(
            f"window.portalDropsite.remove({json.dumps(key)}, {index})",
            callback=type(self).files_chosen,
        )

    @rx.event
    def send_more(self, key: str):
        if not isinstance(key, str) or not _KEY.match(key) or self.phase.get(key) != "sent":
            return None
        self._reset_sending(key)
        return rx.call_script(f"window.portalDropsite.clear({json.dumps(key)})")

    async def _start(self, key: str, form: dict[str, Any]) -> Any:
        rows = self.chosen.get(key) or []
        if self.phase.get(key, "choosing") != "choosing":
            return None
        if not rows:
            raise Invalid("Choose the files to send first.", "files")
        page_id, widget_id = self._page_and_widget(key)
        batch = await self._call(
            documents.start_batch,
            page_id,
            widget_id,
            message=_text(form.get("message"), 20_000),
            sender_name=_text(form.get("sender_name"), 300),
            sender_email=_text(form.get("sender_email"), 320),
        )
        self._batches[key] = batch
        self.phase[key] = "sending"
        self.field_error.pop(key, None)
        self.error_field.pop(key, None)
        destination = json.dumps({"kind": "dropsite", "batch": int(batch)})
        return rx.call_script(f"window.portalDropsite.send({json.dumps(key)}, {destination})")

    @rx.event
    async def send(self, form: dict[str, Any]):
        """Open a sending (``documents.start_batch`` checks who may send where, and the
        sender's name and e-mail when it asks for them), then let the browser upload."""
        form = form if isinstance(form, dict) else {}
        try:
            key = valid_key(form.get("key"))
        except Invalid as error:
            return rx.toast.error(str(error), duration=6000)
        try:
            return await self._start(key, form)
        except Invalid as error:
            self.field_error[key] = str(error)
            self.error_field[key] = error.field if error.field in (*FIELDS, "files") else ""
            return None
        except PortalError as error:
            return self._failed(error)

    @rx.event
    @shows_refusals()
    async def files_reported(self, reported: dict[str, Any]):
        """What the browser says happened to each file (its own screen only: the upload
        routes decided); once every file is done the sending is closed."""
        if not isinstance(reported, dict) or not isinstance(reported.get("reports"), list):
            return None
        key = reported.get("key")
        if not isinstance(key, str) or key not in self._batches:
            return None
        rows = self.chosen.get(key) or []
        for report in reported["reports"][: MAX_FILES * 2]:
            if not isinstance(report, dict):
                continue
            index, status = report.get("index"), report.get("status")
            if not isinstance(index, int) or not 0 <= index < len(rows) or status not in STATUSES:
                continue
            rows[index].status = str(status)
            rows[index].reason = _text(report.get("message"), 300) if status == "refused" else ""
        self.chosen[key] = rows
        if rows and all(row.status in ("done", "refused") for row in rows):
            return await self._finish(key)
        return None

    async def _finish(self, key: str) -> Any:
        batch = self._batches.pop(key)
        summary = await self._call(documents.finish_batch, batch)
        self.phase[key] = "sent"
        screen = self.screens.get(key) or DropsiteScreen()
        firm = screen.organization_name or "the team"
        if summary.count == 0:
            self.sent_note[key] = "No file could be sent. See the reasons above, then try again."
            return rx.toast.error("No file could be sent.", duration=6000)
        count = f"{summary.count} file{'s' if summary.count != 1 else ''}"
        # Confirmed in place (the zone's status callout), not in a toast as well.
        self.sent_note[key] = f"{count} sent to {firm}. We've let the team know."
        return None


class DropsitePageState(SendsFiles, SessionState):
    """/dropsite: a client's own organization, or the one a dropsite link opened."""

    def _page_and_widget(self, key: str) -> tuple[Any, Any]:
        return None, None

    @rx.event
    @shows_refusals(on_load=True)
    async def load(self):
        self.screens, self.chosen, self.phase = {}, {}, {}
        self.sent_note, self.field_error, self.error_field = {}, {}, {}
        self._batches = {}
        try:
            info = await self._call(documents.dropsite_info)
        except Forbidden as error:
            if not self.may_manage_page_content:
                raise
            self.screens[PAGE_KEY] = refused_screen(error, staff=True)
        else:
            self.screens[PAGE_KEY] = screen_for(info)
        self.phase[PAGE_KEY] = "choosing"
        self.page_status = "ready"
        return rx.call_script(f"window.portalDropsite.clear({json.dumps(PAGE_KEY)})")
