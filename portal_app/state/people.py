"""The People directory (everyone) and Settings » People (administrators)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal_app.services import organizations, people
from portal_app.services.organizations import OrganizationChoice
from portal_app.services.people import DirectoryCard, InvitationRow, PersonRow
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState

ALL = "all"


class DirectoryState(SessionState):
    """People the signed-in person may see (the access layer bounds it)."""

    people: list[DirectoryCard] = []
    search: str = ""

    @rx.event
    @shows_refusals(on_load=True)
    async def load(self):
        self.people = await self._call(people.list_directory, self.search)
        self.page_status = "ready"
        return None

    @rx.event
    async def set_search(self, value: str):
        self.search = str(value)[:100]
        return await self.load()


class PeopleAdminState(SessionState):
    people: list[PersonRow] = []
    invitations: list[InvitationRow] = []
    organization_choices: list[OrganizationChoice] = []
    search: str = ""
    role_filter: str = ALL
    organization_filter: str = ALL
    status_filter: str = ALL

    invite_open: bool = False
    invite_role: str = "limited"
    invite_organization: str = ""
    invite_error: str = ""
    invite_error_field: str = ""
    invite_busy: bool = False

    edit_open: bool = False
    edit_id: int = 0
    edit_name: str = ""
    edit_role: str = "limited"
    edit_organization: str = ""
    edit_error: str = ""

    confirm_open: bool = False
    confirm_id: int = 0
    confirm_name: str = ""
    confirm_activate: bool = False

    async def _refresh(self) -> None:
        # The admin-only call goes first, so a refused caller gets nothing at all.
        self.invitations = await self._call(people.list_invitations)
        self.people = await self._call(
            people.list_people,
            self.search,
            "" if self.role_filter == ALL else self.role_filter,
            0 if self.organization_filter == ALL else self.organization_filter,
            "" if self.status_filter == ALL else self.status_filter,
        )
        self.organization_choices = await self._call(organizations.organization_choices)

    @rx.event
    @shows_refusals(on_load=True)
    async def load(self):
        await self._refresh()
        self.page_status = "ready"
        return None

    @rx.event
    @shows_refusals()
    async def set_search(self, value: str):
        self.search = str(value)[:100]
        await self._refresh()

    @rx.event
    @shows_refusals()
    async def set_role_filter(self, value: str):
        self.role_filter = str(value)[:20]
        await self._refresh()

    @rx.event
    @shows_refusals()
    async def set_organization_filter(self, value: str):
        self.organization_filter = str(value)[:20]
        await self._refresh()

    @rx.event
    @shows_refusals()
    async def set_status_filter(self, value: str):
        self.status_filter = str(value)[:20]
        await self._refresh()

    # --- inviting ---------------------------------------------------------------------

    @rx.event
    def open_invite(self):
        self.invite_open = True
        self.invite_role = "limited"
        self.invite_organization = ""
        self.invite_error = self.invite_error_field = ""
        self.invite_busy = False

    @rx.event
    def set_invite_open(self, value: bool):
        self.invite_open = bool(value)

    @rx.event
    def set_invite_role(self, value: str):
        self.invite_role = str(value)[:20]

    @rx.event
    def set_invite_organization(self, value: str):
        self.invite_organization = str(value)[:20]

    @rx.event
    @shows_refusals(invalid="invite_error", invalid_field="invite_error_field")
    async def send_invitation(self, form: dict[str, Any]):
        self.invite_busy = True
        yield
        try:
            row = await self._call(
                people.invite,
                form.get("email", ""),
                self.invite_role,
                self.invite_organization or 0,
                form.get("message", ""),
            )
        finally:
            self.invite_busy = False
        self.invite_open = False
        await self._refresh()
        yield rx.toast.success(f"Invitation sent to {row.email}.")

    @rx.event
    @shows_refusals()
    async def resend_invitation(self, invitation_id: int):
        await self._call(people.resend_invitation, invitation_id)
        await self._refresh()
        return rx.toast.success("Invitation sent again with a fresh link.")

    @rx.event
    @shows_refusals()
    async def revoke_invitation(self, invitation_id: int):
        await self._call(people.revoke_invitation, invitation_id)
        await self._refresh()
        return rx.toast.success("Invitation revoked. Its link no longer works.")

    # --- editing a person ---------------------------------------------------------------

    @rx.event
    @shows_refusals()
    async def open_edit(self, user_id: int):
        # Asked of the service first: a refused caller's dialog state stays empty.
        person = await self._call(people.person_to_manage, user_id)
        self.edit_id = person.id
        self.edit_name = person.name
        self.edit_role = person.role
        self.edit_organization = str(person.organization_id) if person.organization_id else ""
        self.edit_error = ""
        self.edit_open = True
        return None

    @rx.event
    def set_edit_open(self, value: bool):
        self.edit_open = bool(value)

    @rx.event
    def set_edit_role(self, value: str):
        self.edit_role = str(value)[:20]

    @rx.event
    def set_edit_organization(self, value: str):
        self.edit_organization = str(value)[:20]

    @rx.event
    @shows_refusals(invalid="edit_error")
    async def save_edit(self):
        await self._call(
            people.update_person, self.edit_id, self.edit_role, self.edit_organization or 0
        )
        self.edit_open = False
        await self._refresh()
        return rx.toast.success(f"Saved changes to {self.edit_name}.")

    # --- activation and password resets ---------------------------------------------------

    @rx.event
    @shows_refusals()
    async def ask_active(self, user_id: int):
        person = await self._call(people.person_to_manage, user_id)
        self.confirm_id = person.id
        self.confirm_name = person.name
        self.confirm_activate = not person.active
        self.confirm_open = True
        return None

    @rx.event
    def set_confirm_open(self, value: bool):
        self.confirm_open = bool(value)

    @rx.event
    @shows_refusals()
    async def confirm_active(self):
        self.confirm_open = False
        await self._call(people.set_active, self.confirm_id, self.confirm_activate)
        await self._refresh()
        verb = "reactivated" if self.confirm_activate else "deactivated and signed out"
        return rx.toast.success(f"{self.confirm_name} was {verb}.")

    @rx.event
    @shows_refusals()
    async def send_reset(self, user_id: int):
        await self._call(people.send_password_reset, user_id)
        return rx.toast.success("A password reset link is on its way to them.")
