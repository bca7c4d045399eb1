"""The signed-in person's own account: name and password."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal_app import access
from portal_app.errors import Invalid, PortalError
from portal_app.services import people
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState


class AccountState(SessionState):
    name_error: str = ""
    password_error: str = ""
    password_error_field: str = ""
    password_busy: bool = False

    @rx.event
    async def load(self):
        actor = await self._actor()
        if actor is None:
            return self._sign_in_redirect()
        self._remember(actor)
        self.name_error = self.password_error = self.password_error_field = ""
        # A guest (a shared link's visitor) has no account of their own to manage.
        self.page_status = "ready" if access.has_own_account(actor) else "denied"
        return None

    @rx.event
    @shows_refusals(invalid="name_error")
    async def save_name(self, form: dict[str, Any]):
        name = await self._call(people.update_own_name, form.get("name", ""))
        self.name_error = ""
        self.me_name = name
        return rx.toast.success("Your name was saved.")

    @rx.event(background=True)
    async def change_password(self, form: dict[str, Any]):
        """In the background: checking the current password and hashing the new one is
        bcrypt twice, seconds on a busy machine; the tab's state lock (which Reflex lets
        expire after 10 s with Redis) is held only to show the busy flag and the outcome."""
        form = form if isinstance(form, dict) else {}
        async with self:
            if self.password_busy:
                return
            self.password_busy = True
        refusal: PortalError | None = None
        shown: Any = None
        try:
            await self._call_unlocked(
                people.change_own_password,
                form.get("current_password", ""),
                form.get("new_password", ""),
                keep_session_token=self._session_token(),
            )
        except PortalError as error:
            refusal = error
        finally:
            async with self:
                self.password_busy = False
                if isinstance(refusal, Invalid):
                    self.password_error, self.password_error_field = str(refusal), refusal.field
                elif refusal is not None:
                    shown = self._failed(refusal)
                else:
                    self.password_error = self.password_error_field = ""
        if refusal is not None:
            if shown is not None:
                yield shown
            return
        yield rx.set_value("current_password", "")
        yield rx.set_value("new_password", "")
        yield rx.toast.success("Password changed. Your other sessions were signed out.")
