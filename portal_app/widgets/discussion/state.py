"""What the discussion widgets of the page being viewed show, and the comment events."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal_app.errors import Invalid, PortalError
from portal_app.state.session import SessionState
from portal_app.state.widgets import positive_int, valid_widget_id, valid_widget_ids
from portal_app.widgets.discussion import actions as discussion
from portal_app.widgets.discussion.actions import CommentRow


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
        self.page_id = positive_int(page_id)
        self.threads, self.errors = {}, {}
        self.replying_to = self.editing_id = self.deleting_id = 0
        try:
            for widget_id in valid_widget_ids(widget_ids):
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
            widget_id = valid_widget_id(form.get("widget"))
        except Invalid as error:
            yield self._failed(error)
            return
        parent_id = positive_int(form.get("parent", 0))
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
        self.replying_to = positive_int(comment_id)
        self.editing_id = 0
        self.errors.pop("reply", None)
        return rx.call_script(f"document.getElementById('reply-box-{self.replying_to}')?.focus()")

    @rx.event
    def cancel_reply(self):
        self.replying_to = 0

    @rx.event
    def start_edit(self, comment_id: int):
        self.editing_id = positive_int(comment_id)
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
            widget_id = valid_widget_id(form.get("widget"))
        except Invalid as error:
            return self._failed(error)
        body = str(form.get("body", ""))
        if not body.strip():
            self.errors["edit"] = "Write something first, or delete the comment."
            return None
        try:
            await self._call(discussion.edit_comment, positive_int(form.get("comment")), body)
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
        self.deleting_id = positive_int(comment_id)
        self.deleting_author = str(author)[:120]

    @rx.event
    def cancel_delete(self):
        self.deleting_id = 0

    @rx.event
    async def confirm_delete(self):
        comment_id, self.deleting_id = self.deleting_id, 0
        try:
            widget_id = valid_widget_id(self.deleting_widget)
            await self._call(discussion.delete_comment, comment_id)
            await self._load(widget_id)
        except PortalError as error:
            return self._failed(error)
        return rx.toast.success("Comment deleted.")
