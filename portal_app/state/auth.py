"""Sign-in, invitation, forgotten-password and reset forms.

Passwords never pass through this state: the forms post straight to /auth/* routes
(assets/portal.js), which set the HttpOnly cookie. The state only shows the outcome.
"""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from portal_app.errors import NotFound
from portal_app.services import auth
from portal_app.services.links import safe_next_path
from portal_app.state.session import SessionState

REASONS = {
    "signed_out": "Your session has ended. Please sign in again.",
    "reset": "Your password was changed. Sign in with the new one.",
}


class AuthFormState(SessionState):
    error: str = ""
    error_field: str = ""
    notice: str = ""
    busy: bool = False
    next_path: str = "/"
    # The invitation or reset page being shown (its token is already in this browser's URL).
    token: str = ""
    link_error: str = ""
    invite_email: str = ""
    invite_organization: str = ""
    invite_inviter: str = ""
    invite_message: str = ""
    reset_email: str = ""

    def _clear(self) -> None:
        self.error = self.error_field = self.notice = self.link_error = ""
        self.busy = False

    def _token_from_path(self) -> str:
        return (self.router.url.path or "").rstrip("/").rsplit("/", 1)[-1][:200]

    @rx.event
    async def open_sign_in(self):
        self._clear()
        params = self.router.url.query_parameters
        self.notice = REASONS.get(params.get("reason", ""), "")
        self.next_path = safe_next_path(params.get("next", "/"))
        if await self._actor() is not None:
            return rx.redirect(self.next_path, replace=True)
        return None

    @rx.event
    def open_forgot(self):
        self._clear()

    @rx.event
    async def open_invitation(self):
        self._clear()
        self.token = self._token_from_path()
        try:
            view = await asyncio.to_thread(auth.describe_invitation, self.token)
        except NotFound as error:
            self.link_error = str(error)
            return
        self.invite_email = view.email
        self.invite_organization = view.organization_name
        self.invite_inviter = view.inviter_name
        self.invite_message = view.message

    @rx.event
    async def open_reset(self):
        self._clear()
        self.token = self._token_from_path()
        try:
            self.reset_email = await asyncio.to_thread(auth.describe_password_reset, self.token)
        except NotFound as error:
            self.link_error = str(error)

    @rx.event
    def submitting(self):
        self.busy = True
        self.error = self.error_field = ""

    @rx.event
    def finished(self, result: dict[str, Any]):
        """The route's answer: on success the browser is already navigating away."""
        if not isinstance(result, dict):
            result = {}
        if result.get("ok"):
            if not result.get("next"):
                self.busy = False
                self.notice = str(result.get("message", ""))[:300]
            return
        self.busy = False
        self.error = str(result.get("message") or "Something went wrong. Please try again.")[:300]
        self.error_field = str(result.get("field", ""))[:40]
