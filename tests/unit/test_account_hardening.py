"""Edges of one's own account that an attacker would try."""

from __future__ import annotations

import pytest

from portal_app.errors import Invalid, Throttled
from portal_app.models import Role, User
from portal_app.services import auth, people

NEW_PASSWORD = "lantern orchard pebble"  # noqa: S105


def test_guessing_the_current_password_is_throttled_like_sign_in(world):
    for _ in range(5):
        with pytest.raises(Invalid, match="current password"):
            people.change_own_password(world.ana, "a wrong guess here", NEW_PASSWORD)
    with pytest.raises(Throttled, match="Try again in"):
        people.change_own_password(world.ana, world.password, NEW_PASSWORD)


def test_an_invitation_never_overwrites_an_account_made_after_it(world, database, mail_log):
    people.invite(world.admin, "late@northwind.example", Role.LIMITED, world.northwind_id)
    token = mail_log.token("invite")
    admin_id = people.create_admin("late@northwind.example", "orchard copper window")

    with pytest.raises(Invalid, match="already has an account"):
        auth.accept_invitation(token, "Late Comer", NEW_PASSWORD, ip="203.0.113.5")

    (user,) = [u for u in database.rows(User) if u.id == admin_id]
    assert user.role == Role.ADMIN and user.organization_id is None
