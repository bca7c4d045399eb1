"""Sharing one page with people outside, from the editor's Permissions dialog: guest
invitations, web and secured links, and the page's current shares.

The page is the one the editor shows (its id from the address, as ``EditorState``
reads it); every call re-checks on the server (``services.sharing``). A new link's
address is shown once: it is forgotten when the dialog closes and never reloaded.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from portal_app.errors import Invalid
from portal_app.services import sharing
from portal_app.services.sharing import ShareRow
from portal_app.state.refusals import shows_refusals
from portal_app.state.session import SessionState

# Which field an ``Invalid`` from the sharing service names, by form.
INVITE_FIELDS = ("guests", "password", "expires_at")
LINK_FIELDS = ("kind", "password", "expires_at")


def _page_id_from_path(path: str) -> str:
    return (path or "").rstrip("/").rsplit("/", 1)[-1][:20]


def _text(form: Any, name: str, limit: int) -> str:
    value = form.get(name, "") if isinstance(form, dict) else ""
    return value[:limit] if isinstance(value, str) else ""


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class PageSharingState(SessionState):
    # Whether this person may share the page (the tab shows only then).
    may_share: bool = False
    policy_note: str = ""
    web_password_required: bool = False
    shares: list[ShareRow] = []

    invite_error: str = ""
    invite_error_field: str = ""
    invite_notice: str = ""
    inviting: bool = False

    link_kind: str = "web"
    link_error: str = ""
    link_error_field: str = ""
    # The address of the link just made: shown once, forgotten when the dialog closes.
    new_link_url: str = ""
    new_link_kind: str = ""

    removing_id: str = ""
    removing_label: str = ""

    def _page_id(self) -> str:
        return _page_id_from_path(self.router.url.path)

    def _clear_forms(self) -> None:
        self.invite_error = self.invite_error_field = self.invite_notice = ""
        self.link_error = self.link_error_field = ""
        self.new_link_url = self.new_link_kind = ""
        self.removing_id = self.removing_label = ""
        self.link_kind = "web"

    async def _reload_shares(self) -> None:
        self.shares = await self._call(sharing.shares_of_page, self._page_id())

    @rx.event
    @shows_refusals(reset=("may_share", "shares"))
    async def load(self):
        """When the Permissions dialog opens: the policy and the page's shares."""
        self._clear_forms()
        policy = await self._call(sharing.get_policy)
        await self._reload_shares()
        parts = []
        if policy.default_expiry_days:
            parts.append(
                f"Links expire after {_plural(policy.default_expiry_days, 'day')} "
                "unless you choose a date"
            )
        if policy.max_expiry_days:
            parts.append(f"at most {_plural(policy.max_expiry_days, 'day')} ahead")
        self.policy_note = (
            ("; ".join(parts) + ".") if parts else "Links don't expire unless you choose a date."
        )
        self.web_password_required = policy.web_password_required
        self.may_share = True
        return None

    @rx.event
    def forget_link(self):
        """The dialog closed: nothing of a new link stays in the tab."""
        self._clear_forms()

    @rx.event
    @shows_refusals()
    async def invite(self, form: dict[str, Any]):
        self.invite_error = self.invite_error_field = self.invite_notice = ""
        self.inviting = True
        yield
        try:
            count = await self._call(
                sharing.invite_guests,
                self._page_id(),
                _text(form, "guests", 20_000),
                message=_text(form, "message", 2_000),
                contribute=_text(form, "contribute", 10) == "on",
                password=_text(form, "password", 300),
                expires_at=_text(form, "expires_at", 40),
            )
        except Invalid as error:
            self.invite_error = str(error)
            self.invite_error_field = error.field if error.field in INVITE_FIELDS else "guests"
            return
        finally:
            self.inviting = False
        self.invite_notice = f"{_plural(count, 'guest')} invited: each gets a personal link."
        await self._reload_shares()
        yield rx.set_value("share-guests", "")
        yield rx.set_value("share-guest-message", "")
        yield rx.set_value("share-guest-password", "")
        yield rx.toast.success(f"{_plural(count, 'guest')} invited.")

    @rx.event
    def set_link_kind(self, value: str):
        self.link_kind = "secured" if value == "secured" else "web"
        self.link_error = self.link_error_field = ""

    @rx.event
    @shows_refusals()
    async def create_link(self, form: dict[str, Any]):
        self.link_error = self.link_error_field = ""
        self.new_link_url = self.new_link_kind = ""
        kind = self.link_kind
        try:
            created = await self._call(
                sharing.create_link,
                kind,
                "page",
                self._page_id(),
                password=_text(form, "password", 300) if kind == "web" else "",
                expires_at=_text(form, "expires_at", 40),
            )
        except Invalid as error:
            self.link_error = str(error)
            self.link_error_field = error.field if error.field in LINK_FIELDS else "kind"
            return None
        self.new_link_url = created.url
        self.new_link_kind = sharing.KIND_LABELS.get(kind, "Link")
        await self._reload_shares()
        return [
            rx.set_value("share-link-password", ""),
            rx.scroll_to("share-new-link"),
            rx.toast.success("Link created."),
        ]

    def _listed(self, share_id: str) -> ShareRow | None:
        return next((row for row in self.shares if str(row.id) == share_id), None)

    @rx.event
    @shows_refusals()
    async def set_share_status(self, share_id: str, status: str):
        """Deactivate or reactivate one of the shares the dialog lists (the service
        decides whether this person manages it)."""
        row = self._listed(str(share_id))
        if row is None or status not in ("active", "deactivated"):
            return None
        await self._call(sharing.set_status, [row.id], status)
        await self._reload_shares()
        if status == "active":
            return rx.toast.success("Share reactivated.")
        return rx.toast.success("Share deactivated: its link stops working.")

    @rx.event
    def ask_remove(self, share_id: str, label: str):
        row = self._listed(str(share_id))
        if row is None:
            return
        self.removing_id = str(row.id)
        self.removing_label = str(label)[:200]

    @rx.event
    def cancel_remove(self):
        self.removing_id = self.removing_label = ""

    @rx.event
    @shows_refusals()
    async def confirm_remove(self):
        row = self._listed(self.removing_id)
        self.removing_id = self.removing_label = ""
        if row is None:
            return None
        await self._call(sharing.set_status, [row.id], "removed")
        await self._reload_shares()
        return rx.toast.success("Share removed: its link no longer works.")
