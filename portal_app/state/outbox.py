"""Settings » Outbox: mail the portal kept locally (no SMTP server configured)."""

from __future__ import annotations

import reflex as rx

from portal_app.services import mail
from portal_app.services.mail import OutboxRow
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState


class OutboxState(SessionState):
    messages: list[OutboxRow] = []
    selected_id: int = 0

    @rx.event
    @shows_refusals(on_load=True)
    async def load(self):
        self.messages = await self._call(mail.list_outbox)
        self.page_status = "ready"
        return None

    @rx.event
    def select(self, message_id: int):
        self.selected_id = message_id if isinstance(message_id, int) else 0

    @rx.var
    def selected(self) -> OutboxRow | None:
        return next((m for m in self.messages if m.id == self.selected_id), None)
