"""The foundation, as people use it: sign in, invite a client, the client joins,
stays out of Settings, is signed out when deactivated; throttled sign-in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from portal_app.services import organizations
from portal_app.services.sessions import COOKIE_NAME
from tests.e2e.support import assert_accessible, screenshot
from tests.e2e.support_world import add_person, admin_actor, sign_in


def test_admin_invites_client_who_joins_and_is_signed_out_when_deactivated(
    browser: Browser, admin_account, smtp_server, portal_server
):
    admin_ctx = browser.new_context(
        base_url=portal_server.url, viewport={"width": 1280, "height": 860}
    )
    admin = admin_ctx.new_page()

    admin.goto("/login")
    expect(admin.get_by_role("heading", name="Sign in")).to_be_visible()
    assert_accessible(admin, "sign-in")
    screenshot(admin, "sign_in")

    sign_in(admin, *admin_account)
    expect(admin.locator("#welcome")).to_contain_text("Olivia Owner")
    assert_accessible(admin, "admin home")

    # The session cookie is HttpOnly: page scripts can't read it.
    assert admin.evaluate("document.cookie") == ""
    cookie = next(c for c in admin_ctx.cookies() if c["name"] == COOKIE_NAME)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    # Settings » Clients: create the client organization.
    admin.get_by_role("link", name="Clients").click()
    expect(admin.get_by_role("heading", name="Client organizations", exact=True)).to_be_visible()
    assert_accessible(admin, "clients")
    admin.locator("#new-organization").click()
    admin.get_by_label("Name").fill("Northwind Traders")
    admin.get_by_role("button", name="Create organization").click()
    expect(
        admin.get_by_test_id("organization-row").filter(has_text="Northwind Traders")
    ).to_have_count(1)

    # Settings » People: invite a client of that organization.
    admin.locator("nav").get_by_role("link", name="People").nth(1).click()
    expect(admin.get_by_test_id("person-row").filter(has_text="owner@firm.example")).to_have_count(
        1
    )
    admin.locator("#open-invite").click()
    dialog = admin.get_by_role("dialog")
    dialog.get_by_label("E-mail").fill("ana@northwind.example")
    dialog.locator("#invite-organization").click()
    admin.get_by_role("option", name="Northwind Traders").click()
    # A refused invitation (an async generator handler with shows_refusals(invalid=...)):
    # the reason next to the e-mail field, and the button usable again.
    dialog.get_by_label("E-mail").fill("owner@firm.example")
    dialog.get_by_role("button", name="Send invitation").click()
    expect(dialog.get_by_text("This person already has an account.")).to_be_visible()
    expect(dialog.get_by_role("button", name="Send invitation")).to_be_enabled()
    dialog.get_by_label("E-mail").fill("ana@northwind.example")
    dialog.get_by_label("Personal message (optional)").fill("Welcome aboard, Ana!")
    assert_accessible(admin, "invite dialog")
    sent_before = len(smtp_server.messages)
    dialog.get_by_role("button", name="Send invitation").click()
    expect(admin.get_by_text("Invitation sent to ana@northwind.example")).to_be_visible()
    expect(admin.get_by_role("cell", name="ana@northwind.example")).to_be_visible()
    assert_accessible(admin, "people with a pending invitation")
    screenshot(admin, "settings_people")

    # The invitation arrives over real SMTP; the client opens its link.
    message = smtp_server.wait_for(
        to="ana@northwind.example", subject="invited you", after=sent_before, timeout=15
    )
    assert "Welcome aboard, Ana!" in message.text
    link = next(url for url in message.links if "/invite/" in url)
    assert link.startswith(portal_server.url)

    client_ctx = browser.new_context(
        base_url=portal_server.url, viewport={"width": 390, "height": 844}
    )
    client = client_ctx.new_page()
    client.goto(link)
    expect(client.get_by_text("Northwind Traders")).to_be_visible()
    assert_accessible(client, "invitation")
    client.get_by_label("Your name").fill("Ana Trujillo")
    client.get_by_label("Choose a password").fill("short")
    client.get_by_role("button", name="Create my account").click()
    expect(client.get_by_text("Use at least 12 characters.")).to_be_visible()
    client.get_by_label("Choose a password").fill("teapot meadow chronicle")
    client.get_by_role("button", name="Create my account").click()
    expect(client.locator("#welcome")).to_contain_text("Ana Trujillo", timeout=20_000)
    expect(client.get_by_role("heading", name="People you work with")).to_be_visible()
    assert_accessible(client, "client home (phone)")
    screenshot(client, "client_home_phone")

    # The invitation link works once.
    reuse = client_ctx.new_page()
    reuse.goto(link)
    expect(reuse.get_by_text("expired or was already used")).to_be_visible()
    reuse.close()

    # The client can't open Settings: a clear 403 page, and no admin data.
    client.goto("/settings/people")
    expect(client.get_by_text("You don't have access to this page")).to_be_visible()
    expect(client.get_by_text("owner@firm.example")).to_have_count(0)
    assert_accessible(client, "403")
    screenshot(client, "client_403")

    client.goto("/")
    expect(client.locator("#welcome")).to_be_visible()

    # The admin deactivates the client...
    admin.reload()
    row = admin.get_by_test_id("person-row").filter(has_text="ana@northwind.example")
    row.get_by_role("button", name="Actions for Ana Trujillo").click()
    admin.get_by_role("menuitem", name="Deactivate").click()
    admin.locator("#confirm-active").click()
    expect(admin.get_by_text("Ana Trujillo was deactivated and signed out")).to_be_visible()

    # ...and the client's open tab goes to the sign-in page by itself (its live
    # watcher saw the session end), without any action of theirs.
    expect(client).to_have_url(re.compile(r"/login\?"), timeout=15_000)
    expect(client.get_by_text("Your session has ended")).to_be_visible()

    # A deactivated client can't sign back in.
    client.get_by_label("E-mail").fill("ana@northwind.example")
    client.get_by_label("Password").fill("teapot meadow chronicle")
    client.get_by_role("button", name="Sign in").click()
    expect(client.get_by_text("don't match an account")).to_be_visible()

    admin_ctx.close()
    client_ctx.close()


@pytest.fixture
def forget_sign_in_attempts():
    """Every browser here signs in from 127.0.0.1: start from a clean count and leave
    one for the next test."""
    from sqlalchemy import delete

    from portal_app.db import session_scope
    from portal_app.models import LoginAttempt

    with session_scope() as session:
        session.execute(delete(LoginAttempt))
    yield
    with session_scope() as session:
        session.execute(delete(LoginAttempt))


def test_wrong_password_five_times_shows_throttle_message(
    page: Page, admin_account, forget_sign_in_attempts
):
    page.goto("/login")
    page.get_by_label("E-mail").fill("someone@firm.example")
    for attempt in range(1, 6):
        page.get_by_label("Password").fill(f"not the password {attempt}")
        page.get_by_role("button", name="Sign in").click()
        if attempt < 5:
            expect(page.get_by_text("don't match an account")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Too many attempts\. Try again in \d+ seconds"))
    ).to_be_visible()
    assert_accessible(page, "throttled sign-in")
    screenshot(page, "sign_in_throttled")


def test_unknown_address_gets_a_404_page(page: Page, admin_account):
    sign_in(page, *admin_account)
    page.goto("/no-such-page")
    expect(page.get_by_text("We couldn't find that page")).to_be_visible()
    assert_accessible(page, "404")


def test_client_sees_only_their_organizations_people(
    browser: Browser, admin_account, portal_server
):
    contoso = organizations.create_organization(admin_actor(), "Contoso Ltd")
    globex = organizations.create_organization(admin_actor(), "Globex Corporation")
    password = "violet harbour sandwich"  # noqa: S105

    add_person("carla@contoso.example", "Carla Contoso", "limited", contoso.id, password)
    add_person("cole@contoso.example", "Cole Contoso", "limited", contoso.id, password)
    add_person("gina@globex.example", "Gina Globex", "limited", globex.id, password)

    context = browser.new_context(base_url=portal_server.url)
    page = context.new_page()
    sign_in(page, "carla@contoso.example", password)
    page.goto("/people")
    expect(page.get_by_text("Cole Contoso")).to_be_visible()
    expect(page.get_by_text("Gina Globex")).to_have_count(0)
    expect(page.get_by_text("gina@globex.example")).to_have_count(0)
    expect(page.get_by_text("Olivia Owner")).to_have_count(0)
    assert_accessible(page, "client people directory")
    context.close()
