"""The reader's own ticks on the checklists of the page being viewed."""

from __future__ import annotations

import reflex as rx

from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState
from portal_app.state.widgets import positive_int, valid_widget_id, valid_widget_ids
from portal_checklist import actions


class ChecklistState(SessionState):
    page_id: int = 0
    # Widget id -> the items this reader ticked.
    ticked: dict[str, list[str]] = {}

    @rx.event
    @shows_refusals()
    async def load_for_page(self, page_id: int, widget_ids: list[str]):
        """Chained by the page's on_load (components/widget_ui.py) with this page's
        checklist widgets."""
        self.page_id = positive_int(page_id)
        self.ticked = {}
        for widget_id in valid_widget_ids(widget_ids):
            self.ticked[widget_id] = await self._call(actions.my_ticks, self.page_id, widget_id)

    @rx.event
    @shows_refusals()
    async def tick(self, widget_id: str, item: str, ticked: bool):
        """Any browser may send this with anything: the action checks it all."""
        widget_id = valid_widget_id(widget_id)
        self.ticked[widget_id] = await self._call(
            actions.set_tick, self.page_id, widget_id, str(item)[:200], ticked
        )
