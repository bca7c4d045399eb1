"""Inviting people by e-mail: one-time links that expire, and only admins send them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.models import Invitation, OutboxMessage, Role, User
from portal_app.services import auth, mail, people, sessions
from tests.unit.expect import refuses_all

NEW_CLIENT = "nora@northwind.example"
NEW_PASSWORD = "tidal marsh lantern"  # noqa: S105


def invite_nora(world, smtp_inbox, message: str = "Welcome aboard!") -> str:
    people.invite(world.admin, NEW_CLIENT, "limited", world.northwind_id, message)
    kind, token = smtp_inbox.last_link(NEW_CLIENT)
    assert kind == "invite"
    return token


def test_admin_invites_a_client_and_the_mail_arrives_over_smtp(world, smtp_inbox, database):
    row = people.invite(world.admin, NEW_CLIENT, "limited", world.northwind_id, "Welcome!")
    assert row.email == NEW_CLIENT
    assert row.organization_name == "Northwind Traders"
    assert row.invited_by == "Avery Admin"
    (message,) = smtp_inbox.to(NEW_CLIENT)
    assert message["Subject"] == "Avery Admin invited you to Portal"
    body = message.get_content()
    assert "Northwind Traders" in body and '"Welcome!"' in body
    # Sent by SMTP: the outbox records the delivery but never keeps the link.
    (record,) = database.rows(OutboxMessage)
    assert (record.transport, record.status, record.body) == ("smtp", "sent", "")


def test_invitation_link_describes_who_invited_whom(world, smtp_inbox):
    token = invite_nora(world, smtp_inbox)
    view = auth.describe_invitation(token)
    assert view.email == NEW_CLIENT
    assert view.organization_name == "Northwind Traders"
    assert view.inviter_name == "Avery Admin"
    assert view.message == "Welcome aboard!"


def test_accepting_creates_the_client_in_their_organization_and_signs_in(
    world, smtp_inbox, database
):
    token = invite_nora(world, smtp_inbox)
    signed_in = auth.accept_invitation(token, "  Nora   Quinn ", NEW_PASSWORD, ip="192.0.2.5")
    actor = sessions.resolve(signed_in.token)
    assert actor is not None
    assert (actor.email, actor.display_name) == (NEW_CLIENT, "Nora Quinn")
    assert actor.role == Role.LIMITED and actor.organization_id == world.northwind_id
    assert auth.sign_in(NEW_CLIENT, NEW_PASSWORD, ip="192.0.2.5").user_id == actor.user_id
    assert people.list_invitations(world.admin) == []
    assert NEW_PASSWORD not in database.dump()


def test_accepted_staff_invitation_belongs_to_no_organization(world, smtp_inbox):
    people.invite(world.admin, "riley@firm.example", "staff", world.northwind_id)
    _, token = smtp_inbox.last_link("riley@firm.example")
    actor = sessions.resolve(auth.accept_invitation(token, "Riley", NEW_PASSWORD, ip="").token)
    assert actor is not None
    assert actor.role == Role.STAFF and actor.organization_id is None


def test_invitation_link_works_once(world, smtp_inbox):
    token = invite_nora(world, smtp_inbox)
    auth.accept_invitation(token, "Nora Quinn", NEW_PASSWORD, ip="")
    with pytest.raises(NotFound, match="expired or was already used"):
        auth.describe_invitation(token)
    with pytest.raises(NotFound):
        auth.accept_invitation(token, "Someone Else", "another long passphrase", ip="")


def test_expired_invitation_link_is_refused(world, smtp_inbox, database):
    token = invite_nora(world, smtp_inbox)
    database.age(Invitation, timedelta(days=7, seconds=1), "created_at", "expires_at")
    with pytest.raises(NotFound, match="expired"):
        auth.describe_invitation(token)
    with pytest.raises(NotFound):
        auth.accept_invitation(token, "Nora Quinn", NEW_PASSWORD, ip="")
    assert database.rows(User, User.email == NEW_CLIENT) == []
    assert people.list_invitations(world.admin)[0].expired


def test_invitation_lasts_seven_days(world, smtp_inbox, database):
    invite_nora(world, smtp_inbox)
    (invitation,) = database.rows(Invitation)
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        timedelta(days=7), abs=timedelta(seconds=5)
    )


def test_revoked_invitation_link_is_refused(world, smtp_inbox):
    token = invite_nora(world, smtp_inbox)
    (pending,) = people.list_invitations(world.admin)
    people.revoke_invitation(world.admin, pending.id)
    with pytest.raises(NotFound):
        auth.describe_invitation(token)
    with pytest.raises(NotFound):
        auth.accept_invitation(token, "Nora Quinn", NEW_PASSWORD, ip="")
    with pytest.raises(NotFound):
        people.revoke_invitation(world.admin, pending.id)


def test_resending_sends_a_new_link_and_the_old_one_stops_working(world, smtp_inbox):
    old = invite_nora(world, smtp_inbox)
    (pending,) = people.list_invitations(world.admin)
    people.resend_invitation(world.admin, pending.id)
    assert len(smtp_inbox.to(NEW_CLIENT)) == 2
    _, new = smtp_inbox.last_link(NEW_CLIENT)
    assert new != old
    with pytest.raises(NotFound):
        auth.describe_invitation(old)
    assert auth.describe_invitation(new).email == NEW_CLIENT


def test_inviting_again_replaces_the_earlier_invitation(world, smtp_inbox):
    first = invite_nora(world, smtp_inbox)
    second = invite_nora(world, smtp_inbox)
    with pytest.raises(NotFound):
        auth.describe_invitation(first)
    assert auth.describe_invitation(second).email == NEW_CLIENT
    assert len(people.list_invitations(world.admin)) == 1


def test_resending_an_expired_invitation_gives_it_a_fresh_week(world, smtp_inbox, database):
    invite_nora(world, smtp_inbox)
    database.age(Invitation, timedelta(days=8), "created_at", "expires_at")
    (pending,) = people.list_invitations(world.admin)
    people.resend_invitation(world.admin, pending.id)
    _, token = smtp_inbox.last_link(NEW_CLIENT)
    assert auth.describe_invitation(token).email == NEW_CLIENT


@pytest.mark.parametrize("who", ["dana", "ana"])
def test_only_admins_invite(world, smtp_inbox, database, who):
    with pytest.raises(Forbidden):
        people.invite(getattr(world, who), NEW_CLIENT, "limited", world.northwind_id)
    assert smtp_inbox.messages == []
    assert database.rows(Invitation) == []


@pytest.mark.parametrize("who", ["dana", "ana"])
def test_only_admins_list_resend_or_revoke_invitations(world, smtp_inbox, who):
    invite_nora(world, smtp_inbox)
    (pending,) = people.list_invitations(world.admin)
    actor = getattr(world, who)
    for action in (
        lambda: people.list_invitations(actor),
        lambda: people.resend_invitation(actor, pending.id),
        lambda: people.revoke_invitation(actor, pending.id),
    ):
        with pytest.raises(Forbidden):
            action()
    assert len(smtp_inbox.to(NEW_CLIENT)) == 1


def test_client_invitation_needs_an_organization(world, smtp_inbox):
    for no_org in (0, "", None, "0"):
        with pytest.raises(Invalid, match="client organization") as refused:
            people.invite(world.admin, NEW_CLIENT, "limited", no_org)
        assert refused.value.field == "organization"
    assert smtp_inbox.messages == []


def test_client_invitation_to_a_missing_or_archived_organization_is_refused(world, smtp_inbox):
    from portal_app.services import organizations

    with pytest.raises((Invalid, NotFound)):
        people.invite(world.admin, NEW_CLIENT, "limited", 9999)
    organizations.set_archived(world.admin, world.globex_id, True)
    with pytest.raises(Invalid, match="active client organization"):
        people.invite(world.admin, NEW_CLIENT, "limited", world.globex_id)


def test_invitation_needs_a_valid_address(world, smtp_inbox):
    bad_emails = [
        "",
        "nora",
        "nora@",
        "nora@northwind",
        "a b@c.example",
        "x" * 250 + "@a.example",
        7,
    ]
    refuses_all(
        Invalid,
        lambda bad: people.invite(world.admin, bad, "limited", world.northwind_id),
        bad_emails,
    )
    assert smtp_inbox.messages == []


def test_invitation_needs_a_known_role(world, smtp_inbox):
    with pytest.raises(Invalid, match="role"):
        people.invite(world.admin, NEW_CLIENT, "superuser", world.northwind_id)


def test_existing_account_cannot_be_invited(world, smtp_inbox):
    with pytest.raises(Invalid, match="already has an account"):
        people.invite(world.admin, "ANA@northwind.example", "limited", world.northwind_id)
    assert smtp_inbox.messages == []


def test_accepting_refuses_a_weak_password_and_keeps_the_link_usable(world, smtp_inbox):
    token = invite_nora(world, smtp_inbox)
    with pytest.raises(Invalid, match="at least 12"):
        auth.accept_invitation(token, "Nora Quinn", "short", ip="")
    with pytest.raises(Invalid, match="name"):
        auth.accept_invitation(token, "   ", NEW_PASSWORD, ip="")
    assert auth.describe_invitation(token).email == NEW_CLIENT


def test_forged_invitation_links_are_refused(world):
    forged = [None, "", "nonsense", "x" * 500, 12345, "\udcff", "' OR 1=1 --"]
    refuses_all(NotFound, auth.describe_invitation, forged)
    refuses_all(
        NotFound, lambda token: auth.accept_invitation(token, "Eve", NEW_PASSWORD, ip=""), forged
    )


def test_without_smtp_the_invitation_waits_in_the_outbox_with_its_link_masked(
    world, database, mail_log
):
    people.invite(world.admin, NEW_CLIENT, "limited", world.northwind_id)
    (record,) = database.rows(OutboxMessage)
    assert (record.recipient, record.transport, record.status) == (NEW_CLIENT, "outbox", "stored")
    assert "/invite/[one-time link hidden]" in record.body
    # The working link is only in the operator's server log, never stored or listed.
    token = mail_log.token("invite")
    assert auth.describe_invitation(token).email == NEW_CLIENT
    assert token not in database.dump()
    (listed,) = mail.list_outbox(world.admin)
    assert listed.body == record.body and token not in listed.body
    assert listed.recipient == NEW_CLIENT and listed.sent


def test_the_outbox_masks_links_stored_before_masking_existed(world, database):
    from portal_app.db import session_scope

    live = "http://localhost:3000/reset/" + "Ab9_-" * 9
    with session_scope() as session:
        session.add(OutboxMessage(recipient=NEW_CLIENT, subject="Reset", body=f"Open {live}\n"))
    (listed,) = mail.list_outbox(world.admin)
    assert live not in listed.body
    assert listed.body == "Open http://localhost:3000/reset/[one-time link hidden]\n"


@pytest.mark.parametrize("who", ["dana", "sam", "ana", "hank"])
def test_only_admins_read_the_outbox(world, who):
    people.invite(world.admin, NEW_CLIENT, "limited", world.northwind_id)
    with pytest.raises(Forbidden):
        mail.list_outbox(getattr(world, who))


def test_an_unreachable_smtp_server_is_retried_then_recorded_as_failed(
    world, database, monkeypatch
):
    from datetime import timedelta

    from portal_app import config

    monkeypatch.setenv("PORTAL_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PORTAL_SMTP_PORT", "1")  # nothing listens here
    config.reload_settings()
    people.invite(world.admin, NEW_CLIENT, "limited", world.northwind_id)
    (record,) = database.rows(OutboxMessage)
    # The first try failed: it waits for another try, the message kept until then.
    assert (record.transport, record.status, record.attempts) == ("smtp", "pending", 1)
    assert record.error and "/invite/" in record.body
    for attempt in range(2, mail.MAX_ATTEMPTS + 1):
        database.age(OutboxMessage, timedelta(hours=1), "available_at")
        assert mail.deliver_pending() == 0
        (record,) = database.rows(OutboxMessage)
        assert record.attempts == attempt
    # After the last try: failed for good, and the one-time link is no longer kept.
    assert (record.status, record.body) == ("failed", "")
    assert mail.deliver_pending() == 0
