"""The one place that decides access.

Two kinds of answer: "may this actor do this?" (``can_*`` / ``require``) and "which rows
may this actor see?" (``*_filter``, SQL expressions services add to their queries).
Services call these on every operation; pages and states never decide access.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true

from portal_app.models import Organization, OrganizationStaff, Role, User
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
