"""Settings » Clients: client organizations, their members and assigned staff."""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal_app.services import organizations
from portal_app.services.organizations import OrganizationRow
from portal_app.services.people import PersonRow
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState


class ClientsState(SessionState):
    organizations: list[OrganizationRow] = []
    search: str = ""
    show_archived: bool = False

    name_dialog_open: bool = False
    name_dialog_id: int = 0  # 0: creating a new organization
    name_dialog_value: str = ""
    name_error: str = ""

    archive_open: bool = False
    archive_id: int = 0
    archive_name: str = ""
    archive_restore: bool = False

    # The organization page (/settings/clients/[id]).
    current: OrganizationRow | None = None
    members: list[PersonRow] = []
    staff: list[PersonRow] = []
    staff_choices: list[PersonRow] = []
    staff_to_assign: str = ""

    async def _refresh_list(self) -> None:
        self.organizations = await self._call(
            organizations.managed_organizations, self.search, self.show_archived
        )

    @rx.event
    @shows_refusals(on_load=True)
    async def load(self):
        await self._refresh_list()
        self.page_status = "ready"
        return None

    @rx.event
    @shows_refusals()
    async def set_search(self, value: str):
        self.search = str(value)[:100]
        await self._refresh_list()

    @rx.event
    @shows_refusals()
    async def set_show_archived(self, value: bool):
        self.show_archived = bool(value)
        await self._refresh_list()

    # --- create / rename ----------------------------------------------------------------

    @rx.event
    def open_create(self):
        self.name_dialog_id, self.name_dialog_value, self.name_error = 0, "", ""
        self.name_dialog_open = True

    @rx.event
    @shows_refusals()
    async def open_rename(self, organization_id: int):
        organization = await self._call(organizations.organization_to_manage, organization_id)
        self.name_dialog_id = organization.id
        self.name_dialog_value = organization.name
        self.name_error = ""
        self.name_dialog_open = True
        return None

    @rx.event
    def set_name_dialog_open(self, value: bool):
        self.name_dialog_open = bool(value)

    @rx.event
    @shows_refusals(invalid="name_error")
    async def save_name(self, form: dict[str, Any]):
        name = form.get("name", "")
        if self.name_dialog_id:
            await self._call(organizations.rename_organization, self.name_dialog_id, name)
            message = "Organization renamed."
        else:
            row = await self._call(organizations.create_organization, name)
            message = f"{row.name} was created. Invite its people from Settings » People."
        self.name_dialog_open = False
        if self.current is not None:
            return [ClientsState.load_organization, rx.toast.success(message)]
        return [ClientsState.load, rx.toast.success(message)]

    # --- archive ------------------------------------------------------------------------

    @rx.event
    @shows_refusals()
    async def ask_archive(self, organization_id: int):
        organization = await self._call(organizations.organization_to_manage, organization_id)
        self.archive_id = organization.id
        self.archive_name = organization.name
        self.archive_restore = organization.archived
        self.archive_open = True
        return None

    @rx.event
    def set_archive_open(self, value: bool):
        self.archive_open = bool(value)

    @rx.event
    @shows_refusals()
    async def confirm_archive(self):
        self.archive_open = False
        await self._call(organizations.set_archived, self.archive_id, not self.archive_restore)
        verb = "restored" if self.archive_restore else "archived"
        return [ClientsState.load, rx.toast.success(f"{self.archive_name} was {verb}.")]

    # --- one organization ----------------------------------------------------------------

    @rx.event
    @shows_refusals(on_load=True, reset=("current",))
    async def load_organization(self):
        organization_id = (self.router.url.path or "").rstrip("/").rsplit("/", 1)[-1]
        self.staff_choices = await self._call(organizations.staff_choices)
        detail = await self._call(organizations.get_organization, organization_id)
        self.current = detail.organization
        self.members = detail.members
        self.staff = detail.staff
        self.staff_to_assign = ""
        self.page_status = "ready"
        return None

    @rx.event
    def set_staff_to_assign(self, value: str):
        self.staff_to_assign = str(value)[:20]

    @rx.event
    @shows_refusals()
    async def assign_staff(self):
        if self.current is None or not self.staff_to_assign:
            return rx.toast.error("Choose a staff member to assign.")
        await self._call(organizations.assign_staff, self.current.id, self.staff_to_assign, True)
        return [ClientsState.load_organization, rx.toast.success("Staff member assigned.")]

    @rx.event
    @shows_refusals()
    async def unassign_staff(self, user_id: int):
        if self.current is None:
            return None
        await self._call(organizations.assign_staff, self.current.id, user_id, False)
        return [ClientsState.load_organization, rx.toast.success("Staff member unassigned.")]
