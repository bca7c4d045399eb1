"""The ``portal`` command: the first administrator and the demo data."""

from __future__ import annotations

import re

from portal_app import cli
from portal_app.models import Organization, OrganizationStaff, Role, User
from portal_app.services import auth

ADMIN_PASSWORD = "first admin passphrase"  # noqa: S105


def test_create_admin_if_missing_creates_one_admin_once(database, capsys):
    argv = ["create-admin", "--if-missing", "--email", "Boss@Firm.example"]
    assert cli.main([*argv, "--password", ADMIN_PASSWORD, "--name", "Bea Boss"]) == 0
    out = capsys.readouterr().out
    assert "Administrator ready. Sign in at http://localhost:3000/login as Boss@Firm.example" in out
    assert "Password" not in out  # given, so not echoed
    (admin,) = database.rows(User)
    assert (admin.email, admin.display_name, admin.role) == (
        "boss@firm.example",
        "Bea Boss",
        "admin",
    )
    assert auth.sign_in("boss@firm.example", ADMIN_PASSWORD, ip="").user_id == admin.id

    assert cli.main([*argv, "--password", "another admin passphrase"]) == 0
    assert "An administrator already exists. Sign in at http://localhost:3000/login" in (
        capsys.readouterr().out
    )
    assert len(database.rows(User)) == 1


def test_create_admin_without_a_password_prints_a_generated_one_once(database, capsys):
    assert cli.main(["create-admin", "--if-missing"]) == 0
    out = capsys.readouterr().out
    assert "as admin@portal.local" in out
    password = re.search(r"Password \(shown once.*\): (\S+)", out).group(1)
    assert len(password) >= 20
    (admin,) = database.rows(User)
    assert password not in database.dump()
    assert auth.sign_in("admin@portal.local", password, ip="").user_id == admin.id


def test_create_admin_refuses_a_weak_password(database, capsys):
    code = cli.main(["create-admin", "--email", "boss@firm.example", "--password", "short"])
    assert code == 2
    assert "Could not create the administrator: Use at least 12 characters." in (
        capsys.readouterr().err
    )
    assert database.rows(User) == []


def test_create_admin_reads_the_environment(database, capsys, monkeypatch):
    monkeypatch.setenv("PORTAL_ADMIN_EMAIL", "ops@firm.example")
    monkeypatch.setenv("PORTAL_ADMIN_PASSWORD", ADMIN_PASSWORD)
    assert cli.main(["create-admin", "--if-missing"]) == 0
    assert "as ops@firm.example" in capsys.readouterr().out
    assert [u.email for u in database.rows(User)] == ["ops@firm.example"]


def test_seed_demo_builds_two_client_organizations_and_is_idempotent(database, capsys):
    assert cli.main(["seed-demo"]) == 0
    assert "Demo data ready" in capsys.readouterr().out
    first = sorted((u.email, u.role, u.organization_id) for u in database.rows(User))
    assert cli.main(["seed-demo"]) == 0
    assert sorted((u.email, u.role, u.organization_id) for u in database.rows(User)) == first

    orgs = {o.name: o.id for o in database.rows(Organization)}
    assert set(orgs) == {"Northwind Traders", "Globex Corporation"}
    assert len(database.rows(OrganizationStaff)) == 2
    clients = [u for u in database.rows(User) if u.role == Role.LIMITED]
    assert len(clients) == 4
    assert {u.organization_id for u in clients} == set(orgs.values())
    assert len([u for u in database.rows(User) if u.role == Role.STAFF]) == 2
    assert auth.sign_in("ana@northwind.example", cli.DEMO_PASSWORD, ip="").user_id
