"""Search results."""

from __future__ import annotations

import reflex as rx

from portal_app.errors import PortalError
from portal_app.services import search
from portal_app.services.search import SearchHit
from portal_app.state.session import SessionState


class SearchState(SessionState):
    query: str = ""
    hits: list[SearchHit] = []

    @rx.event
    async def load(self):
        self.query = self.router.url.query_parameters.get("q", "")[:200]
        try:
            self.hits = await self._call(search.search, self.query)
        except PortalError as error:
            return self._failed(error, on_load=True)
        self.page_status = "ready"
        return None
