"""A guest whose share ends while their page is open is told so, not asked to sign in
to an account they don't have."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from portal_app.services import organizations, sessions, sharing
from tests.e2e.support import assert_accessible, screenshot, server_env
from tests.e2e.support_world import admin_actor
from tests.support.pages import build_page


@pytest.fixture(scope="module")
def link_path(portal_server, admin_account) -> tuple[str, int]:
    with server_env(portal_server):
        admin = admin_actor()
        org = organizations.create_organization(admin, "Lakeside Dental Group")
        page = build_page(
            admin,
            "Lakeside onboarding",
            [("rich_text", {"html": "<p>Welcome to the onboarding checklist.</p>"})],
            organizations={org.id: "view"},
        )
        link = sharing.create_link(admin, "web", "page", page.id)
        return "/s/" + link.url.split("/s/", 1)[1], link.share_id


def test_a_guest_is_told_when_their_share_ends(browser: Browser, portal_server, link_path):
    path, share_id = link_path
    context = browser.new_context(
        base_url=portal_server.url, viewport={"width": 390, "height": 844}
    )
    guest = context.new_page()
    guest.goto(path)
    expect(guest.locator("#page-title")).to_have_text("Lakeside onboarding", timeout=20_000)
    expect(guest.get_by_text("Welcome to the onboarding checklist.")).to_be_visible()

    sharing.set_status(admin_actor(), [share_id], "deactivated")
    expect(
        guest.get_by_role("heading", name="This shared page is no longer available")
    ).to_be_visible(timeout=20_000)
    assert guest.url.endswith(sharing.GUEST_ENDED_PATH)
    assert_accessible(guest, "a guest's share ended")
    screenshot(guest, "guest_share_ended_phone")
    cookies = {c["name"]: c["value"] for c in context.cookies()}
    assert sessions.COOKIE_NAME not in cookies, "the ended guest cookie is dropped"
    context.close()
