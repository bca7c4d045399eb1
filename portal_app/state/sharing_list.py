"""Settings » Sharing: the Shared list (every share a staff member may manage), its
bulk actions, each share's access log and new link, and the portal's sharing policy.

Nothing secret is kept here: rows carry what the table shows (never a token or its
hash), and a new link's address stays only while its dialog is open.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import reflex as rx

from portal_app import access
from portal_app.models.sharing import ACTIVE, DEACTIVATED, KINDS, REMOVED
from portal_app.services import sharing
from portal_app.services.sharing import AccessRow, Choice, ShareRow
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState

ALL = "all"
STATUSES = (ACTIVE, DEACTIVATED, "expired")
MAX_SELECTED = 500
MAX_ID_DIGITS = 12


def _choice(value: object, allowed: tuple[str, ...] | None = None) -> str:
    """A filter value as the browser sent it: ``ALL`` unless it is one we offer."""
    text = str(value)[:20]
    if allowed is not None:
        return text if text in allowed else ALL
    # An id the database can hold (a longer number is no organization or person).
    return text if text.isdigit() and len(text) <= MAX_ID_DIGITS else ALL


class SharedListState(SessionState):
    shares: list[ShareRow] = []
    organization_choices: list[Choice] = []
    creator_choices: list[Choice] = []
    search: str = ""
    organization_filter: str = ALL
    kind_filter: str = ALL
    status_filter: str = ALL
    creator_filter: str = ALL
    busy: bool = False
    selected: list[int] = []

    remove_open: bool = False
    expiry_open: bool = False
    expiry_error: str = ""

    log_open: bool = False
    log_title: str = ""
    log_rows: list[AccessRow] = []

    # The new link of a share, shown once: emptied when its dialog closes.
    link_open: bool = False
    link_title: str = ""
    link_url: str = ""

    is_policy_admin: bool = False
    policy_default_days: str = ""
    policy_max_days: str = ""
    policy_password_required: bool = False
    policy_error: str = ""
    policy_error_field: str = ""

    def _filters(self) -> dict[str, Any]:
        return {
            "organization_id": "" if self.organization_filter == ALL else self.organization_filter,
            "kind": "" if self.kind_filter == ALL else self.kind_filter,
            "status": "" if self.status_filter == ALL else self.status_filter,
            "creator_id": "" if self.creator_filter == ALL else self.creator_filter,
            "query": self.search,
        }

    async def _refresh(self) -> None:
        self.shares = await self._call(sharing.list_shares, self._filters())
        shown = {row.id for row in self.shares}
        self.selected = [share_id for share_id in self.selected if share_id in shown]

    async def _reload(self):
        self.busy = True
        yield
        try:
            await self._refresh()
        finally:
            self.busy = False

    @rx.event
    @shows_refusals(on_load=True, reset=("shares", "organization_choices", "creator_choices"))
    async def load(self):
        # The staff-only call goes first, so a refused caller gets nothing at all.
        self.selected = []
        await self._refresh()
        organizations, creators = await self._call(sharing.filter_choices)
        self.organization_choices = organizations
        self.creator_choices = creators
        actor = await self._actor()
        self.is_policy_admin = actor is not None and access.can_set_sharing_policy(actor)
        if self.is_policy_admin:
            policy = await self._call(sharing.get_policy)
            self._show_policy(policy)
        self.page_status = "ready"
        return None

    # --- filters ------------------------------------------------------------------------

    @rx.event
    @shows_refusals()
    async def set_search(self, value: str):
        self.search = str(value)[:100]
        async for event in self._reload():
            yield event

    @rx.event
    @shows_refusals()
    async def set_organization_filter(self, value: str):
        self.organization_filter = _choice(value)
        async for event in self._reload():
            yield event

    @rx.event
    @shows_refusals()
    async def set_kind_filter(self, value: str):
        self.kind_filter = _choice(value, KINDS)
        async for event in self._reload():
            yield event

    @rx.event
    @shows_refusals()
    async def set_status_filter(self, value: str):
        self.status_filter = _choice(value, STATUSES)
        async for event in self._reload():
            yield event

    @rx.event
    @shows_refusals()
    async def set_creator_filter(self, value: str):
        self.creator_filter = _choice(value)
        async for event in self._reload():
            yield event

    @rx.event
    @shows_refusals()
    async def clear_filters(self):
        self.search = ""
        self.organization_filter = self.kind_filter = ALL
        self.status_filter = self.creator_filter = ALL
        async for event in self._reload():
            yield event

    @rx.var
    def filtering(self) -> bool:
        return bool(self.search) or any(
            value != ALL
            for value in (
                self.organization_filter,
                self.kind_filter,
                self.status_filter,
                self.creator_filter,
            )
        )

    @rx.var
    def export_href(self) -> str:
        # The vars are read here, not through _filters(), so Reflex sees what it uses.
        chosen = {
            "organization_id": self.organization_filter,
            "kind": self.kind_filter,
            "status": self.status_filter,
            "creator_id": self.creator_filter,
        }
        wanted = {key: value for key, value in chosen.items() if value != ALL}
        if self.search:
            wanted["query"] = self.search
        query = urlencode(wanted)
        return "/settings/sharing/shares.csv" + (f"?{query}" if query else "")

    # --- selection ----------------------------------------------------------------------

    @rx.event
    def toggle_selected(self, share_id: int, chosen: bool):
        """Only the selection: every action below asks the service who manages what."""
        shown = {row.id for row in self.shares}
        if not isinstance(share_id, int) or share_id not in shown:
            return
        rest = [i for i in self.selected if i != share_id]
        self.selected = [*rest, share_id][:MAX_SELECTED] if chosen is True else rest

    @rx.event
    def toggle_all(self, chosen: bool):
        self.selected = [row.id for row in self.shares][:MAX_SELECTED] if chosen is True else []

    @rx.var
    def selected_count(self) -> int:
        return len(self.selected)

    @rx.var
    def all_selected(self) -> bool:
        return bool(self.shares) and len(self.selected) == len(self.shares)

    async def _set_status(self, share_ids: list[int], status: str) -> int:
        changed = await self._call(sharing.set_status, share_ids, status)
        await self._refresh()
        return changed

    @staticmethod
    def _shares(count: int) -> str:
        return "1 share" if count == 1 else f"{count} shares"

    @rx.event
    @shows_refusals()
    async def deactivate_selected(self):
        changed = await self._set_status(list(self.selected), DEACTIVATED)
        self.selected = []
        return rx.toast.success(f"{self._shares(changed)} deactivated. Their links stop working.")

    @rx.event
    @shows_refusals()
    async def reactivate_selected(self):
        changed = await self._set_status(list(self.selected), ACTIVE)
        self.selected = []
        return rx.toast.success(f"{self._shares(changed)} reactivated.")

    @rx.event
    def ask_remove(self):
        self.remove_open = bool(self.selected)

    @rx.event
    def set_remove_open(self, value: bool):
        self.remove_open = bool(value)

    @rx.event
    @shows_refusals()
    async def confirm_remove(self):
        self.remove_open = False
        changed = await self._set_status(list(self.selected), REMOVED)
        self.selected = []
        return rx.toast.success(f"{self._shares(changed)} removed. Their links no longer work.")

    @rx.event
    def open_expiry(self):
        self.expiry_error = ""
        self.expiry_open = bool(self.selected)

    @rx.event
    def set_expiry_open(self, value: bool):
        self.expiry_open = bool(value)

    @rx.event
    @shows_refusals(invalid="expiry_error")
    async def save_expiry(self, form: dict[str, Any]):
        changed = await self._call(
            sharing.set_expiry, list(self.selected), str(form.get("expires_at", ""))[:40]
        )
        self.expiry_open = False
        self.expiry_error = ""
        self.selected = []
        await self._refresh()
        return rx.toast.success(f"New expiry saved for {self._shares(changed)}.")

    # --- one share ----------------------------------------------------------------------

    def _row(self, share_id: int) -> ShareRow | None:
        return next((row for row in self.shares if row.id == share_id), None)

    @rx.event
    @shows_refusals()
    async def set_share_status(self, share_id: int, status: str):
        if status not in (ACTIVE, DEACTIVATED):
            return None
        await self._set_status([share_id], status)
        self.selected = [i for i in self.selected if i != share_id]
        verb = "reactivated" if status == ACTIVE else "deactivated"
        return rx.toast.success(f"Share {verb}.")

    @rx.event
    @shows_refusals()
    async def open_access_log(self, share_id: int):
        # Asked of the service first: a refused caller's dialog stays empty.
        rows = await self._call(sharing.access_log, share_id)
        row = self._row(share_id)
        self.log_title = row.item_name if row is not None else "This share"
        self.log_rows = rows
        self.log_open = True
        return None

    @rx.event
    def set_log_open(self, value: bool):
        self.log_open = bool(value)
        if not self.log_open:
            self.log_rows = []

    @rx.event
    @shows_refusals()
    async def regenerate(self, share_id: int):
        created = await self._call(sharing.regenerate_link, share_id)
        row = self._row(share_id)
        self.link_title = row.item_name if row is not None else "This share"
        self.link_url = created.url
        self.link_open = True
        await self._refresh()
        return None

    @rx.event
    def close_link(self):
        self.link_open = False
        self.link_url = ""

    @rx.event
    def set_link_open(self, value: bool):
        if not value:
            self.link_open = False
            self.link_url = ""

    # --- the portal's policy (administrators) -------------------------------------------

    def _show_policy(self, policy: sharing.PolicyView) -> None:
        self.policy_default_days = str(policy.default_expiry_days)
        self.policy_max_days = str(policy.max_expiry_days)
        self.policy_password_required = policy.web_password_required
        self.policy_error = self.policy_error_field = ""

    @rx.event
    def set_policy_password_required(self, value: bool):
        self.policy_password_required = value is True

    @rx.event
    @shows_refusals(invalid="policy_error", invalid_field="policy_error_field")
    async def save_policy(self, form: dict[str, Any]):
        policy = await self._call(
            sharing.set_policy,
            str(form.get("default_expiry_days", "")).strip()[:10],
            str(form.get("max_expiry_days", "")).strip()[:10],
            self.policy_password_required,
        )
        self._show_policy(policy)
        return rx.toast.success("Sharing policy saved. It applies to new links and changes.")
