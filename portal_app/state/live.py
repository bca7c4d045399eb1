"""Live updates for open tabs: one light watcher per tab, on the worker holding its socket.

Every signed-in page's first on_load (``SessionState.open_page``) starts
``SessionState.watch_tab``, a Reflex background task that runs ``run_tab`` below. About
once a second it reads the versions of the topics the tab shows (``services.live``, in
Redis or the database, so a change made on any worker or machine counts) and:

- when a widget's topic moved, sends that widget state's ``live_refresh`` event to the
  tab. It is an ordinary event: ``IdentityGuard`` resolves the tab's session first and
  the handler reloads through the services as that person, so a reload shows exactly
  what a page load would (another organization's comment never arrives);
- when the person's topic moved (sign-out, sign-out everywhere, deactivation) or every
  ``SESSION_CHECK_SECONDS`` (expiry), checks the session without counting as activity;
  once it has ended, sends ``SessionState.session_ended``: the guard empties every
  state of the tab and the handler sends it to the sign-in page.

A watcher ends when the tab opens another page (the next ``open_page`` starts a new
generation), when its socket is no longer on this worker (closed, or reconnected
elsewhere, where the reconnect's own page load starts a new watcher), or when the
session ends. Widget states opt in with the ``LiveWidget`` mixin.

What lives in this process (``_TABS``) is only the bookkeeping of the watchers running
in this process, for sockets this process holds; events of a tab always reach the
worker holding its socket, so nothing here needs sharing.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import sys
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from portal_app.errors import NotFound, PortalError, SignedOut
from portal_app.services import live, sessions

log = logging.getLogger("portal.live")

POLL_SECONDS = 1.0
SESSION_CHECK_SECONDS = 15.0
# Events the watcher sends on the tab's behalf: they are not the person's activity,
# so they don't extend an idle session (``IdentityGuard``).
PASSIVE_EVENTS = frozenset({"watch_tab", "live_refresh", "session_ended"})


@dataclass
class _Watch:
    topics: frozenset[str]
    event: Any  # the state's ``live_refresh`` handler
    seen: dict[str, int]


@dataclass
class _Tab:
    generation: int
    watches: dict[str, _Watch] = field(default_factory=dict)
    running: bool = False


_TABS: dict[str, _Tab] = {}
_generations = itertools.count(1)


def new_page(token: str) -> int:
    """A tab opened a page: forget what it watched; the previous watcher stops."""
    generation = next(_generations)
    _TABS[token] = _Tab(generation=generation)
    if generation % 200 == 0:
        _forget_closed_tabs()
    return generation


def _forget_closed_tabs() -> None:
    """Drop the entries of tabs with no watcher and no socket here (a watcher that
    never started, say, because the session had already ended)."""
    for token, tab in list(_TABS.items()):
        if not tab.running and not socket_is_here(token):
            _TABS.pop(token, None)


def is_passive(event_name: str) -> bool:
    return event_name.rsplit(".", 1)[-1] in PASSIVE_EVENTS


def running_watchers() -> int:
    """How many watchers this process runs (for tests and the log)."""
    return sum(1 for tab in _TABS.values() if tab.running)


def _app() -> Any:
    from reflex.config import get_config

    module = sys.modules.get(get_config().module)
    return getattr(module, "app", None)


def socket_is_here(token: str) -> bool:
    """Whether this process holds the tab's event socket right now."""
    try:
        namespace = _app().event_namespace
        manager = namespace._token_manager
        record = manager.token_to_socket.get(token)
    except AttributeError:  # not serving (a test importing the state), or Reflex changed
        return False
    return record is not None and record.instance_id == manager.instance_id


async def run_tab(state: Any, generation: int, session_ended: Any) -> AsyncIterator[Any]:
    """The watcher of one tab (``state``: the tab's ``SessionState`` proxy); yields the
    events to send to it (``session_ended`` once the session ended). See the module
    docstring."""
    token = state.router.session.client_token
    tab = _TABS.get(token)
    if not token or tab is None or tab.generation != generation or tab.running:
        return
    tab.running = True
    try:
        cookie = state._session_token()
        try:
            actor = await asyncio.to_thread(sessions.resolve, cookie, touch=False)
            if actor is None:
                # open_page found the session, so it ended since: tell the tab now.
                yield session_ended
                return
            person = live.person_topic(actor.user_id)
            seen = (await asyncio.to_thread(live.versions, [person]))[person]
        except Exception:  # noqa: BLE001  (the page works without live updates)
            log.warning("Live updates: this tab's watcher could not start", exc_info=True)
            return
        # The first poll checks the session in full: one that ended between the
        # resolve above and the baseline just read is not missed.
        checked = time.monotonic() - SESSION_CHECK_SECONDS
        while True:
            await asyncio.sleep(POLL_SECONDS)
            if _TABS.get(token) is not tab or not socket_is_here(token):
                return
            watches = list(tab.watches.values())
            topics = {person}.union(*(watch.topics for watch in watches))
            try:
                now = await asyncio.to_thread(live.versions, topics)
            except Exception:  # noqa: BLE001  (Redis or the database away: try again)
                log.warning("Live updates: could not read versions", exc_info=True)
                continue
            if now[person] != seen or time.monotonic() - checked >= SESSION_CHECK_SECONDS:
                seen, checked = now[person], time.monotonic()
                if await asyncio.to_thread(sessions.resolve, cookie, touch=False) is None:
                    yield session_ended
                    return
            for watch in watches:
                moved = {
                    topic: now[topic]
                    for topic in watch.topics
                    if now[topic] != watch.seen.get(topic, 0)
                }
                if moved:
                    watch.seen.update(moved)
                    yield watch.event
    finally:
        tab.running = False
        if _TABS.get(token) is tab and not socket_is_here(token):
            del _TABS[token]


class LiveWidget(rx.State, mixin=True):
    """For a widget state (a ``SessionState``) whose rows other people change: call
    ``await self._watch_live(topics)`` at the end of ``load_for_page`` — with the
    versions read *before* loading — and define ``_live_reload``, which reloads the rows
    through the services (``self._call``)."""

    async def _live_versions(self, topics: Iterable[str]) -> dict[str, int]:
        """Read before loading, passed to ``_watch_live`` after: a change in between
        is then reloaded, never missed."""
        return await asyncio.to_thread(live.versions, topics)

    def _watch_live(self, seen: dict[str, int]) -> None:
        token = self.router.session.client_token
        tab = _TABS.get(token)
        if tab is None:
            return
        key = self.get_full_name()
        if seen:
            tab.watches[key] = _Watch(frozenset(seen), type(self).live_refresh, dict(seen))
        else:
            tab.watches.pop(key, None)

    async def _live_reload(self) -> None:
        raise NotImplementedError

    @rx.event
    async def live_refresh(self):
        """Sent by the tab's watcher when what this state shows changed elsewhere."""
        try:
            await self._live_reload()
        except SignedOut:
            return self._sign_in_redirect()  # type: ignore[attr-defined]
        except NotFound:
            return None  # gone or hidden now: the next page load says so
        except PortalError as error:
            log.info("Live reload refused: %s", error)
        return None
