"""Settings » Outbox: mail the portal kept locally (no SMTP server configured)."""

from __future__ import annotations

import reflex as rx

from portal_app.errors import PortalError
from portal_app.services import mail
from portal_app.services.mail import OutboxRow
from portal_app.state.session import SessionState


class OutboxState(SessionState):
    messages: list[OutboxRow] = []
    selected_id: int = 0

    @rx.event
    async def load(self):
        try:
            rows = await self._call(mail.list_outbox)
        except PortalError as error:
            return self._failed(error, on_load=True)
        self.messages = rows
        self.page_status = "ready"
        return None

    @rx.event
    def select(self, message_id: int):
        self.selected_id = message_id if isinstance(message_id, int) else 0

    @rx.var
    def selected(self) -> OutboxRow | None:
        return next((m for m in self.messages if m.id == self.selected_id), None)
