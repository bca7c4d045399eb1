"""Asking before deleting one row a widget shows (a comment, a file).

A widget state mixes in ``ConfirmsRowDelete`` and says how a row is deleted
(``_delete_row``); its view shows ``components.feedback.confirm_row_delete`` under each
widget, which opens for the row being asked about. The row id and label come from the
browser: the label is only shown back in the dialog, and the delete itself is decided by
the widget's action (who may delete which row).
"""

from __future__ import annotations

import reflex as rx

from portal_app.state.refusals import shows_refusals
from portal_app.state.widgets import positive_int, valid_widget_id


class ConfirmsRowDelete(rx.State, mixin=True):
    # The row being asked about (0: the dialog is closed), the widget it belongs to, and
    # what the dialog names it by (a comment's author, a file's name).
    deleting_id: int = 0
    deleting_widget: str = ""
    deleting_label: str = ""

    async def _delete_row(self, widget_id: str, row_id: int) -> str:
        """Delete the row and reload the widget's rows; returns the success message."""
        raise NotImplementedError

    @rx.event
    def ask_delete(self, widget_id: str, row_id: int, label: str):
        self.deleting_widget = widget_id if isinstance(widget_id, str) else ""
        self.deleting_id = positive_int(row_id)
        self.deleting_label = str(label)[:255]

    @rx.event
    def cancel_delete(self):
        self.deleting_id = 0

    @rx.event
    @shows_refusals()
    async def confirm_delete(self):
        row_id, self.deleting_id = self.deleting_id, 0
        message = await self._delete_row(valid_widget_id(self.deleting_widget), row_id)
        return rx.toast.success(message)
