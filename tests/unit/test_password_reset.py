"""Forgotten passwords: a one-time link by e-mail, short-lived, never a password."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.models import OutboxMessage, PasswordReset
from portal_app.services import auth, mail, people, sessions
from tests.unit.expect import refuses_all

ANA = "ana@northwind.example"
NEW_PASSWORD = "quiet harbour morning"  # noqa: S105
IP = "192.0.2.44"


def reset_link_for(smtp_inbox, address: str = ANA) -> str:
    kind, token = smtp_inbox.last_link(address)
    assert kind == "reset"
    return token


def test_request_for_an_unknown_address_sends_nothing_and_says_nothing(world, smtp_inbox, database):
    assert auth.request_password_reset("nobody@northwind.example", ip=IP) is None
    assert smtp_inbox.messages == []
    assert database.rows(PasswordReset) == []


def test_request_for_garbage_is_silently_ignored(world, smtp_inbox):
    for garbage in (None, "", "not an address", 42, "x" * 400, ["ana@northwind.example"]):
        assert auth.request_password_reset(garbage, ip=IP) is None
    assert smtp_inbox.messages == []


def test_request_for_a_deactivated_person_sends_nothing(world, smtp_inbox):
    people.set_active(world.admin, world.ana.user_id, False)
    auth.request_password_reset(ANA, ip=IP)
    assert smtp_inbox.messages == []


def test_request_for_a_real_address_mails_a_reset_link(world, smtp_inbox):
    auth.request_password_reset(" Ana@Northwind.EXAMPLE ", ip=IP)
    (message,) = smtp_inbox.to(ANA)
    assert message["Subject"] == "Reset your Portal password"
    assert "within 60 minutes" in message.get_content()
    token = reset_link_for(smtp_inbox)
    assert auth.describe_password_reset(token) == ANA


def test_reset_link_sets_a_new_password_and_signs_in(world, smtp_inbox):
    auth.request_password_reset(ANA, ip=IP)
    signed_in = auth.complete_password_reset(reset_link_for(smtp_inbox), NEW_PASSWORD, ip=IP)
    assert sessions.resolve(signed_in.token) == world.ana
    assert auth.sign_in(ANA, NEW_PASSWORD, ip=IP).user_id == world.ana.user_id
    with pytest.raises(Invalid):
        auth.sign_in(ANA, world.password, ip=IP)


def test_reset_link_works_once(world, smtp_inbox):
    auth.request_password_reset(ANA, ip=IP)
    token = reset_link_for(smtp_inbox)
    auth.complete_password_reset(token, NEW_PASSWORD, ip=IP)
    with pytest.raises(NotFound, match="expired or was already used"):
        auth.describe_password_reset(token)
    with pytest.raises(NotFound):
        auth.complete_password_reset(token, "yet another passphrase", ip=IP)


def test_reset_link_expires_after_sixty_minutes(world, smtp_inbox, database):
    auth.request_password_reset(ANA, ip=IP)
    token = reset_link_for(smtp_inbox)
    (reset,) = database.rows(PasswordReset)
    assert reset.expires_at - reset.created_at == pytest.approx(
        timedelta(minutes=60), abs=timedelta(seconds=5)
    )
    database.age(PasswordReset, timedelta(minutes=59), "created_at", "expires_at")
    assert auth.describe_password_reset(token) == ANA
    database.age(PasswordReset, timedelta(minutes=1, seconds=1), "created_at", "expires_at")
    with pytest.raises(NotFound, match="expired"):
        auth.describe_password_reset(token)
    with pytest.raises(NotFound):
        auth.complete_password_reset(token, NEW_PASSWORD, ip=IP)


def test_weak_new_password_is_refused_and_the_link_stays_usable(world, smtp_inbox):
    auth.request_password_reset(ANA, ip=IP)
    token = reset_link_for(smtp_inbox)
    with pytest.raises(Invalid, match="at least 12"):
        auth.complete_password_reset(token, "short", ip=IP)
    with pytest.raises(Invalid, match="common"):
        auth.complete_password_reset(token, "1qaz2wsx3edc", ip=IP)
    assert auth.describe_password_reset(token) == ANA


def test_completing_a_reset_ends_every_other_session(world, smtp_inbox, session_for):
    laptop, phone = session_for(world.ana), session_for(world.ana)
    colleague = session_for(world.thomas)
    auth.request_password_reset(ANA, ip=IP)
    signed_in = auth.complete_password_reset(reset_link_for(smtp_inbox), NEW_PASSWORD, ip=IP)
    assert sessions.resolve(laptop) is None
    assert sessions.resolve(phone) is None
    assert sessions.resolve(signed_in.token) == world.ana
    assert sessions.resolve(colleague) == world.thomas


def test_completing_a_reset_kills_the_other_outstanding_links(world, smtp_inbox):
    auth.request_password_reset(ANA, ip=IP)
    first = reset_link_for(smtp_inbox)
    auth.request_password_reset(ANA, ip=IP)
    second = reset_link_for(smtp_inbox)
    auth.complete_password_reset(second, NEW_PASSWORD, ip=IP)
    with pytest.raises(NotFound):
        auth.describe_password_reset(first)


def test_deactivation_kills_an_outstanding_reset_link(world, smtp_inbox):
    auth.request_password_reset(ANA, ip=IP)
    token = reset_link_for(smtp_inbox)
    people.set_active(world.admin, world.ana.user_id, False)
    with pytest.raises(NotFound):
        auth.complete_password_reset(token, NEW_PASSWORD, ip=IP)


def test_at_most_three_reset_mails_per_address_per_hour(world, smtp_inbox, database):
    for _ in range(5):
        auth.request_password_reset(ANA, ip=IP)
    assert len(smtp_inbox.to(ANA)) == 3
    assert len(database.rows(PasswordReset)) == 3
    # Another address is not held back by Ana's requests.
    auth.request_password_reset("thomas@northwind.example", ip=IP)
    assert len(smtp_inbox.to("thomas@northwind.example")) == 1


def test_reset_requests_are_allowed_again_after_an_hour(world, smtp_inbox, database):
    from portal_app.models import LoginAttempt

    for _ in range(4):
        auth.request_password_reset(ANA, ip=IP)
    assert len(smtp_inbox.to(ANA)) == 3
    database.age(LoginAttempt, timedelta(minutes=61), "attempted_at")
    auth.request_password_reset(ANA, ip=IP)
    assert len(smtp_inbox.to(ANA)) == 4


def test_forged_reset_links_are_refused(world):
    forged = [None, "", "nonsense", "x" * 500, 12345, "\udcff", "' OR 1=1 --"]
    refuses_all(NotFound, auth.describe_password_reset, forged)
    refuses_all(NotFound, lambda t: auth.complete_password_reset(t, NEW_PASSWORD, ip=IP), forged)


def test_admin_sends_a_reset_link_and_no_password_appears_anywhere(world, database, mail_log):
    people.send_password_reset(world.admin, world.ana.user_id)
    (record,) = database.rows(OutboxMessage)
    assert record.recipient == ANA and "/reset/[one-time link hidden]" in record.body
    token = mail_log.token("reset")
    assert token not in database.dump()
    auth.complete_password_reset(token, NEW_PASSWORD, ip=IP)
    bodies = " ".join(m.body for m in mail.list_outbox(world.admin))
    assert world.password not in bodies
    assert NEW_PASSWORD not in bodies
    assert NEW_PASSWORD not in database.dump()


def test_admin_reset_arrives_over_smtp(world, smtp_inbox):
    people.send_password_reset(world.admin, world.thomas.user_id)
    token = reset_link_for(smtp_inbox, "thomas@northwind.example")
    assert auth.describe_password_reset(token) == "thomas@northwind.example"


@pytest.mark.parametrize("who", ["dana", "ana", "hank"])
def test_only_admins_send_password_resets(world, smtp_inbox, database, who):
    with pytest.raises(Forbidden):
        people.send_password_reset(getattr(world, who), world.thomas.user_id)
    assert smtp_inbox.messages == []
    assert database.rows(PasswordReset) == []


def test_admin_cannot_reset_a_deactivated_person(world):
    people.set_active(world.admin, world.ana.user_id, False)
    with pytest.raises(Invalid, match="Activate"):
        people.send_password_reset(world.admin, world.ana.user_id)
