"""Client organizations: the companies the firm works for, and who works with them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from portal_app import access
from portal_app.access import Actor
from portal_app.db import session_scope
from portal_app.errors import Invalid, NotFound
from portal_app.ids import parse_id
from portal_app.models import Organization, OrganizationStaff, User
from portal_app.services import audit
from portal_app.services.people import PersonRow, organization_names, person_row
from portal_app.services.text import clean_line


@dataclass(frozen=True)
class OrganizationRow:
    id: int
    name: str
    archived: bool
    member_count: int
    staff_count: int
    created: str


@dataclass(frozen=True)
class OrganizationChoice:
    id: int
    name: str


def check_name(name: object) -> str:
    name = clean_line(name) if isinstance(name, str) else ""
    if not name:
        raise Invalid("Enter the organization's name.", field="name")
    if len(name) > 200:
        raise Invalid("Use at most 200 characters.", field="name")
    return name


def _row(session: Session, org: Organization) -> OrganizationRow:
    members = session.exec(
        select(func.count()).select_from(User).where(User.organization_id == org.id)
    ).one()
    staff = session.exec(
        select(func.count())
        .select_from(OrganizationStaff)
        .where(OrganizationStaff.organization_id == org.id)
    ).one()
    return OrganizationRow(
        id=org.id or 0,
        name=org.name,
        archived=org.archived,
        member_count=members,
        staff_count=staff,
        created=org.created_at.strftime("%d %b %Y"),
    )


def list_organizations(
    actor: Actor, search: str = "", include_archived: bool = False
) -> list[OrganizationRow]:
    query = select(Organization).where(access.visible_organizations_filter(actor))
    if not include_archived:
        query = query.where(col(Organization.archived).is_(False))
    search = search.strip().lower()[:100] if isinstance(search, str) else ""
    if search:
        query = query.where(func.lower(Organization.name).like(f"%{search}%"))
    with session_scope() as session:
        orgs = session.exec(query.order_by(func.lower(Organization.name))).all()
        return [_row(session, org) for org in orgs]


def managed_organizations(
    actor: Actor, search: str = "", include_archived: bool = False
) -> list[OrganizationRow]:
    """Settings » Clients: administrators only."""
    access.require(access.can_manage_organizations(actor))
    return list_organizations(actor, search, include_archived)


def organization_choices(actor: Actor) -> list[OrganizationChoice]:
    """Active organizations, for pickers."""
    return [OrganizationChoice(id=row.id, name=row.name) for row in list_organizations(actor)]


def _visible(session: Session, actor: Actor, organization_id: object) -> Organization:
    org = session.exec(
        select(Organization).where(
            Organization.id == parse_id(organization_id),
            access.visible_organizations_filter(actor),
        )
    ).first()
    if org is None:
        raise NotFound()
    return org


@dataclass(frozen=True)
class OrganizationDetail:
    organization: OrganizationRow
    members: list[PersonRow]
    staff: list[PersonRow]


def get_organization(actor: Actor, organization_id: object) -> OrganizationDetail:
    with session_scope() as session:
        org = _visible(session, actor, organization_id)
        names = organization_names(session)
        members = session.exec(
            select(User)
            .where(User.organization_id == org.id, access.visible_users_filter(actor))
            .order_by(func.lower(User.display_name))
        ).all()
        staff = session.exec(
            select(User)
            .join(OrganizationStaff, col(OrganizationStaff.user_id) == User.id)
            .where(OrganizationStaff.organization_id == org.id, access.visible_users_filter(actor))
            .order_by(func.lower(User.display_name))
        ).all()
        return OrganizationDetail(
            organization=_row(session, org),
            members=[person_row(u, names) for u in members],
            staff=[person_row(u, names) for u in staff],
        )


def organization_to_manage(actor: Actor, organization_id: object) -> OrganizationRow:
    """Administrators only: an organization as the rename and archive dialogs show it."""
    access.require(access.can_manage_organizations(actor))
    with session_scope() as session:
        org = session.get(Organization, parse_id(organization_id))
        if org is None:
            raise NotFound()
        return _row(session, org)


def create_organization(actor: Actor, name: object) -> OrganizationRow:
    access.require(access.can_manage_organizations(actor))
    clean = check_name(name)
    with session_scope() as session:
        if session.exec(
            select(Organization).where(func.lower(Organization.name) == clean.lower())
        ).first():
            raise Invalid("An organization with this name already exists.", field="name")
        org = Organization(name=clean)
        session.add(org)
        session.flush()
        audit.record(
            session,
            "organization_created",
            actor_id=actor.user_id,
            target_type="organization",
            target_id=org.id,
            name=clean,
        )
        return _row(session, org)


def rename_organization(actor: Actor, organization_id: object, name: object) -> None:
    access.require(access.can_manage_organizations(actor))
    clean = check_name(name)
    with session_scope() as session:
        org = _visible(session, actor, organization_id)
        clash = session.exec(
            select(Organization).where(
                func.lower(Organization.name) == clean.lower(), Organization.id != org.id
            )
        ).first()
        if clash:
            raise Invalid("An organization with this name already exists.", field="name")
        audit.record(
            session,
            "organization_renamed",
            actor_id=actor.user_id,
            target_type="organization",
            target_id=org.id,
            before=org.name,
            after=clean,
        )
        org.name = clean
        session.add(org)


def set_archived(actor: Actor, organization_id: object, archived: object) -> None:
    """Archived organizations drop out of pickers and lists; their members keep access
    until deactivated (archiving is bookkeeping, deactivating people is the lock)."""
    access.require(access.can_manage_organizations(actor))
    if not isinstance(archived, bool):
        raise Invalid("Choose to archive or restore.")
    with session_scope() as session:
        org = _visible(session, actor, organization_id)
        org.archived = archived
        session.add(org)
        audit.record(
            session,
            "organization_archived" if archived else "organization_restored",
            actor_id=actor.user_id,
            target_type="organization",
            target_id=org.id,
        )


def assign_staff(actor: Actor, organization_id: object, user_id: object, assigned: object) -> None:
    """Staff assigned to an organization are the firm's people its clients see."""
    access.require(access.can_manage_organizations(actor))
    if not isinstance(assigned, bool):
        raise Invalid("Choose to assign or unassign.")
    with session_scope() as session:
        org = _visible(session, actor, organization_id)
        user = session.get(User, parse_id(user_id))
        if user is None or not access.works_for_firm(user):
            raise Invalid("Only staff members can be assigned to a client.")
        link = session.get(OrganizationStaff, (org.id, user.id))
        if assigned and link is None:
            session.add(OrganizationStaff(organization_id=org.id or 0, user_id=user.id or 0))
        elif not assigned and link is not None:
            session.delete(link)
        audit.record(
            session,
            "staff_assigned" if assigned else "staff_unassigned",
            actor_id=actor.user_id,
            target_type="organization",
            target_id=org.id,
            user_id=user.id,
        )


def staff_choices(actor: Actor) -> list[PersonRow]:
    access.require(access.can_manage_organizations(actor))
    with session_scope() as session:
        names = organization_names(session)
        users = session.exec(
            select(User)
            .where(access.staff_accounts_filter())
            .order_by(func.lower(User.display_name))
        ).all()
        return [person_row(u, names) for u in users]
