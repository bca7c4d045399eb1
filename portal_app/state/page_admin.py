"""Creating pages."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal_app.errors import Invalid, PortalError
from portal_app.services import pages
from portal_app.state.session import SessionState


class NewPageState(SessionState):
    error: str = ""
    parent_id: str = "0"

    @rx.event
    async def load(self):
        self.error = ""
        self.parent_id = "0"
        try:
            await self._call(pages.require_page_creator)
        except PortalError as error:
            return self._failed(error, on_load=True)
        self.page_status = "ready"
        return None

    @rx.event
    def set_parent_id(self, value: str):
        self.parent_id = str(value)[:20]

    @rx.event
    async def create(self, form: dict[str, Any]):
        try:
            draft = await self._call(pages.create_page, form.get("title", ""), self.parent_id)
        except Invalid as error:
            self.error = str(error)
            return None
        except PortalError as error:
            return self._failed(error)
        return rx.redirect(f"/editor/{draft.id}")
