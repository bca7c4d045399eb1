"""Viewing a published page (and the home page)."""

from __future__ import annotations

import reflex as rx

from portal_app.errors import PortalError
from portal_app.services import pages, subscriptions
from portal_app.services.page_views import PageView
from portal_app.state.session import SessionState


class PageViewState(SessionState):
    page: PageView | None = None
    # Home: "" until loaded; "none" when no home page exists yet.
    home_status: str = ""

    def _slug(self) -> str:
        return (self.router.url.path or "").rstrip("/").rsplit("/", 1)[-1][:120]

    @rx.event
    async def load(self):
        try:
            self.page = await self._call(pages.view_page, self._slug())
        except PortalError as error:
            self.page = None
            return self._failed(error, on_load=True)
        self.page_status = "ready"
        return None

    @rx.event
    async def load_home(self):
        try:
            slug = await self._call(pages.home_slug)
            self.page = await self._call(pages.view_page, slug) if slug else None
        except PortalError as error:
            self.page = None
            return self._failed(error, on_load=True)
        self.home_status = "page" if self.page is not None else "none"
        self.page_status = "ready"
        return None

    @rx.event
    async def set_following(self, following: bool):
        if self.page is None:
            return None
        try:
            await self._call(subscriptions.set_subscribed, self.page.id, bool(following))
            self.page = await self._call(pages.view_page, self.page.slug)
        except PortalError as error:
            return self._failed(error)
        return rx.toast.success(
            "You'll get an e-mail when this page changes."
            if following
            else "You won't get e-mails about this page any more."
        )
