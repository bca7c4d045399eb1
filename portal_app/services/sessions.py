"""Server-side sign-in sessions.

The browser holds an opaque 256-bit token in an HttpOnly cookie; the database holds its
SHA-256. A session ends at its idle timeout, its absolute lifetime, on sign-out, or
when its person is deactivated.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from portal_app.access import Actor, actor_for, has_own_account, is_guest_account, require
from portal_app.clock import utcnow
from portal_app.config import get_settings
from portal_app.db import session_scope
from portal_app.models import User, UserSession
from portal_app.services import live, sharing
from portal_app.services.tokens import new_token, token_hash

COOKIE_NAME = "portal_session"
# Writing last_seen on every event would make each click a write; a minute is plenty.
_TOUCH_EVERY = timedelta(seconds=60)


def open_session(session: Session, user: User, *, ip: str = "", user_agent: str = "") -> str:
    """Create a session for ``user`` in the caller's unit of work; return the token."""
    settings = get_settings()
    now = utcnow()
    token = new_token()
    assert user.id is not None
    session.add(
        UserSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            idle_expires_at=now + timedelta(minutes=settings.session_idle_minutes),
            expires_at=now + timedelta(hours=settings.session_max_hours),
            ip=ip[:64],
            user_agent=user_agent[:300],
        )
    )
    user.last_sign_in_at = now
    session.add(user)
    return token


def resolve(token: str | None, *, touch: bool = True) -> Actor | None:
    """The person a session token signs in, or None when it is unknown or has ended.

    ``touch=False`` checks without counting as activity: an open tab watching for
    updates must not keep an idle session alive."""
    if not token or len(token) > 200:
        return None
    if token.startswith(sharing.GUEST_COOKIE_PREFIX):
        return sharing.resolve_guest(token)
    now = utcnow()
    with session_scope() as session:
        row = session.exec(
            select(UserSession, User)
            .join(User, col(User.id) == UserSession.user_id)
            .where(UserSession.token_hash == token_hash(token))
        ).first()
        if row is None:
            return None
        user_session, user = row
        if (
            not user.active
            or is_guest_account(user)
            or now >= user_session.expires_at
            or now >= user_session.idle_expires_at
        ):
            session.delete(user_session)
            return None
        if touch and now - user_session.last_seen_at >= _TOUCH_EVERY:
            idle = timedelta(minutes=get_settings().session_idle_minutes)
            user_session.last_seen_at = now
            user_session.idle_expires_at = min(now + idle, user_session.expires_at)
            session.add(user_session)
        return actor_for(user)


def close(token: str | None) -> None:
    if not token:
        return
    if token.startswith(sharing.GUEST_COOKIE_PREFIX):
        sharing.close_guest(token)
        return
    with session_scope() as session:
        user_id = session.exec(
            select(UserSession.user_id).where(UserSession.token_hash == token_hash(token))
        ).first()
        session.execute(delete(UserSession).where(col(UserSession.token_hash) == token_hash(token)))
        if user_id is not None:
            # The person's other open tabs on this session see it end at once.
            live.touch(session, live.person_topic(user_id))


def close_all_for_user(session: Session, user_id: int) -> int:
    """End every session of ``user_id`` (sign-out everywhere, deactivation, a password
    reset); their open tabs, on any worker, are sent to the sign-in page."""
    result = session.execute(delete(UserSession).where(col(UserSession.user_id) == user_id))
    live.touch(session, live.person_topic(user_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def sign_out_everywhere(actor: Actor) -> int:
    require(has_own_account(actor))
    with session_scope() as session:
        return close_all_for_user(session, actor.user_id)
