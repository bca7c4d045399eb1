"""Server-side sessions: how long they last and every way they end."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal_app.clock import utcnow
from portal_app.errors import Invalid
from portal_app.models import Role, UserSession
from portal_app.services import people, sessions
from portal_app.services.tokens import new_token, token_hash


def stored(database, token: str) -> UserSession:
    (row,) = database.rows(UserSession, UserSession.token_hash == token_hash(token))
    return row


def test_fresh_session_signs_its_person_in(world, session_for):
    token = session_for(world.ana)
    assert sessions.resolve(token) == world.ana


def test_new_session_lasts_thirty_idle_minutes_within_twelve_hours(world, session_for, database):
    row = stored(database, session_for(world.ana))
    assert row.idle_expires_at - row.created_at == timedelta(minutes=30)
    assert row.expires_at - row.created_at == timedelta(hours=12)
    assert row.ip == "192.0.2.1" and row.user_agent == "pytest"


def test_session_ends_after_thirty_idle_minutes(world, session_for, database):
    token = session_for(world.ana)
    database.age(UserSession, timedelta(minutes=31), "last_seen_at", "idle_expires_at")
    assert sessions.resolve(token) is None
    # An ended session is removed, not just refused.
    assert database.rows(UserSession) == []


def test_activity_keeps_a_session_alive(world, session_for, database):
    token = session_for(world.ana)
    database.age(UserSession, timedelta(minutes=25), "last_seen_at", "idle_expires_at")
    assert sessions.resolve(token) == world.ana
    row = stored(database, token)
    assert row.idle_expires_at - utcnow() > timedelta(minutes=29)


def test_session_ends_after_its_absolute_lifetime_however_active(world, session_for, database):
    token = session_for(world.ana)
    # Active a moment ago, but signed in twelve hours and a minute ago.
    database.age(UserSession, timedelta(hours=12, minutes=1), "created_at", "expires_at")
    assert sessions.resolve(token) is None


def test_activity_never_stretches_a_session_past_its_lifetime(world, session_for, database):
    token = session_for(world.ana)
    database.age(
        UserSession,
        timedelta(hours=11, minutes=50),
        "created_at",
        "last_seen_at",
        "expires_at",
    )
    assert sessions.resolve(token) == world.ana
    row = stored(database, token)
    assert row.idle_expires_at == row.expires_at
    assert row.expires_at - utcnow() < timedelta(minutes=11)


def test_idle_timeout_follows_the_setting(world, session_for, database, monkeypatch):
    from portal_app import config

    monkeypatch.setenv("PORTAL_SESSION_IDLE_MINUTES", "5")
    config.reload_settings()
    token = session_for(world.ana)
    database.age(UserSession, timedelta(minutes=6), "last_seen_at", "idle_expires_at")
    assert sessions.resolve(token) is None


def test_closing_a_session_signs_out_only_that_browser(world, session_for):
    laptop, phone = session_for(world.ana), session_for(world.ana)
    sessions.close(laptop)
    assert sessions.resolve(laptop) is None
    assert sessions.resolve(phone) == world.ana


def test_closing_nothing_or_an_unknown_token_is_harmless(world, session_for):
    token = session_for(world.ana)
    sessions.close(None)
    sessions.close("")
    sessions.close(new_token())
    assert sessions.resolve(token) == world.ana


def test_sign_out_everywhere_ends_every_session_of_that_person_only(world, session_for):
    laptop, phone = session_for(world.ana), session_for(world.ana)
    colleague = session_for(world.thomas)
    assert sessions.sign_out_everywhere(world.ana) == 2
    assert sessions.resolve(laptop) is None
    assert sessions.resolve(phone) is None
    assert sessions.resolve(colleague) == world.thomas


def test_deactivation_ends_every_session_at_once(world, session_for, database):
    token = session_for(world.ana)
    people.set_active(world.admin, world.ana.user_id, False)
    assert sessions.resolve(token) is None
    assert database.rows(UserSession, UserSession.user_id == world.ana.user_id) == []


def test_deactivated_person_is_signed_out_even_if_a_session_row_survived(
    world, session_for, database
):
    from portal_app.db import session_scope
    from portal_app.models import User

    token = session_for(world.ana)
    # Deactivated behind the service's back: resolve still checks the person.
    with session_scope() as session:
        user = session.get(User, world.ana.user_id)
        user.active = False
        session.add(user)
    assert sessions.resolve(token) is None


def test_session_reflects_a_role_change_at_once(world, session_for):
    token = session_for(world.dana)
    people.update_person(world.admin, world.dana.user_id, Role.LIMITED, world.northwind_id)
    actor = sessions.resolve(token)
    assert actor is not None
    assert actor.role == Role.LIMITED and actor.organization_id == world.northwind_id


def test_reactivated_person_needs_to_sign_in_again(world, session_for):
    token = session_for(world.ana)
    people.set_active(world.admin, world.ana.user_id, False)
    people.set_active(world.admin, world.ana.user_id, True)
    assert sessions.resolve(token) is None


def test_garbage_or_oversized_token_signs_in_nobody(world, session_for):
    session_for(world.ana)
    garbage = [None, "", "garbage", "' OR 1=1 --", "\x00\x00", "\udcff-lone-surrogate"]
    for token in [*garbage, "x" * 201, "x" * 1_000_000, new_token()]:
        assert sessions.resolve(token) is None, repr(token)[:40]


def test_token_hash_itself_is_not_a_token(world, session_for):
    token = session_for(world.ana)
    assert sessions.resolve(token_hash(token)) is None


def test_deactivating_needs_a_yes_or_no(world):
    with pytest.raises(Invalid):
        people.set_active(world.admin, world.ana.user_id, "false")
