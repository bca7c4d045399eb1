"""Who is signed in, resolved on the server from the HttpOnly session cookie.

The browser can call any public handler with any arguments, so every handler asks
``_call`` to run its service as the person the *cookie* names; the Reflex client token
never identifies anyone. Deactivated or expired sessions end at the next action.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from contextvars import ContextVar
from http.cookies import CookieError, SimpleCookie
from typing import Any, TypeVar
from urllib.parse import quote

import reflex as rx

from portal_app import access
from portal_app.access import Actor
from portal_app.config import get_settings
from portal_app.errors import Forbidden, NotFound, PortalError, SignedOut
from portal_app.services import pages, sessions, sharing
from portal_app.services.page_views import NavPage
from portal_app.services.people import initials
from portal_app.state import live
from portal_app.state.redis_locks import pass_wakeups_on

T = TypeVar("T")

# Reflex 0.10's Redis state locks can stall a tab for 10 s after Reflex cancels two
# waiting events; this passes a cancelled waiter's wake-up on (state/redis_locks.py).
pass_wakeups_on()

# The person the current event's cookie names, resolved once by ``IdentityGuard`` before
# the handler runs and reused by ``_call`` in the same event: (cookie token, actor, when).
_RESOLVED: ContextVar[tuple[str, Actor | None, float] | None] = ContextVar(
    "portal_resolved_actor", default=None
)
_REUSE_SECONDS = 2.0


def identity_key(token: str, actor: Actor | None) -> str:
    """Who a tab's state was built for: the signed-in session (a digest of its cookie
    token), or "" for nobody. A new sign-in, a sign-out or an ended session changes it."""
    if actor is None:
        return ""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def _refuse_guest_outside_share(actor: Actor, service: Callable[..., Any]) -> None:
    """A guest's events reach only the services of their shared page (the access
    layer's allowlist); anything else reads like a page that doesn't exist."""
    if actor.is_guest and not access.guest_may_use(
        getattr(service, "__module__", ""), getattr(service, "__name__", "")
    ):
        raise NotFound(access.PAGE_NOT_FOUND)


class SessionState(rx.State):
    """The signed-in person, as the shell shows them (no secrets here)."""

    me_id: int = 0
    me_name: str = ""
    me_email: str = ""
    me_role: str = ""
    me_role_label: str = ""
    me_initials: str = ""
    # What the shell offers this person (``access.capabilities``); every operation
    # re-checks on the server.
    may_open_settings: bool = False
    may_create_pages: bool = False
    may_choose_home: bool = False
    sees_whole_firm: bool = False
    may_manage_page_content: bool = False
    may_manage_shares: bool = False
    # A guest of one shared page: the shell shows no navigation, search or account.
    is_guest: bool = False
    # "loading" until the page's load handler has run, then "ready", "denied" (403 page)
    # or "missing" (404 page).
    page_status: str = "loading"
    # The address ``page_status`` is about. After a client-side navigation the new page
    # renders before its on_load reaches the server; comparing this with the browser's
    # address keeps it from showing the previous page's "ready" (and then remounting
    # under the person's fingers).
    status_path: str = ""
    portal_name: str = get_settings().portal_name
    # The page tree this person may see (sidebar).
    nav_pages: list[NavPage] = []
    current_path: str = "/"
    # Who this tab's states were last filled for (``identity_key``); never sent.
    _served_identity: str = ""

    def _session_token(self) -> str:
        raw = self.router.headers.cookie or ""
        try:
            jar = SimpleCookie()
            jar.load(raw)
        except CookieError:
            return ""
        morsel = jar.get(sessions.COOKIE_NAME)
        return morsel.value if morsel else ""

    async def _actor(self) -> Actor | None:
        """The person this event's cookie names: resolved once per event (by
        ``IdentityGuard`` before the handler runs) and reused by ``_call``."""
        token = self._session_token()
        cached = _RESOLVED.get()
        if (
            cached is not None
            and cached[0] == token
            and time.monotonic() - cached[2] < _REUSE_SECONDS
        ):
            return cached[1]
        return await self._resolve_now()

    async def _resolve_now(self, *, touch: bool = True) -> Actor | None:
        """Resolve the cookie now; ``touch=False`` for events the tab's live watcher
        sends, which are not the person's activity."""
        token = self._session_token()
        actor = await asyncio.to_thread(sessions.resolve, token, touch=touch) if token else None
        _RESOLVED.set((token, actor, time.monotonic()))
        return actor

    async def _call(self, service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a service off the event loop as the signed-in person."""
        actor = await self._actor()
        if actor is None:
            raise SignedOut()
        _refuse_guest_outside_share(actor, service)
        self._remember(actor)
        return await asyncio.to_thread(service, actor, *args, **kwargs)

    async def _call_unlocked(self, service: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``_call`` for a background handler, which runs without the tab's state lock:
        the same person check (the guard resolved the cookie at the event's start), the
        service in a thread, nothing written to the state."""
        actor = await self._actor()
        if actor is None:
            raise SignedOut()
        _refuse_guest_outside_share(actor, service)
        return await asyncio.to_thread(service, actor, *args, **kwargs)

    def _remember(self, actor: Actor) -> None:
        self.me_id = actor.user_id
        self.me_name = actor.display_name
        self.me_email = actor.email
        self.me_role = actor.role
        self.me_role_label = actor.role_label
        self.me_initials = initials(actor.display_name)
        can = access.capabilities(actor)
        self.may_open_settings = can.open_settings
        self.may_create_pages = can.create_pages
        self.may_choose_home = can.choose_home
        self.sees_whole_firm = can.sees_whole_firm
        self.may_manage_page_content = can.manage_page_content
        self.may_manage_shares = can.manage_shares
        self.is_guest = actor.is_guest

    def _sign_in_redirect(self) -> rx.event.EventSpec:
        # Nothing to clear here: IdentityGuard already reset every state of this tab
        # when it found the session gone, before this event's handler ran.
        if self._session_token().startswith(sharing.GUEST_COOKIE_PREFIX):
            # A guest has no account to sign in to: their link ended. (A full load: the
            # notice is served by the backend, not a page of the app.)
            return rx.call_script(f"window.location.replace('{sharing.GUEST_ENDED_PATH}')")
        here = self.router.url.path or "/"
        return rx.redirect(f"/login?next={quote(here)}&reason=signed_out", replace=True)

    def _failed(self, error: PortalError, *, on_load: bool = False) -> Any:
        """Turn a domain error into what the person sees."""
        if isinstance(error, SignedOut):
            return self._sign_in_redirect()
        if on_load and isinstance(error, Forbidden):
            self.page_status = "denied"
            return None
        if on_load and isinstance(error, NotFound):
            self.page_status = "missing"
            return None
        return rx.toast.error(str(error), duration=6000)

    @rx.event
    async def open_page(self):
        """First on_load of every signed-in page: resolve the person (or send them to
        sign in) and load their navigation. The page's own loader then sets
        ``page_status``."""
        self.page_status = "loading"
        self.status_path = (self.router.url.path or "/").rstrip("/")[:300] or "/"
        actor = await self._actor()
        if actor is None:
            return self._sign_in_redirect()
        self._remember(actor)
        self.nav_pages = (
            [] if actor.is_guest else await asyncio.to_thread(pages.list_navigation, actor)
        )
        self.current_path = (self.router.url.path or "/")[:300]
        # This tab's live watcher for this page (the previous page's stops).
        return SessionState.watch_tab(live.new_page(self.router.session.client_token))

    @rx.event(background=True)
    async def watch_tab(self, generation: int):
        """While this page is open: live updates and the end of the session
        (``state/live.py``). Ends when the tab leaves the page or its socket this
        worker."""
        if not isinstance(generation, int) or isinstance(generation, bool):
            return
        async for event in live.run_tab(self, generation, SessionState.session_ended):
            yield event

    @rx.event
    async def session_ended(self):
        """Sent by the live watcher once the session ended. ``IdentityGuard`` has already
        emptied the tab's states; this sends it to sign in (a session still valid, as
        for a forged call, changes nothing)."""
        if await self._actor() is None:
            return self._sign_in_redirect()
        return None

    @rx.event
    def go_search(self, form: dict[str, Any]):
        query = str(form.get("q", "")).strip()[:200] if isinstance(form, dict) else ""
        return rx.redirect(f"/search?q={quote(query)}")

    @rx.event
    def sign_out(self):
        return rx.call_script("window.portalPost('/auth/logout')")

    @rx.event
    def sign_out_everywhere(self):
        return rx.call_script("window.portalPost('/auth/logout-everywhere')")
