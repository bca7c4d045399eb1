"""Search results."""

from __future__ import annotations

import reflex as rx

from portal_app.services import search
from portal_app.services.search import SearchHit
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState


class SearchState(SessionState):
    query: str = ""
    hits: list[SearchHit] = []

    @rx.event
    @shows_refusals(on_load=True)
    async def load(self):
        self.query = self.router.url.query_parameters.get("q", "")[:200]
        self.hits = await self._call(search.search, self.query)
        self.page_status = "ready"
        return None
