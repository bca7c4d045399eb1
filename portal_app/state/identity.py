"""One tab, one person: a tab's server-side state never outlives the person it was for.

Reflex keeps each tab's state under the tab's client token, and a tab keeps that token
across sign-out. Without this guard, the next person to sign in in the same tab (or a
forged socket reusing a token) would be sent everything the previous person's states
held. ``IdentityGuard`` runs before every event, including the hydrate that sends the
first full snapshot: it resolves the session cookie and, when it names someone other
than the person the states were filled for (another person, nobody, an ended
session), resets every state of the portal before anything is sent.

The browser also starts a fresh client token after every sign-in and sign-out
(assets/portal.js), so the old state is simply never looked up again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from reflex.middleware import Middleware

from portal_app.state import live
from portal_app.state.session import SessionState, identity_key

if TYPE_CHECKING:
    from reflex.app import App
    from reflex.state import BaseState, StateUpdate
    from reflex_base.event import Event


def person_state_classes() -> list[type[SessionState]]:
    """SessionState and every state below it: everything that can hold a person's data."""
    found: list[type[SessionState]] = []
    pending: list[type] = [SessionState]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.get_substates())
    return found


async def forget_everyone(root: BaseState) -> None:
    """Reset every portal state of this tab to its defaults (each one is loaded first,
    so a state kept in Redis or on disk is reset too, not only those in memory)."""
    for cls in person_state_classes():
        await root.get_state(cls)
    # Reflex's own reset: every loaded substate, router data untouched.
    (await root.get_state(SessionState)).reset()


class IdentityGuard(Middleware):
    async def preprocess(self, app: App, state: BaseState, event: Event) -> StateUpdate | None:
        shell = await state.get_state(SessionState)
        assert isinstance(shell, SessionState)
        # Always fresh at an event's start: an ended session is noticed at once. What
        # the tab's live watcher sends is not the person's activity (no idle extension).
        actor = await shell._resolve_now(touch=not live.is_passive(event.name))
        current = identity_key(shell._session_token(), actor)
        if shell._served_identity != current:
            await forget_everyone(state)
            shell._served_identity = current
        return None
