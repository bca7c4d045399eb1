"""Sign-in throttling, per account and per client address.

An account counts its failures; an address counts the different accounts that failed
from it (its latest failure on each). After 5 in 30 minutes each further try must wait
(30 s, doubling each time); after 10 the key is locked until the oldest of those 10
leaves the 30-minute window.

So guessing one person's password locks that account, not everyone who shares the
guesser's address (an office behind one router, a café): their colleagues still sign
in. Trying many accounts from one address (password spraying) slows and then locks the
address. A success clears an account's count, not an address's: signing in to one's
own account must not reset the count of someone guessing other accounts from the same
address. Tries refused while waiting are not counted, so a lock always lifts.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from portal_app.errors import Throttled
from portal_app.models import LoginAttempt

WINDOW = timedelta(minutes=30)
SLOW_AFTER = 5
LOCK_AFTER = 10
FIRST_DELAY_SECONDS = 30


def account_key(email: str) -> str:
    return f"account:{email.strip().lower()[:254]}"


def address_key(ip: str) -> str:
    return f"ip:{ip[:64]}"


def _recent_failures(session: Session, key: str, now: datetime) -> list[datetime]:
    since = now - WINDOW
    if key.startswith("ip:"):
        return _accounts_failed_since(session, key, since)
    last_success = session.exec(
        select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.key == key, col(LoginAttempt.succeeded).is_(True)
        )
    ).one()
    if last_success is not None and last_success > since:
        since = last_success
    return _failures_since(session, key, since)


def _failures_since(session: Session, key: str, since: datetime) -> list[datetime]:
    rows = session.exec(
        select(LoginAttempt.attempted_at)
        .where(
            LoginAttempt.key == key,
            col(LoginAttempt.succeeded).is_(False),
            LoginAttempt.attempted_at > since,
        )
        .order_by(col(LoginAttempt.attempted_at).desc())
        .limit(LOCK_AFTER)
    ).all()
    return list(rows)


def _accounts_failed_since(session: Session, key: str, since: datetime) -> list[datetime]:
    """An address's latest failure on each account tried from it, newest first."""
    latest = func.max(LoginAttempt.attempted_at)
    rows = session.exec(
        select(latest)
        .where(
            LoginAttempt.key == key,
            col(LoginAttempt.succeeded).is_(False),
            LoginAttempt.attempted_at > since,
        )
        .group_by(LoginAttempt.account)
        .order_by(latest.desc())
        .limit(LOCK_AFTER)
    ).all()
    return list(rows)


def wait_seconds(session: Session, key: str, now: datetime) -> int:
    """How long ``key`` must wait before its next try (0: may try now)."""
    failures = _recent_failures(session, key, now)
    count = len(failures)
    if count >= LOCK_AFTER:
        unlock_at = failures[LOCK_AFTER - 1] + WINDOW
    elif count >= SLOW_AFTER:
        delay = FIRST_DELAY_SECONDS * 2 ** (count - SLOW_AFTER)
        unlock_at = failures[0] + timedelta(seconds=delay)
    else:
        return 0
    remaining = (unlock_at - now).total_seconds()
    return max(0, int(remaining + 0.999))


def check(session: Session, keys: list[str], now: datetime) -> None:
    """Raise ``Throttled`` when any key must still wait."""
    wait = max(wait_seconds(session, key, now) for key in keys)
    if wait > 0:
        raise Throttled(wait)


def record(session: Session, keys: list[str], *, succeeded: bool, now: datetime) -> None:
    """One attempt under each key; an address's row names the account tried (the
    ``account:`` key among ``keys``)."""
    account = next((key for key in keys if key.startswith("account:")), "")
    for key in keys:
        session.add(
            LoginAttempt(
                key=key,
                attempted_at=now,
                succeeded=succeeded,
                account=account if key.startswith("ip:") else "",
            )
        )
    session.execute(
        delete(LoginAttempt).where(col(LoginAttempt.attempted_at) < now - timedelta(days=1))
    )


def count_recent(session: Session, key: str, now: datetime, within: timedelta) -> int:
    return session.exec(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.key == key, LoginAttempt.attempted_at > now - within)
    ).one()
