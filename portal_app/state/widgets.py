"""What the discussion, form and attachments widgets of the page being viewed show.

Each state keeps its rows per widget id (a page may hold several widgets of a type).
The page's on_load chains ``widget_loaders(page)``; after that every handler works on
the page it loaded. Handlers only validate the shape of what the browser sent and call
a service: the services decide who may read, post, submit, review or delete.
"""

from __future__ import annotations

import re
from typing import Any

import reflex as rx

from portal_app.errors import Invalid, PortalError
from portal_app.services import discussion, files, forms
from portal_app.services.discussion import CommentRow
from portal_app.services.files import FileRow
from portal_app.services.forms import SubmissionRow
from portal_app.services.page_views import PageView
from portal_app.state.page_view import PageViewState
from portal_app.state.session import SessionState

# Widget ids are made by the server (services.layouts); anything else is refused before
# it gets near a service or a line of JavaScript.
WIDGET_ID = re.compile(r"^w[0-9a-f]{12}$")
MAX_WIDGETS = 200
ALL = "all"


def _widget_id(value: object) -> str:
    if isinstance(value, str) and WIDGET_ID.match(value):
        return value
    raise Invalid("That part of the page no longer exists. Reload the page.")


def _widget_ids(values: object) -> list[str]:
    if not isinstance(values, list):
        return []
    return [v for v in values[:MAX_WIDGETS] if isinstance(v, str) and WIDGET_ID.match(v)]


def _int(value: object) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return 0
    return number if 0 < number < 2**62 else 0


def _widgets_of(page: PageView, type_name: str) -> list[str]:
    return [
        widget.id
        for section in page.sections
        for column in section.columns
        for widget in column.widgets
        if widget.type == type_name
    ]


def widget_loaders(page: PageView | None) -> list[Any]:
    """The events that load what the page's discussion, form and attachments widgets
    show; return them from the page's load handler."""
    if page is None:
        return []
    return [
        DiscussionState.load_for_page(page.id, _widgets_of(page, "discussion")),
        FormState.load_for_page(page.id, _widgets_of(page, "form")),
        FilesState.load_for_page(page.id, _widgets_of(page, "attachments")),
    ]


class PageWidgetsState(SessionState):
    """Chain ``load_for_viewed_page`` after ``PageViewState.load`` (or ``load_home``)."""

    @rx.event
    async def load_for_viewed_page(self):
        viewed = await self.get_state(PageViewState)
        return widget_loaders(viewed.page)


# --- discussion ---------------------------------------------------------------------


class DiscussionState(SessionState):
    page_id: int = 0
    threads: dict[str, list[CommentRow]] = {}
    # The reason a comment was refused, shown next to the box it came from
    # (keyed by widget id; the reply and edit boxes use "reply" and "edit").
    errors: dict[str, str] = {}
    replying_to: int = 0
    editing_id: int = 0
    deleting_id: int = 0
    deleting_widget: str = ""
    deleting_author: str = ""
    busy: bool = False

    async def _load(self, widget_id: str) -> None:
        self.threads[widget_id] = await self._call(
            discussion.list_comments, self.page_id, widget_id
        )

    @rx.event
    async def load_for_page(self, page_id: int, widget_ids: list[str]):
        self.page_id = _int(page_id)
        self.threads, self.errors = {}, {}
        self.replying_to = self.editing_id = self.deleting_id = 0
        try:
            for widget_id in _widget_ids(widget_ids):
                await self._load(widget_id)
        except PortalError as error:
            return self._failed(error)
        return None

    def _clear_box(self, form_id: str) -> Any:
        return rx.call_script(f"document.getElementById('{form_id}')?.reset()")

    @rx.event
    async def post(self, form: dict[str, Any]):
        """A new comment (``parent`` empty) or a reply, from the widget's comment box."""
        form = form if isinstance(form, dict) else {}
        try:
            widget_id = _widget_id(form.get("widget"))
        except Invalid as error:
            yield self._failed(error)
            return
        parent_id = _int(form.get("parent", 0))
        key = "reply" if parent_id else widget_id
        body = str(form.get("body", ""))
        if not body.strip():
            self.errors[key] = "Write something first."
            return
        self.busy = True
        yield
        try:
            await self._call(discussion.post_comment, self.page_id, widget_id, body, parent_id)
            await self._load(widget_id)
        except Invalid as error:
            self.errors[key] = str(error)
            return
        except PortalError as error:
            yield self._failed(error)
            return
        finally:
            self.busy = False
        self.errors.pop(key, None)
        self.replying_to = 0
        yield self._clear_box(f"comment-form-{widget_id}")
        yield rx.toast.success("Reply posted." if parent_id else "Comment posted.")

    @rx.event
    def start_reply(self, comment_id: int):
        self.replying_to = _int(comment_id)
        self.editing_id = 0
        self.errors.pop("reply", None)
        return rx.call_script(f"document.getElementById('reply-box-{self.replying_to}')?.focus()")

    @rx.event
    def cancel_reply(self):
        self.replying_to = 0

    @rx.event
    def start_edit(self, comment_id: int):
        self.editing_id = _int(comment_id)
        self.replying_to = 0
        self.errors.pop("edit", None)
        return rx.call_script(f"document.getElementById('edit-box-{self.editing_id}')?.focus()")

    @rx.event
    def cancel_edit(self):
        self.editing_id = 0

    @rx.event
    async def save_edit(self, form: dict[str, Any]):
        form = form if isinstance(form, dict) else {}
        try:
            widget_id = _widget_id(form.get("widget"))
        except Invalid as error:
            return self._failed(error)
        body = str(form.get("body", ""))
        if not body.strip():
            self.errors["edit"] = "Write something first, or delete the comment."
            return None
        try:
            await self._call(discussion.edit_comment, _int(form.get("comment")), body)
            await self._load(widget_id)
        except Invalid as error:
            self.errors["edit"] = str(error)
            return None
        except PortalError as error:
            return self._failed(error)
        self.editing_id = 0
        self.errors.pop("edit", None)
        return rx.toast.success("Comment updated.")

    @rx.event
    def ask_delete(self, widget_id: str, comment_id: int, author: str):
        self.deleting_widget = widget_id if isinstance(widget_id, str) else ""
        self.deleting_id = _int(comment_id)
        self.deleting_author = str(author)[:120]

    @rx.event
    def cancel_delete(self):
        self.deleting_id = 0

    @rx.event
    async def confirm_delete(self):
        comment_id, self.deleting_id = self.deleting_id, 0
        try:
            widget_id = _widget_id(self.deleting_widget)
            await self._call(discussion.delete_comment, comment_id)
            await self._load(widget_id)
        except PortalError as error:
            return self._failed(error)
        return rx.toast.success("Comment deleted.")


# --- forms --------------------------------------------------------------------------


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
    async def load_for_page(self, page_id: int, widget_ids: list[str]):
        self.page_id = _int(page_id)
        self.submissions, self.errors, self.submitted = {}, {}, {}
        self.status_filter, self.search = {}, {}
        try:
            for widget_id in _widget_ids(widget_ids):
                await self._load(widget_id)
        except PortalError as error:
            return self._failed(error)
        return None

    @rx.event
    async def submit(self, form: dict[str, Any]):
        values = dict(form) if isinstance(form, dict) else {}
        try:
            widget_id = _widget_id(values.pop("__widget", ""))
        except Invalid as error:
            yield self._failed(error)
            return
        self.busy_widget = widget_id
        yield
        try:
            await self._call(forms.submit_form, self.page_id, widget_id, values)
        except Invalid as error:
            self.busy_widget = ""
            self.errors[widget_id] = {error.field: str(error)}
            if error.field:
                yield rx.call_script(
                    f"document.getElementById('field-{widget_id}-{_field_id(error.field)}')"
                    "?.focus()"
                )
            return
        except PortalError as error:
            self.busy_widget = ""
            yield self._failed(error)
            return
        self.busy_widget = ""
        self.errors[widget_id] = {}
        self.submitted[widget_id] = True
        try:
            await self._load(widget_id)
        except PortalError as error:
            yield self._failed(error)
            return
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

    async def _reload(self, widget_id: str):
        try:
            await self._load(widget_id)
        except PortalError as error:
            return self._failed(error)
        return None

    @rx.event
    async def filter_status(self, widget_id: str, status: str):
        try:
            widget_id = _widget_id(widget_id)
        except Invalid as error:
            return self._failed(error)
        self.status_filter[widget_id] = str(status)[:40]
        return await self._reload(widget_id)

    @rx.event
    async def search_submissions(self, widget_id: str, text: str):
        try:
            widget_id = _widget_id(widget_id)
        except Invalid as error:
            return self._failed(error)
        self.search[widget_id] = str(text)[:100]
        return await self._reload(widget_id)

    @rx.event
    async def change_status(self, widget_id: str, submission_id: int, status: str):
        try:
            widget_id = _widget_id(widget_id)
            await self._call(forms.set_submission_status, _int(submission_id), str(status)[:40])
            await self._load(widget_id)
        except PortalError as error:
            return self._failed(error)
        return rx.toast.success(f"Marked as {str(status)[:40]}.")


def _field_id(value: str) -> str:
    # Field ids are [a-z0-9_] (validated with the form's config); keep the script safe anyway.
    return re.sub(r"[^a-z0-9_]", "", value)[:40]


# --- attachments --------------------------------------------------------------------


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
        self.page_id = _int(page_id)
        self.files = {}
        self.uploading = ""
        try:
            for widget_id in _widget_ids(widget_ids):
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
            widget_id = _widget_id(result.get("widget"))
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
        self.deleting_id = _int(file_id)
        self.deleting_name = str(name)[:255]

    @rx.event
    def cancel_delete(self):
        self.deleting_id = 0

    @rx.event
    async def confirm_delete(self):
        file_id, self.deleting_id = self.deleting_id, 0
        try:
            widget_id = _widget_id(self.deleting_widget)
            await self._call(files.delete_file, file_id)
            await self._load(widget_id)
        except PortalError as error:
            return self._failed(error)
        return rx.toast.success(f"Deleted {self.deleting_name}.")
