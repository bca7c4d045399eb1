"""What the form widgets of the page being viewed show: a client's own submissions,
or every submission for staff to review; and the submit and review events."""

from __future__ import annotations

import re
from typing import Any

import reflex as rx

from portal_app.errors import Invalid
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState
from portal_app.state.widgets import WIDGET_ID, positive_int, valid_widget_id, valid_widget_ids
from portal_app.widgets.form import actions as forms
from portal_app.widgets.form.actions import SubmissionRow

ALL = "all"


class FormState(SessionState):
    page_id: int = 0
    # Staff: every submission of the widget (filtered); clients: their own.
    submissions: dict[str, list[SubmissionRow]] = {}
    # Per widget: field id -> why it was refused ("" holds a message for the whole form).
    errors: dict[str, dict[str, str]] = {}
    submitted: dict[str, bool] = {}
    status_filter: dict[str, str] = {}
    search: dict[str, str] = {}
    busy_widget: str = ""

    async def _load(self, widget_id: str) -> None:
        status = self.status_filter.get(widget_id, ALL)
        self.submissions[widget_id] = await self._call(
            forms.list_submissions,
            self.page_id,
            widget_id,
            status="" if status == ALL else status,
            search=self.search.get(widget_id, ""),
        )

    @rx.event
    @shows_refusals()
    async def load_for_page(self, page_id: int, widget_ids: list[str]):
        self.page_id = positive_int(page_id)
        self.submissions, self.errors, self.submitted = {}, {}, {}
        self.status_filter, self.search = {}, {}
        for widget_id in valid_widget_ids(widget_ids):
            await self._load(widget_id)

    @rx.event
    @shows_refusals()
    async def submit(self, form: dict[str, Any]):
        values = dict(form) if isinstance(form, dict) else {}
        widget_id = valid_widget_id(values.pop("__widget", ""))
        self.busy_widget = widget_id
        yield
        try:
            await self._call(forms.submit_form, self.page_id, widget_id, values)
        except Invalid as error:
            # Shown next to the field it names, which gets the focus once the form is
            # no longer busy.
            self.busy_widget = ""
            self.errors[widget_id] = {error.field: str(error)}
            if error.field:
                yield rx.call_script(
                    f"document.getElementById('field-{widget_id}-{_field_id(error.field)}')"
                    "?.focus()"
                )
            return
        finally:
            self.busy_widget = ""
        self.errors[widget_id] = {}
        self.submitted[widget_id] = True
        await self._load(widget_id)
        yield rx.toast.success("Thanks — your submission was received.")

    @rx.event
    def file_attached(self, result: dict[str, Any]):
        """The browser's report once a form's file field finished uploading."""
        if not isinstance(result, dict) or result.get("cancelled"):
            return None
        key = str(result.get("widget", ""))
        widget_id, _, field = key.partition("-")
        if not WIDGET_ID.match(widget_id):
            return None
        errors = dict(self.errors.get(widget_id, {}))
        if result.get("ok"):
            errors.pop(_field_id(field), None)
            self.errors[widget_id] = errors
            return None
        errors[_field_id(field)] = str(result.get("message") or "Upload the file again.")[:300]
        self.errors[widget_id] = errors
        return None

    @rx.event
    def submit_another(self, widget_id: str):
        if isinstance(widget_id, str):
            self.submitted.pop(widget_id, None)
            self.errors.pop(widget_id, None)

    @rx.event
    @shows_refusals()
    async def filter_status(self, widget_id: str, status: str):
        widget_id = valid_widget_id(widget_id)
        self.status_filter[widget_id] = str(status)[:40]
        await self._load(widget_id)

    @rx.event
    @shows_refusals()
    async def search_submissions(self, widget_id: str, text: str):
        widget_id = valid_widget_id(widget_id)
        self.search[widget_id] = str(text)[:100]
        await self._load(widget_id)

    @rx.event
    @shows_refusals()
    async def change_status(self, widget_id: str, submission_id: int, status: str):
        widget_id = valid_widget_id(widget_id)
        await self._call(forms.set_submission_status, positive_int(submission_id), str(status)[:40])
        await self._load(widget_id)
        return rx.toast.success(f"Marked as {str(status)[:40]}.")


def _field_id(value: str) -> str:
    # Field ids are [a-z0-9_] (validated with the form's config); keep the script safe anyway.
    return re.sub(r"[^a-z0-9_]", "", value)[:40]
