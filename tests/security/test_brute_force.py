"""Guessing passwords and one-time links.

- Guessing one person's password locks that account, not the people who share the
  guesser's address (an office, a café) nor anyone elsewhere.
- Trying many accounts from one address still slows, then locks, that address.
- Reset and invitation links carry 256 random bits and are looked up by their SHA-256:
  guessing one is infeasible (2**256 candidates), and a wrong guess costs a hash and an
  indexed lookup, never a bcrypt, so guessing can't tie the server up either. No
  throttle is needed for them (the reset *request* is limited per address already).
- Share passwords don't exist yet (sharing comes in a later issue).

Every case goes to the ledger (suite "brute-force"); the same over HTTP is in
tests/e2e/test_brute_force_http.py.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest

from portal_app.clock import utcnow
from portal_app.db import session_scope
from portal_app.errors import NotFound, Throttled
from portal_app.models import Invitation, PasswordReset, User
from portal_app.services import auth, people, throttle
from portal_app.services.tokens import new_token, token_hash
from tests.support import ledger

SUITE = "brute-force"
OFFICE = "203.0.113.10"
ELSEWHERE = "198.51.100.77"


def failures_on_record(count: int, email: str, ip: str = OFFICE) -> None:
    """``count`` failed tries of ``email`` from ``ip`` in the last minute (a real try
    costs a bcrypt check; the throttle only reads these rows)."""
    keys = [throttle.account_key(email), throttle.address_key(ip)]
    with session_scope() as session:
        for n in range(count):
            at = utcnow() - timedelta(minutes=1) + timedelta(seconds=n)
            throttle.record(session, keys, succeeded=False, now=at)


def test_guessing_one_password_locks_that_account_and_nobody_else(world):
    failures_on_record(9, "ana@northwind.example")
    with pytest.raises(Throttled):
        auth.sign_in("ana@northwind.example", "tenth guess, wrong", ip=OFFICE)
    # Ana's account is locked, from anywhere, even with her real password...
    for ip in (OFFICE, ELSEWHERE):
        with pytest.raises(Throttled, match="minutes"):
            auth.sign_in("ana@northwind.example", world.password, ip=ip)
    # ...but her colleague at the same address, and someone elsewhere, still sign in.
    assert auth.sign_in("thomas@northwind.example", world.password, ip=OFFICE).user_id == (
        world.thomas.user_id
    )
    assert auth.sign_in("hank@globex.example", world.password, ip=ELSEWHERE).user_id == (
        world.hank.user_id
    )
    for who in ("colleague at the same address", "person elsewhere"):
        ledger.record(
            SUITE, outcome=ledger.ALLOWED, operation="sign in while Ana is locked", actor=who
        )
    ledger.record(SUITE, outcome=ledger.REFUSED, operation="guess one password", actor="guesser")


def test_spraying_many_accounts_from_one_address_slows_and_locks_it(world):
    for n in range(4):
        failures_on_record(1, f"victim{n}@northwind.example")
    fifth = pytest.raises(Throttled, auth.sign_in, "victim4@northwind.example", "guess", ip=OFFICE)
    assert fifth.value.retry_after_seconds == 30
    # Ten different accounts from one address: locked for minutes, for every account.
    for n in range(5, 10):
        failures_on_record(1, f"victim{n}@northwind.example")
    with pytest.raises(Throttled, match="minutes"):
        auth.sign_in("thomas@northwind.example", world.password, ip=OFFICE)
    # Elsewhere, the same people sign in.
    assert auth.sign_in("thomas@northwind.example", world.password, ip=ELSEWHERE)
    ledger.record(SUITE, outcome=ledger.REFUSED, operation="spray ten accounts", actor="guesser")


def test_many_guesses_at_one_account_count_once_for_the_address(world, database):
    from portal_app.models import LoginAttempt

    failures_on_record(4, "ana@northwind.example")
    with pytest.raises(Throttled):  # the fifth failure: Ana's account now waits
        auth.sign_in("ana@northwind.example", "fifth guess", ip=OFFICE)
    rows = database.rows(LoginAttempt, LoginAttempt.key == throttle.address_key(OFFICE))
    assert len(rows) == 5
    assert {row.account for row in rows} == {"account:ana@northwind.example"}
    # Five failures, one account: the address itself doesn't wait.
    with session_scope() as session:
        now = utcnow()
        assert throttle.wait_seconds(session, throttle.account_key("ana@northwind.example"), now)
        assert throttle.wait_seconds(session, throttle.address_key(OFFICE), now) == 0


def test_reset_and_invitation_links_are_infeasible_to_guess(world, database):
    tokens = {new_token() for _ in range(2000)}
    assert len(tokens) == 2000
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", t) for t in tokens)  # 256 bits each
    invitation = people.invite(world.admin, "newcomer@acme.example", "limited", world.northwind_id)
    with session_scope() as session:
        auth.issue_password_reset(session, session.get(User, world.ana.user_id))
    stored = [row.token_hash for row in database.rows(Invitation)]
    stored += [row.token_hash for row in database.rows(PasswordReset)]
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in stored)  # only digests are kept
    assert invitation.id

    # A thousand wrong guesses: all the same answer, no bcrypt, well under a second each.
    started = time.monotonic()
    for _ in range(500):
        with pytest.raises(NotFound):
            auth.describe_invitation(new_token())
        with pytest.raises(NotFound):
            auth.complete_password_reset(new_token(), "a brand new password", ip=OFFICE)
    assert time.monotonic() - started < 20
    assert token_hash("x") != token_hash("y")
    ledger.record(SUITE, outcome=ledger.REFUSED, operation="guess reset links", actor="guesser")
    ledger.record(
        SUITE, outcome=ledger.REFUSED, operation="guess invitation links", actor="guesser"
    )
