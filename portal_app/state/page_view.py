"""Viewing a published page (and the home page)."""

from __future__ import annotations

import reflex as rx

from portal_app.services import pages, subscriptions
from portal_app.services.page_views import PageView
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState


class PageViewState(SessionState):
    page: PageView | None = None
    # Home: "" until loaded; "none" when no home page exists yet.
    home_status: str = ""

    def _slug(self) -> str:
        return (self.router.url.path or "").rstrip("/").rsplit("/", 1)[-1][:120]

    @rx.event
    @shows_refusals(on_load=True, reset=("page",))
    async def load(self):
        self.page = await self._call(pages.view_page, self._slug())
        self.page_status = "ready"
        return None

    @rx.event
    @shows_refusals(on_load=True, reset=("page",))
    async def load_home(self):
        slug = await self._call(pages.home_slug)
        self.page = await self._call(pages.view_page, slug) if slug else None
        self.home_status = "page" if self.page is not None else "none"
        self.page_status = "ready"
        return None

    @rx.event
    @shows_refusals()
    async def set_following(self, following: bool):
        if self.page is None:
            return None
        await self._call(subscriptions.set_subscribed, self.page.id, bool(following))
        self.page = await self._call(pages.view_page, self.page.slug)
        return rx.toast.success(
            "You'll get an e-mail when this page changes."
            if following
            else "You won't get e-mails about this page any more."
        )
