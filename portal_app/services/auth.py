"""Signing in, accepting invitations and resetting forgotten passwords.

Every answer to an outsider is the same whether or not an address exists.
Slow (bcrypt): call these off the event loop.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from portal_app import access
from portal_app.clock import utcnow
from portal_app.config import get_settings
from portal_app.db import session_scope
from portal_app.errors import Invalid, NotFound
from portal_app.models import Invitation, Organization, PasswordReset, User
from portal_app.services import audit, mail, passwords, sessions, throttle
from portal_app.services.links import portal_url
from portal_app.services.text import clean_line
from portal_app.services.tokens import new_token, token_hash

SIGN_IN_FAILED = "That e-mail and password don't match an account. Check them and try again."
RESET_REQUESTS_PER_HOUR = 3


def normalize_email(email: object) -> str:
    if not isinstance(email, str):
        raise Invalid("Enter your e-mail address.", field="email")
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if (
        not local
        or "." not in domain
        or len(email) > 254
        or clean_line(email) != email
        or any(ch in ' <>()[]\\,;:"' for ch in email)
    ):
        raise Invalid("Enter a valid e-mail address, like name@example.com.", field="email")
    return email


@dataclass(frozen=True)
class SignedIn:
    token: str
    user_id: int


def sign_in(email: object, password: object, *, ip: str, user_agent: str = "") -> SignedIn:
    """Check a password, counting failures per account and per address (see throttle)."""
    address = email.strip().lower() if isinstance(email, str) else ""
    keys = [throttle.account_key(address), throttle.address_key(ip)]
    with session_scope() as session:
        throttle.check(session, keys, utcnow())
        user = session.exec(select(User).where(User.email == address)).first() if address else None

    ok = passwords.verify_password(password, user.password_hash if user else None)
    ok = ok and user is not None and user.active

    with session_scope() as session:
        now = utcnow()
        throttle.record(session, keys, succeeded=ok, now=now)
        if not ok or user is None:
            audit.record(session, "sign_in_failed", actor_id=None, ip=ip, email=address[:254])
        else:
            user = session.get(User, user.id)
            assert user is not None and user.id is not None
            token = sessions.open_session(session, user, ip=ip, user_agent=user_agent)
            audit.record(
                session, "sign_in", actor_id=user.id, target_type="user", target_id=user.id, ip=ip
            )
            return SignedIn(token=token, user_id=user.id)
    with session_scope() as session:
        # The failure just recorded may be the one that starts the wait: say so now.
        throttle.check(session, keys, utcnow())
    raise Invalid(SIGN_IN_FAILED)


# --- invitations -----------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationView:
    email: str
    organization_name: str
    inviter_name: str
    message: str


def _open_invitation(session: Session, token: object) -> Invitation:
    if not isinstance(token, str) or not token or len(token) > 200:
        raise NotFound(_INVITATION_GONE)
    invitation = session.exec(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    ).first()
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= utcnow()
    ):
        raise NotFound(_INVITATION_GONE)
    return invitation


_INVITATION_GONE = (
    "This invitation link has expired or was already used. "
    "Ask the person who invited you to send a new one."
)


def describe_invitation(token: object) -> InvitationView:
    with session_scope() as session:
        invitation = _open_invitation(session, token)
        org = (
            session.get(Organization, invitation.organization_id)
            if invitation.organization_id
            else None
        )
        inviter = session.get(User, invitation.inviter_id) if invitation.inviter_id else None
        return InvitationView(
            email=invitation.email,
            organization_name=org.name if org else "",
            inviter_name=inviter.display_name if inviter else "",
            message=invitation.message,
        )


def check_display_name(name: object) -> str:
    name = clean_line(name) if isinstance(name, str) else ""
    if not name:
        raise Invalid("Enter your name.", field="name")
    if len(name) > 120:
        raise Invalid("Use at most 120 characters.", field="name")
    return name


def accept_invitation(
    token: object, name: object, password: object, *, ip: str, user_agent: str = ""
) -> SignedIn:
    """Create the invited account (or activate an existing one) and sign it in."""
    display_name = check_display_name(name)
    with session_scope() as session:
        email = _open_invitation(session, token).email
    passwords.check_new_password(password, email=email)
    assert isinstance(password, str)
    password_hash = passwords.hash_password(password)

    with session_scope() as session:
        invitation = _open_invitation(session, token)
        user = session.exec(select(User).where(User.email == invitation.email)).first()
        if user is not None and user.password_hash:
            # Someone made this account after the invitation went out: never let an
            # invitation overwrite an existing person's password or role.
            raise Invalid(
                "This e-mail address already has an account. Sign in instead, "
                "or use “Forgot your password?”."
            )
        if user is None:
            user = User(email=invitation.email, display_name=display_name, role=invitation.role)
        user.display_name = display_name
        user.role = invitation.role
        user.organization_id = invitation.organization_id
        user.password_hash = password_hash
        user.active = True
        session.add(user)
        invitation.accepted_at = utcnow()
        session.add(invitation)
        session.flush()
        assert user.id is not None
        token_value = sessions.open_session(session, user, ip=ip, user_agent=user_agent)
        audit.record(
            session,
            "invitation_accepted",
            actor_id=user.id,
            target_type="user",
            target_id=user.id,
            ip=ip,
        )
        return SignedIn(token=token_value, user_id=user.id)


# --- forgotten passwords ---------------------------------------------------------------

_RESET_GONE = "This reset link has expired or was already used. Ask for a new one below."


def issue_password_reset(session: Session, user: User) -> str:
    """Create a one-time reset token for ``user`` (caller commits); return the token."""
    assert user.id is not None
    token = new_token()
    minutes = get_settings().password_reset_minutes
    session.add(
        PasswordReset(
            token_hash=token_hash(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(minutes=minutes),
        )
    )
    return token


def reset_mail_body(user: User, token: str) -> str:
    name = get_settings().portal_name
    minutes = get_settings().password_reset_minutes
    return (
        f"Hello {user.display_name},\n\n"
        f"Someone asked to reset the password of your {name} account. "
        f"To choose a new password, open this link within {minutes} minutes:\n\n"
        f"{portal_url('/reset/' + token)}\n\n"
        "If you didn't ask for this, ignore this message: your password stays as it is.\n"
    )


def request_password_reset(email: object, *, ip: str) -> None:
    """Mail a reset link if the address has an active account. Says nothing either way,
    and sends at most a few per address per hour."""
    try:
        address = normalize_email(email)
    except Invalid:
        return
    started = time.monotonic()
    now = utcnow()
    with session_scope() as session:
        key = f"reset:{address}"
        if throttle.count_recent(session, key, now, timedelta(hours=1)) >= RESET_REQUESTS_PER_HOUR:
            return
        throttle.record(session, [key], succeeded=False, now=now)
        user = session.exec(select(User).where(User.email == address)).first()
        if user is None or not user.active or access.is_guest_account(user):
            audit.record(session, "password_reset_unknown", actor_id=None, ip=ip)
        else:
            token = issue_password_reset(session, user)
            audit.record(
                session,
                "password_reset_requested",
                actor_id=None,
                target_type="user",
                target_id=user.id,
                ip=ip,
            )
            mail.queue(
                user.email,
                f"Reset your {get_settings().portal_name} password",
                reset_mail_body(user, token),
                session=session,
            )
    # Keep both answers about equally slow (a sent mail vs. none).
    elapsed = time.monotonic() - started
    if elapsed < 0.2:
        time.sleep(0.2 - elapsed)


def _open_reset(session: Session, token: object) -> PasswordReset:
    if not isinstance(token, str) or not token or len(token) > 200:
        raise NotFound(_RESET_GONE)
    reset = session.exec(
        select(PasswordReset).where(PasswordReset.token_hash == token_hash(token))
    ).first()
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        raise NotFound(_RESET_GONE)
    return reset


def describe_password_reset(token: object) -> str:
    """The e-mail address a valid reset link is for."""
    with session_scope() as session:
        reset = _open_reset(session, token)
        user = session.get(User, reset.user_id)
        if user is None or not user.active:
            raise NotFound(_RESET_GONE)
        return user.email


def complete_password_reset(
    token: object, password: object, *, ip: str, user_agent: str = ""
) -> SignedIn:
    """Set the new password, end every other session, and sign in."""
    email = describe_password_reset(token)
    passwords.check_new_password(password, email=email)
    assert isinstance(password, str)
    password_hash = passwords.hash_password(password)
    with session_scope() as session:
        reset = _open_reset(session, token)
        user = session.get(User, reset.user_id)
        if user is None or not user.active:
            raise NotFound(_RESET_GONE)
        assert user.id is not None
        user.password_hash = password_hash
        reset.used_at = utcnow()
        session.add(reset)
        # Other outstanding reset links die with this one.
        for other in session.exec(
            select(PasswordReset).where(
                PasswordReset.user_id == user.id, col(PasswordReset.used_at).is_(None)
            )
        ):
            other.used_at = reset.used_at
            session.add(other)
        sessions.close_all_for_user(session, user.id)
        token_value = sessions.open_session(session, user, ip=ip, user_agent=user_agent)
        audit.record(
            session,
            "password_reset",
            actor_id=user.id,
            target_type="user",
            target_id=user.id,
            ip=ip,
        )
        return SignedIn(token=token_value, user_id=user.id)
