"""Which people and client organizations an actor may see (query filters)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true

from portal_app.access.actors import GUEST, STAFF_ROLES, Actor
from portal_app.models import Organization, OrganizationStaff, User


def visible_users_filter(actor: Actor) -> ColumnElement[bool]:
    """Staff see everyone. A client sees themself, their organization's members and the
    staff assigned to their organization: never anyone of another organization. A
    guest sees no one."""
    if actor.is_staff:
        # Guests' accounts exist only to sign what they write: not people to list.
        return User.role != GUEST  # type: ignore[return-value]
    if actor.is_guest:
        return false()
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
        & User.role.in_(STAFF_ROLES),  # type: ignore[attr-defined]
    )


def visible_organizations_filter(actor: Actor) -> ColumnElement[bool]:
    if actor.is_staff:
        return true()
    if actor.organization_id is None or actor.is_guest:
        return false()
    return Organization.id == actor.organization_id


def staff_accounts_filter() -> ColumnElement[bool]:
    """Active firm people (staff and administrators): who may be assigned or chosen."""
    return User.role.in_(STAFF_ROLES) & User.active  # type: ignore[attr-defined]
