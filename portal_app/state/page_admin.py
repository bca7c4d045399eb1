"""Creating pages."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal_app.services import pages
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState


class NewPageState(SessionState):
    error: str = ""
    parent_id: str = "0"

    @rx.event
    @shows_refusals(on_load=True)
    async def load(self):
        self.error = ""
        self.parent_id = "0"
        await self._call(pages.require_page_creator)
        self.page_status = "ready"
        return None

    @rx.event
    def set_parent_id(self, value: str):
        self.parent_id = str(value)[:20]

    @rx.event
    @shows_refusals(invalid="error")
    async def create(self, form: dict[str, Any]):
        draft = await self._call(pages.create_page, form.get("title", ""), self.parent_id)
        return rx.redirect(f"/editor/{draft.id}")
