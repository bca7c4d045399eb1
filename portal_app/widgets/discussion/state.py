"""What the discussion widgets of the page being viewed show, and the comment events."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal_app.errors import Invalid, NotFound
from portal_app.services import live
from portal_app.state.confirm import ConfirmsRowDelete
from portal_app.state.live import LiveWidget
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState
from portal_app.state.widgets import positive_int, valid_widget_id, valid_widget_ids
from portal_app.widgets.discussion import actions as discussion
from portal_app.widgets.discussion.actions import CommentRow


class DiscussionState(LiveWidget, ConfirmsRowDelete, SessionState):
    page_id: int = 0
    threads: dict[str, list[CommentRow]] = {}
    # The reason a comment was refused, shown next to the box it came from
    # (keyed by widget id; the reply and edit boxes use "reply" and "edit").
    errors: dict[str, str] = {}
    replying_to: int = 0
    editing_id: int = 0
    busy: bool = False

    async def _load(self, widget_id: str) -> None:
        self.threads[widget_id] = await self._call(
            discussion.list_comments, self.page_id, widget_id
        )

    @rx.event
    @shows_refusals()
    async def load_for_page(self, page_id: int, widget_ids: list[str]):
        self.page_id = positive_int(page_id)
        self.threads, self.errors = {}, {}
        self.replying_to = self.editing_id = self.deleting_id = 0
        widget_ids = valid_widget_ids(widget_ids)
        # Other people's comments arrive live (``state/live.py``): versions read before
        # loading, so a comment posted in between is reloaded, never missed.
        topics = [live.widget_topic(self.page_id, widget_id) for widget_id in widget_ids]
        seen = await self._live_versions(topics)
        for widget_id in widget_ids:
            await self._load(widget_id)
        self._watch_live(seen)

    async def _live_reload(self) -> None:
        """Someone changed a discussion this tab shows: reload each, as this tab's
        person (``list_comments`` re-checks access and which threads they may read)."""
        for widget_id in list(self.threads):
            try:
                fresh = await self._call(discussion.list_comments, self.page_id, widget_id)
            except NotFound:
                fresh = []  # the page or widget is no longer theirs to see
            if fresh != self.threads.get(widget_id):
                self.threads[widget_id] = fresh

    def _clear_box(self, form_id: str) -> Any:
        return rx.call_script(f"document.getElementById('{form_id}')?.reset()")

    @rx.event
    @shows_refusals()
    async def post(self, form: dict[str, Any]):
        """A new comment (``parent`` empty) or a reply, from the widget's comment box."""
        form = form if isinstance(form, dict) else {}
        widget_id = valid_widget_id(form.get("widget"))
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
            # Shown next to the box it came from (a new comment's or the reply box).
            self.errors[key] = str(error)
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
    @shows_refusals()
    async def save_edit(self, form: dict[str, Any]):
        form = form if isinstance(form, dict) else {}
        widget_id = valid_widget_id(form.get("widget"))
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
        self.editing_id = 0
        self.errors.pop("edit", None)
        return rx.toast.success("Comment updated.")

    @rx.event
    @shows_refusals()
    async def show_to_page(self, widget_id: str, comment_id: int, shown: bool):
        """Staff show a guest's comment to everyone on the page, or keep it private."""
        widget = valid_widget_id(widget_id)
        await self._call(discussion.show_to_page, positive_int(comment_id), shown)
        await self._load(widget)
        if shown:
            return rx.toast.success("Everyone who sees this page can now read the comment.")
        return rx.toast.success("Only staff and the guest read the comment now.")

    async def _delete_row(self, widget_id: str, row_id: int) -> str:
        await self._call(discussion.delete_comment, row_id)
        await self._load(widget_id)
        return "Comment deleted."
