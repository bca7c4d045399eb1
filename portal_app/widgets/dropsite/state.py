"""What the dropsite widgets of the page being viewed show, and the sending events
(shared with the /dropsite page: ``portal_app/state/dropsite.py``)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal_app.errors import Forbidden
from portal_app.services import documents
from portal_app.state.dropsite import SendsFiles, refused_screen, screen_for
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState
from portal_app.state.widgets import positive_int, valid_widget_id, valid_widget_ids


class DropsiteState(SendsFiles, SessionState):
    page_id: int = 0

    def _page_and_widget(self, key: str) -> tuple[Any, Any]:
        return self.page_id, valid_widget_id(key)

    @rx.event
    @shows_refusals()
    async def load_for_page(self, page_id: int, widget_ids: list[str]):
        """Per widget: may this person send here (``documents.dropsite_info``: a client
        who may contribute to the page)? Staff see where the files arrive instead."""
        self.page_id = positive_int(page_id)
        self.screens, self.chosen, self.phase = {}, {}, {}
        self.sent_note, self.field_error, self.error_field = {}, {}, {}
        self._batches = {}
        for widget_id in valid_widget_ids(widget_ids):
            try:
                info = await self._call(documents.dropsite_info, self.page_id, widget_id)
            except Forbidden as error:
                self.screens[widget_id] = refused_screen(error, staff=self.may_manage_page_content)
            else:
                self.screens[widget_id] = screen_for(info)
            self.phase[widget_id] = "choosing"
