"""People: listing, inviting, roles, activation and one's own profile.

Admins manage people; everyone sees only the people the access layer lets them see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_
from sqlmodel import Session, col, select

from portal_app import access
from portal_app.access import Actor
from portal_app.clock import utcnow
from portal_app.config import get_settings
from portal_app.db import session_scope
from portal_app.errors import Invalid, NotFound
from portal_app.ids import parse_id
from portal_app.models import (
    Invitation,
    Organization,
    OrganizationStaff,
    Role,
    User,
    UserSession,
)
from portal_app.services import audit, auth, mail, passwords, sessions, throttle
from portal_app.services.links import portal_url
from portal_app.services.text import clean_text
from portal_app.services.tokens import new_token, token_hash


def _date(value: datetime | None) -> str:
    return value.strftime("%d %b %Y") if value else ""


def initials(name: str) -> str:
    """Up to two letters for an avatar (e.g. "Ana Trujillo" -> "AT")."""
    parts = [p for p in name.split() if p[:1].isalnum()]
    return "".join(p[0] for p in parts[:2]).upper() or "?"


# The largest id any supported engine stores; a bigger number would make the database
# driver raise (SQLite: OverflowError) instead of the query finding nothing.
def parse_role(value: object) -> Role:
    try:
        return Role(str(value))
    except ValueError as exc:
        raise Invalid("Choose a role: administrator, staff or client.", field="role") from exc


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    email: str
    initials: str
    role: str
    role_label: str
    organization_id: int
    organization_name: str
    active: bool
    last_sign_in: str
    joined: str


def person_row(user: User, org_names: dict[int, str]) -> PersonRow:
    assert user.id is not None
    return PersonRow(
        id=user.id,
        name=user.display_name,
        email=user.email,
        initials=initials(user.display_name),
        role=user.role,
        role_label=access.role_label(user.role),
        organization_id=user.organization_id or 0,
        organization_name=org_names.get(user.organization_id or 0, ""),
        active=user.active,
        last_sign_in=_date(user.last_sign_in_at) or "Never",
        joined=_date(user.created_at),
    )


def organization_names(session: Session) -> dict[int, str]:
    return {org.id: org.name for org in session.exec(select(Organization)) if org.id}


def list_people(
    actor: Actor,
    search: str = "",
    role: str = "",
    organization_id: object = 0,
    status: str = "",
) -> list[PersonRow]:
    """The people ``actor`` may see, filtered; a client never sees another organization."""
    query = select(User).where(access.visible_users_filter(actor))
    # What the browser sent: anything but text searches for nothing in particular.
    search = search.strip().lower()[:100] if isinstance(search, str) else ""
    if search:
        pattern = f"%{search}%"
        query = query.where(
            or_(func.lower(User.display_name).like(pattern), col(User.email).like(pattern))
        )
    if role:
        query = query.where(User.role == parse_role(role))
    if organization_id not in (0, "0", "", None):
        query = query.where(User.organization_id == parse_id(organization_id))
    if status == "active":
        query = query.where(col(User.active).is_(True))
    elif status == "inactive":
        query = query.where(col(User.active).is_(False))
    with session_scope() as session:
        names = organization_names(session)
        users = session.exec(query.order_by(func.lower(User.display_name))).all()
        return [person_row(user, names) for user in users]


@dataclass(frozen=True)
class DirectoryCard:
    """A person as the People directory shows them: only what the card displays (no
    ids, sign-in times or account status travel to a client's browser)."""

    name: str
    email: str
    initials: str
    role: str
    role_label: str
    organization_name: str


def list_directory(actor: Actor, search: str = "") -> list[DirectoryCard]:
    """The People directory: the people ``actor`` may see (``list_people``'s rule)."""
    return [
        DirectoryCard(
            name=row.name,
            email=row.email,
            initials=row.initials,
            role=row.role,
            role_label=row.role_label,
            organization_name=row.organization_name,
        )
        for row in list_people(actor, search)
    ]


def person_to_manage(actor: Actor, user_id: object) -> PersonRow:
    """Administrators only: a person as Settings » People edits them."""
    access.require(access.can_manage_people(actor))
    with session_scope() as session:
        return person_row(_managed_user(session, user_id), organization_names(session))


def get_person(actor: Actor, user_id: object) -> PersonRow:
    uid = parse_id(user_id)
    with session_scope() as session:
        user = session.exec(
            select(User).where(User.id == uid, access.visible_users_filter(actor))
        ).first()
        if user is None:
            raise NotFound()
        return person_row(user, organization_names(session))


# --- invitations -----------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationRow:
    id: int
    email: str
    role_label: str
    organization_name: str
    invited_by: str
    sent: str
    expires: str
    expired: bool


def _check_placement(session: Session, role: Role, organization_id: object) -> int | None:
    """Clients belong to exactly one active organization; staff belong to none."""
    if not access.role_belongs_to_organization(role):
        return None
    if organization_id in (0, "0", "", None):
        raise Invalid(
            "Choose the client organization this person belongs to.", field="organization"
        )
    org = session.get(Organization, parse_id(organization_id))
    if org is None or org.archived:
        raise Invalid("Choose an active client organization.", field="organization")
    return org.id


def _invitation_body(invitation: Invitation, token: str, inviter: str, org: str) -> str:
    name = get_settings().portal_name
    days = get_settings().invitation_days
    where = f" to work with {name} as a member of {org}" if org else f" to {name}"
    lines = [f"Hello,\n\n{inviter} invited you{where}."]
    if invitation.message:
        lines.append(f'\nTheir message:\n"{invitation.message}"')
    lines.append(
        f"\nTo accept, open this link and choose your password (it works once, "
        f"for {days} days):\n\n{portal_url('/invite/' + token)}\n"
    )
    lines.append("\nIf you weren't expecting this, you can ignore this message.\n")
    return "\n".join(lines)


def _send_invitation(session: Session, actor: Actor, invitation: Invitation) -> tuple[str, str]:
    token = new_token()
    invitation.token_hash = token_hash(token)
    invitation.expires_at = utcnow() + timedelta(days=get_settings().invitation_days)
    session.add(invitation)
    org_name = organization_names(session).get(invitation.organization_id or 0, "")
    subject = f"{actor.display_name} invited you to {get_settings().portal_name}"
    return subject, _invitation_body(invitation, token, actor.display_name, org_name)


def invite(
    actor: Actor, email: object, role: object, organization_id: object = 0, message: object = ""
) -> InvitationRow:
    """Admins invite by e-mail; the link is one-time and expires (PORTAL_INVITATION_DAYS)."""
    access.require(access.can_manage_people(actor))
    address = auth.normalize_email(email)
    the_role = parse_role(role)
    note = clean_text(message).strip() if isinstance(message, str) else ""
    if len(note) > 2000:
        raise Invalid("Keep the message under 2,000 characters.", field="message")
    with session_scope() as session:
        org_id = _check_placement(session, the_role, organization_id)
        existing = session.exec(select(User).where(User.email == address)).first()
        if existing is not None and existing.password_hash:
            raise Invalid(
                "This person already has an account. Find them in the list.", field="email"
            )
        now = utcnow()
        for old in session.exec(
            select(Invitation).where(
                Invitation.email == address,
                col(Invitation.accepted_at).is_(None),
                col(Invitation.revoked_at).is_(None),
            )
        ):
            old.revoked_at = now
            session.add(old)
        invitation = Invitation(
            token_hash="",  # set by _send_invitation
            email=address,
            role=the_role,
            organization_id=org_id,
            inviter_id=actor.user_id,
            message=note,
            expires_at=now,
        )
        subject, body = _send_invitation(session, actor, invitation)
        session.flush()
        audit.record(
            session,
            "invitation_sent",
            actor_id=actor.user_id,
            target_type="invitation",
            target_id=invitation.id,
            email=address,
            role=str(the_role),
            organization_id=org_id,
        )
        invitation_id = invitation.id
        mail.queue(address, subject, body, session=session)
    return next(row for row in list_invitations(actor) if row.id == invitation_id)


def list_invitations(actor: Actor) -> list[InvitationRow]:
    """Pending (not accepted, not revoked) invitations, newest first."""
    access.require(access.can_manage_people(actor))
    now = utcnow()
    with session_scope() as session:
        names = organization_names(session)
        users = {u.id: u.display_name for u in session.exec(select(User))}
        rows = session.exec(
            select(Invitation)
            .where(col(Invitation.accepted_at).is_(None), col(Invitation.revoked_at).is_(None))
            .order_by(col(Invitation.id).desc())
        ).all()
        return [
            InvitationRow(
                id=inv.id or 0,
                email=inv.email,
                role_label=access.role_label(inv.role),
                organization_name=names.get(inv.organization_id or 0, ""),
                invited_by=users.get(inv.inviter_id, ""),
                sent=_date(inv.created_at),
                expires=_date(inv.expires_at),
                expired=inv.expires_at <= now,
            )
            for inv in rows
        ]


def _pending_invitation(session: Session, invitation_id: object) -> Invitation:
    invitation = session.get(Invitation, parse_id(invitation_id))
    if invitation is None or invitation.accepted_at or invitation.revoked_at:
        raise NotFound("That invitation was already accepted or revoked.")
    return invitation


def resend_invitation(actor: Actor, invitation_id: object) -> None:
    """A fresh link and expiry; the old link stops working."""
    access.require(access.can_manage_people(actor))
    with session_scope() as session:
        invitation = _pending_invitation(session, invitation_id)
        subject, body = _send_invitation(session, actor, invitation)
        audit.record(
            session,
            "invitation_resent",
            actor_id=actor.user_id,
            target_type="invitation",
            target_id=invitation.id,
        )
        mail.queue(invitation.email, subject, body, session=session)


def revoke_invitation(actor: Actor, invitation_id: object) -> None:
    access.require(access.can_manage_people(actor))
    with session_scope() as session:
        invitation = _pending_invitation(session, invitation_id)
        invitation.revoked_at = utcnow()
        session.add(invitation)
        audit.record(
            session,
            "invitation_revoked",
            actor_id=actor.user_id,
            target_type="invitation",
            target_id=invitation.id,
        )


# --- managing people -------------------------------------------------------------------


def _managed_user(session: Session, user_id: object) -> User:
    user = session.get(User, parse_id(user_id))
    if user is None:
        raise NotFound()
    return user


def _other_active_admins(session: Session, user_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(User)
        .where(access.admin_accounts_filter(), User.id != user_id)
    ).one()


def update_person(actor: Actor, user_id: object, role: object, organization_id: object = 0) -> None:
    """Change someone's role and organization. The last active admin stays an admin."""
    access.require(access.can_manage_people(actor))
    the_role = parse_role(role)
    with session_scope() as session:
        user = _managed_user(session, user_id)
        assert user.id is not None
        org_id = _check_placement(session, the_role, organization_id)
        if (
            access.administers_portal(user)
            and not access.role_administers(the_role)
            and not _other_active_admins(session, user.id)
        ):
            raise Invalid(
                "The portal needs at least one administrator. Make someone else "
                "an administrator first.",
                field="role",
            )
        before = (user.role, user.organization_id)
        user.role = the_role
        user.organization_id = org_id
        session.add(user)
        if access.role_belongs_to_organization(the_role):
            # A client works with no organization as staff: left assigned, they would
            # still be shown to (and counted by) the clients they used to serve.
            session.execute(
                delete(OrganizationStaff).where(col(OrganizationStaff.user_id) == user.id)
            )
        audit.record(
            session,
            "person_updated",
            actor_id=actor.user_id,
            target_type="user",
            target_id=user.id,
            before=list(before),
            after=[str(the_role), org_id],
        )


def set_active(actor: Actor, user_id: object, active: object) -> None:
    """Deactivating signs the person out everywhere at their next action."""
    access.require(access.can_manage_people(actor))
    if not isinstance(active, bool):
        raise Invalid("Choose to activate or deactivate.")
    with session_scope() as session:
        user = _managed_user(session, user_id)
        assert user.id is not None
        if not active and user.id == actor.user_id:
            raise Invalid("You can't deactivate your own account.")
        if (
            not active
            and access.administers_portal(user)
            and not _other_active_admins(session, user.id)
        ):
            raise Invalid("The portal needs at least one active administrator.")
        user.active = active
        session.add(user)
        if not active:
            sessions.close_all_for_user(session, user.id)
        audit.record(
            session,
            "person_activated" if active else "person_deactivated",
            actor_id=actor.user_id,
            target_type="user",
            target_id=user.id,
        )


def send_password_reset(actor: Actor, user_id: object) -> None:
    """An admin starts a reset: the person gets a one-time link; nobody sees a password."""
    access.require(access.can_manage_people(actor))
    with session_scope() as session:
        user = _managed_user(session, user_id)
        if not user.active:
            raise Invalid("Activate this person before resetting their password.")
        token = auth.issue_password_reset(session, user)
        audit.record(
            session,
            "password_reset_sent",
            actor_id=actor.user_id,
            target_type="user",
            target_id=user.id,
        )
        mail.queue(
            user.email,
            f"Reset your {get_settings().portal_name} password",
            auth.reset_mail_body(user, token),
            session=session,
        )


# --- one's own account -----------------------------------------------------------------


def update_own_name(actor: Actor, name: object) -> str:
    access.require(access.has_own_account(actor))
    display_name = auth.check_display_name(name)
    with session_scope() as session:
        user = session.get(User, actor.user_id)
        if user is None:
            raise NotFound()
        user.display_name = display_name
        session.add(user)
    return display_name


def change_own_password(
    actor: Actor, current: object, new: object, *, keep_session_token: str = ""
) -> None:
    """Current password required (wrong guesses count toward the sign-in throttle);
    every other session of this person ends."""
    access.require(access.has_own_account(actor))
    keys = [throttle.account_key(actor.email)]
    with session_scope() as session:
        throttle.check(session, keys, utcnow())
        user = session.get(User, actor.user_id)
        if user is None:
            raise NotFound()
        current_hash = user.password_hash
    if not passwords.verify_password(current, current_hash):
        with session_scope() as session:
            throttle.record(session, keys, succeeded=False, now=utcnow())
        raise Invalid("Your current password isn't right.", field="current_password")
    passwords.check_new_password(new, email=actor.email)
    assert isinstance(new, str)
    new_hash = passwords.hash_password(new)
    with session_scope() as session:
        user = session.get(User, actor.user_id)
        assert user is not None
        user.password_hash = new_hash
        session.add(user)
        keep = token_hash(keep_session_token) if keep_session_token else ""
        for other in session.exec(select(UserSession).where(UserSession.user_id == actor.user_id)):
            if other.token_hash != keep:
                session.delete(other)
        audit.record(
            session,
            "password_changed",
            actor_id=actor.user_id,
            target_type="user",
            target_id=actor.user_id,
        )


def create_admin(email: object, password: object, name: object = "Administrator") -> int:
    """Used by ``portal create-admin``: no actor, run by whoever holds the server."""
    address = auth.normalize_email(email)
    display_name = auth.check_display_name(name)
    passwords.check_new_password(password, email=address)
    assert isinstance(password, str)
    password_hash = passwords.hash_password(password)
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == address)).first()
        if user is None:
            user = User(email=address, display_name=display_name)
        user.role = access.ADMIN_ROLE
        user.organization_id = None
        user.active = True
        user.password_hash = password_hash
        session.add(user)
        session.flush()
        assert user.id is not None
        audit.record(session, "admin_created", actor_id=None, target_type="user", target_id=user.id)
        return user.id


def any_admin_exists() -> bool:
    with session_scope() as session:
        return (
            session.exec(select(User.id).where(access.admin_accounts_filter())).first() is not None
        )
