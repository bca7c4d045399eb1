"""Signing in with a password, and the throttle that slows guessing down."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest

from portal_app.clock import utcnow
from portal_app.db import session_scope
from portal_app.errors import Invalid, Throttled
from portal_app.models import AuditEvent, LoginAttempt, UserSession
from portal_app.services import auth, people, sessions, throttle

OFFICE = "203.0.113.10"
ELSEWHERE = "198.51.100.77"


def wrong_password(email: str, ip: str = OFFICE) -> Exception:
    with pytest.raises((Invalid, Throttled)) as refused:
        auth.sign_in(email, "not the right password", ip=ip)
    return refused.value


def test_correct_password_signs_in_and_returns_a_session_token(world):
    signed_in = auth.sign_in("ana@northwind.example", world.password, ip=OFFICE)
    assert signed_in.user_id == world.ana.user_id
    assert sessions.resolve(signed_in.token) == world.ana


def test_session_token_carries_at_least_128_random_bits(world):
    token = auth.sign_in("ana@northwind.example", world.password, ip=OFFICE).token
    # URL-safe base64: six bits per character.
    assert re.fullmatch(r"[A-Za-z0-9_\-]+", token)
    assert len(token) * 6 >= 128


def test_session_token_is_stored_only_as_its_sha256(world, database):
    token = auth.sign_in("ana@northwind.example", world.password, ip=OFFICE).token
    (stored,) = database.rows(UserSession)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    everything = database.dump()
    assert token not in everything
    assert stored.token_hash in everything


def test_every_sign_in_gets_its_own_token(world):
    first = auth.sign_in("ana@northwind.example", world.password, ip=OFFICE).token
    second = auth.sign_in("ana@northwind.example", world.password, ip=OFFICE).token
    assert first != second
    assert sessions.resolve(first) == sessions.resolve(second) == world.ana


def test_email_is_case_insensitive_and_trimmed(world):
    signed_in = auth.sign_in("  Ana@NorthWind.EXAMPLE ", world.password, ip=OFFICE)
    assert signed_in.user_id == world.ana.user_id


def test_unknown_email_and_wrong_password_get_the_same_message(world):
    unknown = wrong_password("nobody@northwind.example")
    wrong = wrong_password("ana@northwind.example")
    assert isinstance(unknown, Invalid) and isinstance(wrong, Invalid)
    assert str(unknown) == str(wrong) == auth.SIGN_IN_FAILED
    assert unknown.field == wrong.field


def test_password_is_case_sensitive(world):
    with pytest.raises(Invalid):
        auth.sign_in("ana@northwind.example", world.password.upper(), ip=OFFICE)


@pytest.mark.parametrize("email", [None, "   ", ["ana@northwind.example"]])
def test_malformed_email_gets_the_same_message(world, email):
    with pytest.raises(Invalid, match=re.escape(auth.SIGN_IN_FAILED)):
        auth.sign_in(email, world.password, ip=OFFICE)


def test_deactivated_person_cannot_sign_in(world):
    people.set_active(world.admin, world.ana.user_id, False)
    with pytest.raises(Invalid, match=re.escape(auth.SIGN_IN_FAILED)):
        auth.sign_in("ana@northwind.example", world.password, ip=OFFICE)


def test_sign_in_and_failure_are_audited(world, database):
    auth.sign_in("ana@northwind.example", world.password, ip=OFFICE)
    wrong_password("ana@northwind.example")
    actions = [(e.action, e.actor_id, e.ip) for e in database.rows(AuditEvent)]
    assert ("sign_in", world.ana.user_id, OFFICE) in actions
    assert ("sign_in_failed", None, OFFICE) in actions


# --- throttling ------------------------------------------------------------------------
# Each real failure costs a bcrypt check (~0.25 s), so most tests put the earlier
# failures on record through the throttle itself and make only the decisive try.


def earlier_failures(count: int, email: str, ip: str = OFFICE, *, minutes_ago: float = 1) -> None:
    """Record ``count`` failed tries of ``email`` from ``ip``, spread before now."""
    keys = [throttle.account_key(email), throttle.address_key(ip)]
    with session_scope() as session:
        for n in range(count):
            at = utcnow() - timedelta(minutes=minutes_ago) + timedelta(seconds=n)
            throttle.record(session, keys, succeeded=False, now=at)


def step_past_the_wait(database, seconds: int) -> None:
    """Pretend ``seconds`` (plus a margin) have passed for every recorded attempt."""
    database.age(LoginAttempt, timedelta(seconds=seconds + 1), "attempted_at")


def test_fifth_failure_makes_the_next_try_wait(world):
    for _ in range(4):
        assert isinstance(wrong_password("ana@northwind.example"), Invalid)
    fifth = wrong_password("ana@northwind.example")
    assert isinstance(fifth, Throttled)
    assert fifth.retry_after_seconds == 30
    assert re.fullmatch(r"Too many attempts\. Try again in \d+ seconds\.", str(fifth))


def test_throttled_account_refuses_even_the_right_password(world):
    earlier_failures(5, "ana@northwind.example", minutes_ago=0.1)
    with pytest.raises(Throttled, match="seconds"):
        auth.sign_in("ana@northwind.example", world.password, ip=ELSEWHERE)


def test_tries_refused_while_waiting_are_not_counted(world, database):
    earlier_failures(4, "ana@northwind.example", minutes_ago=0.1)
    assert isinstance(wrong_password("ana@northwind.example"), Throttled)
    before = len(database.rows(LoginAttempt))
    for _ in range(3):
        assert isinstance(wrong_password("ana@northwind.example"), Throttled)
    assert len(database.rows(LoginAttempt)) == before


def test_right_password_works_once_the_wait_is_over(world, database):
    earlier_failures(4, "ana@northwind.example", minutes_ago=0.1)
    assert isinstance(wrong_password("ana@northwind.example"), Throttled)
    step_past_the_wait(database, 30)
    signed_in = auth.sign_in("ana@northwind.example", world.password, ip=OFFICE)
    assert signed_in.user_id == world.ana.user_id


def test_ten_failures_in_thirty_minutes_lock_the_account_for_minutes(world, database):
    email = "ana@northwind.example"
    for _ in range(5):
        wrong_password(email)
    waits = []
    for _ in range(5):
        pending = wrong_password(email)
        assert isinstance(pending, Throttled)
        waits.append(pending.retry_after_seconds)
        step_past_the_wait(database, pending.retry_after_seconds)
        wrong_password(email)
    # The wait doubles from 30 s; the tenth failure locks until the first leaves the window.
    assert waits == [30, 60, 120, 240, 480]
    locked = wrong_password(email)
    assert isinstance(locked, Throttled)
    assert re.fullmatch(r"Too many attempts\. Try again in \d+ minutes\.", str(locked))
    assert 10 * 60 < locked.retry_after_seconds <= 30 * 60
    # Still locked for the right password, from anywhere.
    with pytest.raises(Throttled, match="minutes"):
        auth.sign_in(email, world.password, ip=ELSEWHERE)


def test_lock_lifts_after_thirty_minutes_and_the_right_password_works(world, database):
    email = "ana@northwind.example"
    earlier_failures(9, email, minutes_ago=20)
    locked = wrong_password(email)
    assert isinstance(locked, Throttled)
    assert str(locked) == "Too many attempts. Try again in 10 minutes."
    database.age(LoginAttempt, timedelta(minutes=31), "attempted_at")
    assert auth.sign_in(email, world.password, ip=OFFICE).user_id == world.ana.user_id


def test_successful_sign_in_clears_the_accounts_failure_count(world):
    earlier_failures(4, "ana@northwind.example")
    auth.sign_in("ana@northwind.example", world.password, ip=OFFICE)
    # Without the reset this would be the account's fifth failure, and throttled.
    assert isinstance(wrong_password("ana@northwind.example", ip=ELSEWHERE), Invalid)


def test_signing_in_to_ones_own_account_does_not_reset_the_address_count(world):
    for n in range(4):
        earlier_failures(1, f"victim{n}@northwind.example")
    auth.sign_in("ana@northwind.example", world.password, ip=OFFICE)
    # The fifth guess from this address, at yet another account, must wait.
    assert isinstance(wrong_password("victim9@northwind.example"), Throttled)


def test_one_address_spraying_many_accounts_is_slowed_down(world):
    targets = [
        "ana@northwind.example",
        "thomas@northwind.example",
        "hank@globex.example",
        "mindy@globex.example",
        "dana@firm.example",
    ]
    results = [wrong_password(email) for email in targets]
    assert all(isinstance(r, Invalid) for r in results[:4])
    assert isinstance(results[4], Throttled)
    # No account has failed more than once, yet this address must wait for the next one.
    with pytest.raises(Throttled):
        auth.sign_in("sam@firm.example", world.password, ip=OFFICE)


def test_other_address_is_not_blocked_for_another_account(world):
    for n in range(5):
        earlier_failures(1, f"victim{n}@northwind.example", minutes_ago=0.1)
    assert isinstance(wrong_password("ana@northwind.example"), Throttled)
    signed_in = auth.sign_in("mindy@globex.example", world.password, ip=ELSEWHERE)
    assert signed_in.user_id == world.mindy.user_id


def test_throttle_counts_unknown_accounts_too(world, database):
    wrong_password("Ghost@Nowhere.example", ip=ELSEWHERE)
    keys = sorted(row.key for row in database.rows(LoginAttempt))
    assert keys == ["account:ghost@nowhere.example", f"ip:{ELSEWHERE}"]


def test_wait_message_reads_naturally():
    assert str(Throttled(1)) == "Too many attempts. Try again in 1 second."
    assert str(Throttled(59)) == "Too many attempts. Try again in 59 seconds."
    assert str(Throttled(60)) == "Too many attempts. Try again in 1 minute."
    assert str(Throttled(61)) == "Too many attempts. Try again in 2 minutes."
    assert throttle.account_key(" Ana@X.example ") == "account:ana@x.example"
