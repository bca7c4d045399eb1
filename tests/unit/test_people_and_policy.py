"""Who sees whom: people, client organizations and one's own account.

The product's promise: nothing of one client organization reaches another.
"""

from __future__ import annotations

import pytest

from portal_app import access
from portal_app.errors import Forbidden, Invalid, NotFound
from portal_app.models import AuditEvent, Organization, OrganizationStaff, Role, User
from portal_app.services import organizations, people, sessions
from tests.unit.expect import refuses_all

NORTHWIND_VIEW = {"Ana Trujillo", "Thomas Hardy", "Dana Whitfield"}
GLOBEX_VIEW = {"Hank Scorpio", "Mindy Simmons", "Sam Okafor"}
EVERYONE = NORTHWIND_VIEW | GLOBEX_VIEW | {"Avery Admin"}
FORGED_IDS = ["1 OR 1=1", "1; DROP TABLE user_account", -1, 0, True, False, "abc", 10**30, 1.0,
              "01", None, [], {}, "", " ", "１"]  # fmt: skip


def names(rows) -> set[str]:
    return {row.name for row in rows}


# --- seeing people ---------------------------------------------------------------------


@pytest.mark.parametrize("who", ["ana", "thomas"])
def test_northwind_client_sees_only_northwind_and_their_assigned_staff(world, who):
    assert names(people.list_people(getattr(world, who))) == NORTHWIND_VIEW


@pytest.mark.parametrize("who", ["hank", "mindy"])
def test_globex_client_sees_only_globex_and_their_assigned_staff(world, who):
    assert names(people.list_people(getattr(world, who))) == GLOBEX_VIEW


@pytest.mark.parametrize("who", ["admin", "dana", "sam"])
def test_staff_see_everyone(world, who):
    assert names(people.list_people(getattr(world, who))) == EVERYONE


def test_client_filters_never_widen_what_they_see(world):
    assert people.list_people(world.ana, search="globex") == []
    assert people.list_people(world.ana, search="sam") == []
    assert people.list_people(world.ana, organization_id=world.globex_id) == []
    assert names(people.list_people(world.ana, role="staff")) == {"Dana Whitfield"}
    assert people.list_people(world.ana, role="admin") == []
    assert people.list_people(world.ana, status="inactive") == []


def test_search_matches_name_or_email_case_insensitively(world):
    assert names(people.list_people(world.admin, search="HANK")) == {"Hank Scorpio"}
    assert names(people.list_people(world.admin, search="@northwind.")) == {
        "Ana Trujillo",
        "Thomas Hardy",
    }
    assert names(people.list_people(world.ana, search="whit")) == {"Dana Whitfield"}


def test_filters_by_role_organization_and_status(world):
    assert names(people.list_people(world.admin, role="admin")) == {"Avery Admin"}
    assert names(people.list_people(world.admin, role="staff")) == {
        "Dana Whitfield",
        "Sam Okafor",
    }
    assert names(people.list_people(world.admin, organization_id=str(world.globex_id))) == {
        "Hank Scorpio",
        "Mindy Simmons",
    }
    people.set_active(world.admin, world.mindy.user_id, False)
    assert names(people.list_people(world.admin, status="inactive")) == {"Mindy Simmons"}
    assert "Mindy Simmons" not in names(people.list_people(world.admin, status="active"))
    assert len(people.list_people(world.admin, status="")) == 7


def test_unknown_role_filter_is_refused(world):
    with pytest.raises(Invalid):
        people.list_people(world.admin, role="owner")


def test_search_text_never_widens_what_a_client_sees(world):
    for sneaky in ("%", "_", "' OR '1'='1", "%' OR 1=1 --"):
        assert names(people.list_people(world.ana, search=sneaky)) <= NORTHWIND_VIEW
    assert people.list_people(world.admin, search="' OR '1'='1") == []


def test_people_rows_say_who_someone_is(world):
    (hank,) = people.list_people(world.admin, search="hank")
    assert hank.role_label == "Client"
    assert hank.organization_name == "Globex Corporation"
    assert hank.initials == "HS"
    assert hank.last_sign_in == "Never"
    assert not hasattr(hank, "password_hash")


def test_client_no_longer_sees_a_deactivated_colleague(world):
    people.set_active(world.admin, world.thomas.user_id, False)
    assert names(people.list_people(world.ana)) == NORTHWIND_VIEW - {"Thomas Hardy"}
    with pytest.raises(NotFound):
        people.get_person(world.ana, world.thomas.user_id)


def test_client_sees_their_own_person_page_and_their_colleagues(world):
    assert people.get_person(world.ana, world.ana.user_id).name == "Ana Trujillo"
    assert people.get_person(world.ana, str(world.thomas.user_id)).name == "Thomas Hardy"
    assert people.get_person(world.ana, world.dana.user_id).name == "Dana Whitfield"


@pytest.mark.parametrize("other", ["hank", "mindy", "sam", "admin"])
def test_other_organizations_people_look_like_they_do_not_exist(world, other):
    with pytest.raises(NotFound) as hidden:
        people.get_person(world.ana, getattr(world, other).user_id)
    with pytest.raises(NotFound) as missing:
        people.get_person(world.ana, 9999)
    assert str(hidden.value) == str(missing.value)


def test_forged_person_ids_are_not_found(world):
    for actor in (world.ana, world.admin):
        refuses_all(NotFound, lambda forged: people.get_person(actor, forged), FORGED_IDS)


def test_forged_organization_ids_are_not_found(world):
    refuses_all(
        NotFound, lambda forged: organizations.get_organization(world.admin, forged), FORGED_IDS
    )
    # 0, "" and None mean "any organization" in the people filter.
    refuses_all(
        NotFound,
        lambda forged: people.list_people(world.admin, organization_id=forged),
        [f for f in FORGED_IDS if f not in (0, "0", "", None)],
    )


def test_client_without_an_organization_sees_only_themself(world, database):
    from portal_app.db import session_scope

    with session_scope() as session:
        loner = User(email="lone@nowhere.example", display_name="Lone Client", role="limited")
        session.add(loner)
        session.flush()
        actor = access.actor_for(loner)
    assert names(people.list_people(actor)) == {"Lone Client"}
    assert organizations.list_organizations(actor) == []


# --- managing people: admins only ------------------------------------------------------


def snapshot(database) -> list[tuple]:
    return sorted(
        (u.id, u.role, u.organization_id, u.active, u.password_hash) for u in database.rows(User)
    )


@pytest.mark.parametrize("who", ["dana", "sam", "ana", "hank"])
def test_only_admins_change_roles_activation_or_passwords(world, database, session_for, who):
    actor = getattr(world, who)
    token = session_for(world.thomas)
    before = snapshot(database)
    for attempt in (
        lambda: people.update_person(actor, world.thomas.user_id, "admin"),
        lambda: people.update_person(actor, actor.user_id, "admin"),
        lambda: people.set_active(actor, world.thomas.user_id, False),
        lambda: people.send_password_reset(actor, world.thomas.user_id),
        lambda: people.list_invitations(actor),
        lambda: organizations.staff_choices(actor),
    ):
        with pytest.raises(Forbidden):
            attempt()
    assert snapshot(database) == before
    assert sessions.resolve(token) == world.thomas


def test_admin_moves_a_client_to_another_organization(world):
    people.update_person(world.admin, world.thomas.user_id, "limited", world.globex_id)
    assert "Thomas Hardy" in names(people.list_people(world.hank))
    assert "Thomas Hardy" not in names(people.list_people(world.ana))


def test_admin_makes_a_client_staff_and_they_leave_their_organization(world, database):
    people.update_person(world.admin, world.thomas.user_id, "staff", world.northwind_id)
    (thomas,) = database.rows(User, User.id == world.thomas.user_id)
    assert (thomas.role, thomas.organization_id) == (Role.STAFF, None)


def test_permission_changes_are_audited(world, database):
    people.update_person(world.admin, world.thomas.user_id, "limited", world.globex_id)
    people.set_active(world.admin, world.thomas.user_id, False)
    events = [(e.action, e.actor_id, e.target_id) for e in database.rows(AuditEvent)]
    assert ("person_updated", world.admin.user_id, world.thomas.user_id) in events
    assert ("person_deactivated", world.admin.user_id, world.thomas.user_id) in events


def test_client_role_needs_an_organization(world):
    with pytest.raises(Invalid, match="client organization"):
        people.update_person(world.admin, world.dana.user_id, "limited", 0)


def test_last_active_admin_cannot_be_demoted(world, database):
    with pytest.raises(Invalid, match="at least one administrator"):
        people.update_person(world.admin, world.admin.user_id, "staff")
    assert database.rows(User, User.id == world.admin.user_id)[0].role == Role.ADMIN


def test_last_active_admin_cannot_be_deactivated_by_another_admin(world, database):
    people.update_person(world.admin, world.dana.user_id, "admin")
    dana_as_admin = access.actor_for(database.rows(User, User.id == world.dana.user_id)[0])
    people.set_active(dana_as_admin, world.admin.user_id, False)
    # Dana is now the only active admin: nobody can switch her off or demote her.
    with pytest.raises(Invalid):
        people.set_active(dana_as_admin, world.dana.user_id, False)
    with pytest.raises(Invalid, match="at least one administrator"):
        people.update_person(dana_as_admin, world.dana.user_id, "staff")


def test_admin_can_step_down_when_another_admin_remains(world, database):
    people.update_person(world.admin, world.dana.user_id, "admin")
    people.update_person(world.admin, world.admin.user_id, "staff")
    assert database.rows(User, User.id == world.admin.user_id)[0].role == Role.STAFF


def test_admin_cannot_deactivate_themself(world, database):
    people.update_person(world.admin, world.dana.user_id, "admin")
    with pytest.raises(Invalid, match="your own account"):
        people.set_active(world.admin, world.admin.user_id, False)
    assert database.rows(User, User.id == world.admin.user_id)[0].active


def test_managing_a_missing_person_is_not_found(world, database):
    before = snapshot(database)
    missing = [9999, *FORGED_IDS]
    refuses_all(
        NotFound, lambda forged: people.update_person(world.admin, forged, "staff"), missing
    )
    refuses_all(NotFound, lambda forged: people.set_active(world.admin, forged, False), missing)
    refuses_all(NotFound, lambda forged: people.send_password_reset(world.admin, forged), missing)
    refuses_all(
        NotFound,
        lambda forged: organizations.rename_organization(world.admin, forged, "Initech"),
        missing,
    )
    assert snapshot(database) == before


# --- client organizations --------------------------------------------------------------


def org_names(rows) -> set[str]:
    return {row.name for row in rows}


def test_client_sees_only_their_own_organization(world):
    assert org_names(organizations.list_organizations(world.ana)) == {"Northwind Traders"}
    assert org_names(organizations.list_organizations(world.hank)) == {"Globex Corporation"}
    assert organizations.list_organizations(world.ana, search="globex") == []
    assert [c.name for c in organizations.organization_choices(world.ana)] == ["Northwind Traders"]


def test_staff_see_every_organization(world):
    for actor in (world.admin, world.dana, world.sam):
        assert org_names(organizations.list_organizations(actor)) == {
            "Northwind Traders",
            "Globex Corporation",
        }


def test_client_opening_the_other_organization_finds_nothing(world):
    with pytest.raises(NotFound) as hidden:
        organizations.get_organization(world.ana, world.globex_id)
    with pytest.raises(NotFound) as missing:
        organizations.get_organization(world.ana, 9999)
    assert str(hidden.value) == str(missing.value)


def test_organization_page_lists_its_members_and_staff(world):
    detail = organizations.get_organization(world.ana, world.northwind_id)
    assert detail.organization.name == "Northwind Traders"
    assert names(detail.members) == {"Ana Trujillo", "Thomas Hardy"}
    assert names(detail.staff) == {"Dana Whitfield"}
    assert (detail.organization.member_count, detail.organization.staff_count) == (2, 1)


def test_admin_creates_renames_and_archives_organizations(world):
    created = organizations.create_organization(world.admin, "  Initech   LLC ")
    assert created.name == "Initech LLC" and created.member_count == 0
    organizations.rename_organization(world.admin, created.id, "Initech")
    assert "Initech" in org_names(organizations.list_organizations(world.dana))
    organizations.set_archived(world.admin, created.id, True)
    assert "Initech" not in org_names(organizations.list_organizations(world.admin))
    assert "Initech" in org_names(
        organizations.list_organizations(world.admin, include_archived=True)
    )
    organizations.set_archived(world.admin, created.id, False)
    assert "Initech" in org_names(organizations.list_organizations(world.admin))


@pytest.mark.parametrize("who", ["dana", "ana", "hank"])
def test_only_admins_create_rename_archive_or_assign(world, database, who):
    actor = getattr(world, who)
    for attempt in (
        lambda: organizations.create_organization(actor, "Initech"),
        lambda: organizations.rename_organization(actor, world.northwind_id, "Southwind"),
        lambda: organizations.rename_organization(actor, world.globex_id, "Globex"),
        lambda: organizations.set_archived(actor, world.globex_id, True),
        lambda: organizations.assign_staff(actor, world.globex_id, world.dana.user_id, True),
    ):
        with pytest.raises(Forbidden):
            attempt()
    assert sorted((o.name, o.archived) for o in database.rows(Organization)) == [
        ("Globex Corporation", False),
        ("Northwind Traders", False),
    ]
    assert len(database.rows(OrganizationStaff)) == 2


def test_duplicate_organization_names_are_refused_whatever_the_case(world):
    with pytest.raises(Invalid, match="already exists"):
        organizations.create_organization(world.admin, "northwind  TRADERS")
    with pytest.raises(Invalid, match="already exists"):
        organizations.rename_organization(world.admin, world.globex_id, "Northwind Traders")
    # Renaming to its own name (or a new case of it) is fine.
    organizations.rename_organization(world.admin, world.globex_id, "GLOBEX Corporation")


def test_organization_needs_a_sensible_name(world):
    bad_names = ["", "   ", None, 42, "x" * 201]
    refuses_all(Invalid, lambda bad: organizations.create_organization(world.admin, bad), bad_names)


def test_assigning_staff_makes_them_visible_to_that_organizations_clients(world):
    assert "Sam Okafor" not in names(people.list_people(world.ana))
    organizations.assign_staff(world.admin, world.northwind_id, world.sam.user_id, True)
    assert "Sam Okafor" in names(people.list_people(world.ana))
    assert people.get_person(world.ana, world.sam.user_id).name == "Sam Okafor"
    # ... and only to them.
    assert "Dana Whitfield" not in names(people.list_people(world.hank))
    organizations.assign_staff(world.admin, world.northwind_id, world.sam.user_id, False)
    assert "Sam Okafor" not in names(people.list_people(world.ana))


def test_assigning_twice_is_harmless(world):
    organizations.assign_staff(world.admin, world.northwind_id, world.sam.user_id, True)
    organizations.assign_staff(world.admin, world.northwind_id, world.sam.user_id, True)
    assert (
        organizations.get_organization(world.admin, world.northwind_id).organization.staff_count
        == 2
    )


def test_only_staff_can_be_assigned_to_a_client(world):
    with pytest.raises(Invalid, match="Only staff"):
        organizations.assign_staff(world.admin, world.northwind_id, world.hank.user_id, True)
    assert "Hank Scorpio" not in names(people.list_people(world.ana))


def test_staff_who_become_clients_are_no_longer_shown_to_the_clients_they_served(world):
    # Sam worked with Globex; he is now a Northwind client. Globex must not see him.
    people.update_person(world.admin, world.sam.user_id, "limited", world.northwind_id)
    assert "Sam Okafor" not in names(people.list_people(world.hank))
    with pytest.raises(NotFound):
        people.get_person(world.hank, world.sam.user_id)
    detail = organizations.get_organization(world.hank, world.globex_id)
    assert detail.staff == [] and detail.organization.staff_count == 0


def test_deactivated_staff_are_hidden_from_their_clients(world):
    people.set_active(world.admin, world.dana.user_id, False)
    assert "Dana Whitfield" not in names(people.list_people(world.ana))


# --- one's own account -----------------------------------------------------------------


def test_anyone_can_change_their_own_name(world):
    assert people.update_own_name(world.hank, "  Hank   Scorpio Sr. ") == "Hank Scorpio Sr."
    assert people.get_person(world.mindy, world.hank.user_id).name == "Hank Scorpio Sr."


def test_own_name_must_be_sensible(world):
    refuses_all(
        Invalid, lambda bad: people.update_own_name(world.hank, bad), ["", "  ", None, "x" * 121]
    )
    assert people.get_person(world.hank, world.hank.user_id).name == "Hank Scorpio"


NEW_PASSWORD = "velvet thunder canyon"  # noqa: S105


def test_changing_own_password_keeps_this_session_and_ends_the_others(world, session_for):
    here, elsewhere = session_for(world.ana), session_for(world.ana)
    colleague = session_for(world.thomas)
    people.change_own_password(world.ana, world.password, NEW_PASSWORD, keep_session_token=here)
    assert sessions.resolve(here) == world.ana
    assert sessions.resolve(elsewhere) is None
    assert sessions.resolve(colleague) == world.thomas
    from portal_app.services import auth

    assert auth.sign_in("ana@northwind.example", NEW_PASSWORD, ip="").user_id == world.ana.user_id


def test_changing_own_password_needs_the_current_one(world, database, session_for):
    token = session_for(world.ana)
    before = snapshot(database)
    with pytest.raises(Invalid, match="current password") as refused:
        people.change_own_password(world.ana, "not my password", NEW_PASSWORD)
    assert refused.value.field == "current_password"
    with pytest.raises(Invalid):
        people.change_own_password(world.ana, None, NEW_PASSWORD)
    assert snapshot(database) == before
    assert sessions.resolve(token) == world.ana


def test_new_own_password_follows_the_rules(world, database):
    before = snapshot(database)
    with pytest.raises(Invalid, match="at least 12"):
        people.change_own_password(world.ana, world.password, "short")
    assert snapshot(database) == before


def test_a_stale_assignment_never_shows_a_client_to_another_organization(world):
    from portal_app.db import session_scope

    # However it came about, a client linked as "staff" of Globex stays hidden from Globex.
    with session_scope() as session:
        session.add(OrganizationStaff(organization_id=world.globex_id, user_id=world.ana.user_id))
    assert names(people.list_people(world.hank)) == GLOBEX_VIEW
    with pytest.raises(NotFound):
        people.get_person(world.hank, world.ana.user_id)
