"""Who sees a page: all staff or chosen staff, and which client organizations and
limited users, each view-only or may-contribute."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import col, select

from portal_app import access
from portal_app.access import Actor
from portal_app.db import session_scope
from portal_app.errors import Invalid
from portal_app.ids import parse_id
from portal_app.models import Organization, PageGrant, PageStaffAccess, User
from portal_app.services import audit

LEVELS = ("view", "contribute")


@dataclass(frozen=True)
class GrantRow:
    kind: str  # "organization" or "person"
    id: int
    name: str
    level: str


@dataclass(frozen=True)
class Permissions:
    staff_access: str
    staff_ids: list[int]
    grants: list[GrantRow]


def get_permissions(actor: Actor, page_id: object) -> Permissions:
    with session_scope() as session:
        page = access.access_page(session, actor, page_id, access.EDIT)
        staff_ids = list(
            session.exec(
                select(PageStaffAccess.user_id).where(PageStaffAccess.page_id == page.id)
            ).all()
        )
        grants = []
        for grant in session.exec(select(PageGrant).where(PageGrant.page_id == page.id)):
            if grant.organization_id:
                org = session.get(Organization, grant.organization_id)
                grants.append(
                    GrantRow(
                        "organization", grant.organization_id, org.name if org else "", grant.level
                    )
                )
            elif grant.user_id:
                user = session.get(User, grant.user_id)
                grants.append(
                    GrantRow(
                        "person", grant.user_id, user.display_name if user else "", grant.level
                    )
                )
        return Permissions(
            staff_access=page.staff_access,
            staff_ids=staff_ids,
            grants=sorted(grants, key=lambda g: (g.kind, g.name.lower())),
        )


def set_permissions(
    actor: Actor, page_id: object, staff_access: object, staff_ids: object, grants: object
) -> None:
    """Who sees the page: all staff or chosen staff; which client organizations and
    limited users, each view-only or may-contribute."""
    if staff_access not in ("all", "restricted"):
        raise Invalid("Choose who among staff can see this page.")
    if not isinstance(staff_ids, list) or not isinstance(grants, list) or len(grants) > 500:
        raise Invalid("These permissions could not be read.")
    with session_scope() as session:
        page = access.access_page(session, actor, page_id, access.EDIT)
        assert page.id is not None
        chosen_staff = set()
        for raw in staff_ids:
            user = session.get(User, parse_id(raw))
            if user is None or not access.works_for_firm(user):
                raise Invalid("Only staff members can be chosen here.")
            chosen_staff.add(user.id)
        if staff_access == "restricted" and not access.sees_every_page(actor):
            chosen_staff.add(actor.user_id)  # don't lock yourself out of your own page
        rows: list[PageGrant] = []
        seen: set[tuple[str, int]] = set()
        for grant in grants:
            if not isinstance(grant, dict) or grant.get("level") not in LEVELS:
                raise Invalid("Choose view or contribute for each grant.")
            kind, target = grant.get("kind"), parse_id(grant.get("id"))
            if (kind, target) in seen:
                continue
            seen.add((str(kind), target))
            if kind == "organization":
                org = session.get(Organization, target)
                if org is None or org.archived:
                    raise Invalid("One of the organizations no longer exists.")
                rows.append(
                    PageGrant(page_id=page.id, organization_id=target, level=grant["level"])
                )
            elif kind == "person":
                user = session.get(User, target)
                if user is None or not access.is_client_account(user):
                    raise Invalid("Pages are shared with clients; staff see pages by staff access.")
                rows.append(PageGrant(page_id=page.id, user_id=target, level=grant["level"]))
            else:
                raise Invalid("These permissions could not be read.")
        page.staff_access = str(staff_access)
        session.add(page)
        session.execute(delete(PageStaffAccess).where(col(PageStaffAccess.page_id) == page.id))
        session.execute(delete(PageGrant).where(col(PageGrant.page_id) == page.id))
        for user_id in chosen_staff:
            session.add(PageStaffAccess(page_id=page.id, user_id=user_id))
        for row in rows:
            session.add(row)
        audit.record(
            session,
            "page_permissions_changed",
            actor_id=actor.user_id,
            target_type="page",
            target_id=page.id,
            staff_access=staff_access,
            grants=[(r.organization_id, r.user_id, r.level) for r in rows],
        )
