"""One's own account in the browser: forgotten password by e-mail link, changing the
password and name, signing out everywhere."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from portal_app.services import organizations
from tests.e2e.support import assert_accessible, screenshot
from tests.e2e.support_world import add_person, admin_actor, sign_in

PASSWORD = "meadow trumpet anchor"  # noqa: S105


def test_forgotten_password_by_email_link(page: Page, admin_account, smtp_server):
    org = organizations.create_organization(admin_actor(), "Initech")
    add_person("peter@initech.example", "Peter Gibbons", "limited", org.id, PASSWORD)

    page.goto("/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    assert_accessible(page, "forgot password")
    before = len(smtp_server.messages)
    page.get_by_label("E-mail").fill("peter@initech.example")
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_text("If an account uses that address")).to_be_visible()

    message = smtp_server.wait_for(to="peter@initech.example", subject="Reset", after=before)
    link = next(url for url in message.links if "/reset/" in url)
    page.goto(link)
    expect(page.get_by_text("peter@initech.example")).to_be_visible()
    assert_accessible(page, "choose a new password")
    page.get_by_label("New password").fill("password")
    page.get_by_role("button", name="Save password and sign in").click()
    expect(page.get_by_text("Use at least 12 characters.")).to_be_visible()
    page.get_by_label("New password").fill("gravel sonnet umbrella")
    page.get_by_role("button", name="Save password and sign in").click()
    expect(page.locator("#welcome")).to_contain_text("Peter Gibbons", timeout=20_000)

    # The link worked once.
    page.goto(link)
    expect(page.get_by_text("expired or was already used")).to_be_visible()

    # An unknown address gets the very same answer, and no mail.
    page.goto("/forgot")
    count = len(smtp_server.messages)
    page.get_by_label("E-mail").fill("nobody@initech.example")
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_text("If an account uses that address")).to_be_visible()
    page.wait_for_timeout(500)
    assert len(smtp_server.messages) == count


def test_change_name_and_password_then_sign_out_everywhere(
    browser: Browser, portal_server, admin_account
):
    org = organizations.create_organization(admin_actor(), "Umbrella Partners")
    add_person("alice@umbrella.example", "Alice Abernathy", "limited", org.id, PASSWORD)
    first = browser.new_context(base_url=portal_server.url).new_page()
    second = browser.new_context(base_url=portal_server.url).new_page()
    sign_in(first, "alice@umbrella.example", PASSWORD)
    sign_in(second, "alice@umbrella.example", PASSWORD)

    first.get_by_role("button", name="Your account").click()
    first.get_by_role("menuitem", name="Account").click()
    expect(first.get_by_role("heading", name="Profile")).to_be_visible()
    assert_accessible(first, "account")
    first.get_by_label("Name").fill("Alice A. Abernathy")
    first.get_by_role("button", name="Save name").click()
    expect(first.get_by_text("Your name was saved.")).to_be_visible()

    first.get_by_label("Current password").fill("not my password at all")
    first.get_by_label("New password").fill("quartz violin harbor")
    first.get_by_role("button", name="Change password").click()
    expect(first.get_by_text("Your current password isn't right.")).to_be_visible()
    first.get_by_label("Current password").fill(PASSWORD)
    first.get_by_role("button", name="Change password").click()
    expect(first.get_by_text("Password changed.")).to_be_visible()
    screenshot(first, "account")

    # The other session was signed out by the password change...
    # (its open tab goes to the sign-in page by itself: the live watcher saw it end).
    expect(second).to_have_url(re.compile(r"/login\?"), timeout=15_000)

    # ...and "sign out everywhere" ends this one too.
    first.get_by_role("button", name="Your account").click()
    first.get_by_role("menuitem", name="Sign out everywhere").click()
    expect(first).to_have_url(re.compile(r"/login"), timeout=15_000)
    first.goto("/")
    expect(first).to_have_url(re.compile(r"/login\?"), timeout=15_000)
