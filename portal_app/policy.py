"""The one place that decides access.

Two kinds of answer: "may this actor do this?" (``can_*`` / ``require``) and "which rows
may this actor see?" (``*_filter``, SQL expressions services add to their queries).
Services call these on every operation; pages and states never decide access.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlmodel import col

from portal_app.models import (
    Organization,
    OrganizationStaff,
    Page,
    PageGrant,
    PageStaffAccess,
    Role,
    User,
)
from portal_app.services.errors import Forbidden


@dataclass(frozen=True)
class Actor:
    """The signed-in person an operation runs as (built from the server-side session)."""

    user_id: int
    role: str
    organization_id: int | None
    email: str
    display_name: str

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_staff(self) -> bool:
        """Admins and regular staff: the firm's own people."""
        return self.role in (Role.ADMIN, Role.STAFF)

    @property
    def is_limited(self) -> bool:
        return self.role == Role.LIMITED


def actor_for(user: User) -> Actor:
    assert user.id is not None
    return Actor(
        user_id=user.id,
        role=user.role,
        organization_id=user.organization_id,
        email=user.email,
        display_name=user.display_name,
    )


def require(allowed: bool, message: str = "You don't have permission to do that.") -> None:
    if not allowed:
        raise Forbidden(message)


# --- people and organizations ---------------------------------------------------------


def can_manage_people(actor: Actor) -> bool:
    return actor.is_admin


def can_manage_organizations(actor: Actor) -> bool:
    return actor.is_admin


def can_view_outbox(actor: Actor) -> bool:
    return actor.is_admin


def can_open_settings(actor: Actor) -> bool:
    return actor.is_admin


def visible_users_filter(actor: Actor) -> ColumnElement[bool]:
    """Staff see everyone. A client sees themself, their organization's members and the
    staff assigned to their organization: never anyone of another organization."""
    if actor.is_staff:
        return true()
    if actor.organization_id is None:
        return User.id == actor.user_id
    assigned_staff = select(OrganizationStaff.user_id).where(
        OrganizationStaff.organization_id == actor.organization_id
    )
    return or_(
        User.id == actor.user_id,
        (User.organization_id == actor.organization_id) & User.active,
        # Only people who are still staff: a stale assignment must not show a client.
        User.id.in_(assigned_staff)  # type: ignore[union-attr]
        & User.active
        & User.role.in_([Role.ADMIN, Role.STAFF]),  # type: ignore[attr-defined]
    )


def visible_organizations_filter(actor: Actor) -> ColumnElement[bool]:
    if actor.is_staff:
        return true()
    if actor.organization_id is None:
        return false()
    return Organization.id == actor.organization_id


# --- pages ---------------------------------------------------------------------------


def can_create_pages(actor: Actor) -> bool:
    return actor.is_staff


def visible_pages_filter(actor: Actor) -> ColumnElement[bool]:
    """Pages ``actor`` may open. Admins: all. Staff: pages open to all staff and those
    they are listed on. Clients: published pages only — the home page, their
    organization's own home page, and pages granted to them or their organization."""
    live = col(Page.archived).is_(False)
    if actor.is_admin:
        return live
    if actor.is_staff:
        listed = select(PageStaffAccess.page_id).where(PageStaffAccess.user_id == actor.user_id)
        return live & or_(Page.staff_access == "all", col(Page.id).in_(listed))
    granted = select(PageGrant.page_id).where(
        or_(
            PageGrant.user_id == actor.user_id,
            (PageGrant.organization_id == actor.organization_id)
            if actor.organization_id is not None
            else false(),
        )
    )
    global_home = col(Page.is_home).is_(True)
    own_home = (
        Page.home_organization_id == actor.organization_id
        if actor.organization_id is not None
        else false()
    )
    published = col(Page.published_version).is_not(None)
    return live & published & or_(col(Page.id).in_(granted), global_home, own_home)


def can_edit_pages(actor: Actor) -> bool:
    """Staff edit the pages they can see; clients never edit."""
    return actor.is_staff


def contribute_filter(actor: Actor, page_id: int) -> ColumnElement[bool]:
    """For a client: a grant on ``page_id`` with level "contribute" (to them or their
    organization). Staff may always contribute to pages they see."""
    return (
        (PageGrant.page_id == page_id)
        & (PageGrant.level == "contribute")
        & or_(
            PageGrant.user_id == actor.user_id,
            (PageGrant.organization_id == actor.organization_id)
            if actor.organization_id is not None
            else false(),
        )
    )


def sees_content_of(
    reader: Actor, author_id: int, author_role: str, author_organization_id: int | None
) -> bool:
    """Whether ``reader`` may read what a person added to a page (a comment, a thread they
    started). A page may be shared with several client organizations: a client reads
    only what staff, they themself and their own organization's people wrote."""
    if reader.is_staff or author_role in (Role.ADMIN, Role.STAFF) or author_id == reader.user_id:
        return True
    return reader.organization_id is not None and author_organization_id == reader.organization_id
