"""Sharing from the editor: staff invite a guest from Page ▾ » Permissions &
subscribers, the guest's mailed link opens that one page and nothing else, and what
the guest writes shows their name with "Guest"; a secured link sends an anonymous
visitor to sign in first."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from portal_app.services import sharing
from tests.e2e.support import assert_accessible, screenshot
from tests.e2e.support_world import add_person, admin_actor, organization_id, sign_in
from tests.support.pages import build_page

PASSWORD = "copper meadow lantern"  # noqa: S105
GUEST_EMAIL = "grace@outside.example"
GUEST_NAME = "Grace Guest"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _open_sharing_tab(staff: Page, page_id: int) -> None:
    staff.goto(f"/editor/{page_id}")
    staff.locator("#page-menu").click()
    staff.get_by_role("menuitem", name="Permissions & subscribers").click()
    tab = staff.get_by_role("tab", name="Others outside your organization")
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")


def _no_portal_chrome(page: Page) -> None:
    """A guest's shell: no navigation, search or account; who they are and "Leave"."""
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    expect(page.get_by_role("search")).to_have_count(0)
    expect(page.get_by_role("link", name="Search")).to_have_count(0)
    expect(page.locator("#person-menu")).to_have_count(0)
    expect(page.get_by_role("button", name="Open navigation")).to_have_count(0)
    expect(page.get_by_test_id("guest-identity")).to_contain_text(GUEST_NAME)
    expect(page.get_by_role("button", name="Leave")).to_be_visible()


def test_staff_invites_a_guest_who_sees_only_the_page_and_comments_as_guest(
    browser: Browser, portal_server, admin_account, smtp_server
):
    admin = admin_actor()
    room = build_page(admin, "Deal room: Harbour Bakery", [("discussion", None)])
    other = build_page(admin, "Internal pricing notes", [("rich_text", None)])

    staff_context = browser.new_context(base_url=portal_server.url, viewport=DESKTOP)
    staff = staff_context.new_page()
    sign_in(staff, *admin_account)
    _open_sharing_tab(staff, room.id)
    expect(staff.get_by_test_id("no-shares")).to_contain_text("Not shared outside yet")
    assert_accessible(staff, "sharing tab, empty")
    screenshot(staff, "share_tab_empty_1280", full_page=False)

    # A wrong address is refused next to the field.
    staff.get_by_label("E-mail addresses").fill("jane.example.com")
    staff.get_by_role("button", name="Invite").click()
    expect(staff.get_by_text("isn't an e-mail address")).to_be_visible()

    before = len(smtp_server.messages)
    staff.get_by_label("E-mail addresses").fill(f"{GUEST_NAME} <{GUEST_EMAIL}>")
    staff.get_by_label("Message (optional)").fill("Here is the deal room we talked about.")
    contribute = staff.get_by_role("switch", name="Can contribute (comment, answer forms)")
    contribute.click()
    expect(contribute).to_be_checked()
    staff.get_by_role("button", name="Invite").click()
    expect(staff.locator("#share-invite-notice")).to_contain_text("1 guest invited")
    rows = staff.get_by_test_id("share-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(GUEST_EMAIL)
    expect(rows.first).to_contain_text("can contribute")
    expect(staff.get_by_label("E-mail addresses")).to_have_value("")
    assert_accessible(staff, "sharing tab, one guest")
    screenshot(staff, "share_tab_1280", full_page=False)
    staff.set_viewport_size(PHONE)
    staff.get_by_role("heading", name="Shared outside").scroll_into_view_if_needed()
    screenshot(staff, "share_tab_390", full_page=False)
    assert_accessible(staff, "sharing tab at phone width")
    staff.set_viewport_size(DESKTOP)

    invitation = smtp_server.wait_for(to=GUEST_EMAIL, subject="Deal room", after=before)
    assert "Here is the deal room we talked about." in invitation.text
    (link,) = [url for url in invitation.links if "/s/" in url]

    # The guest, in a browser of their own: the page and nothing else.
    guest_context = browser.new_context(base_url=portal_server.url, viewport=DESKTOP)
    guest = guest_context.new_page()
    guest.goto(link)
    expect(guest).to_have_url(re.compile(rf"/pages/{room.slug}$"))
    expect(guest.locator("#page-title")).to_have_text("Deal room: Harbour Bakery")
    _no_portal_chrome(guest)
    assert_accessible(guest, "guest view")

    discussion = guest.get_by_test_id("discussion")
    box = discussion.get_by_label("Add a comment")
    box.fill("Thanks! Could we see the lease terms too?")
    box.press("Control+Enter")
    expect(guest.get_by_text("Comment posted.")).to_be_visible()
    comment = discussion.get_by_test_id("comment").first
    expect(comment).to_contain_text(GUEST_NAME)
    expect(comment.get_by_text("Guest", exact=True)).to_be_visible()
    assert_accessible(guest, "guest view with their comment")
    screenshot(guest, "guest_view_1280")
    guest.set_viewport_size(PHONE)
    _no_portal_chrome(guest)
    screenshot(guest, "guest_view_390")
    guest.set_viewport_size(DESKTOP)

    # Any other address of the portal is "not found" for them.
    for path in (f"/pages/{other.slug}", "/", "/people", "/search?q=pricing"):
        guest.goto(path)
        expect(guest.get_by_text("We couldn't find that page")).to_be_visible(timeout=15_000)
        # Their one page is the only place they have: no "home page" to send them to.
        expect(guest.get_by_role("button", name="Go to the home page")).to_have_count(0)
        expect(guest.get_by_text("Internal pricing notes")).to_have_count(0)
        _no_portal_chrome(guest)
    assert_accessible(guest, "another page, as the guest")

    # Staff see the guest's comment with the badge.
    staff.goto(f"/pages/{room.slug}")
    staff_comment = staff.get_by_test_id("discussion").get_by_test_id("comment").first
    expect(staff_comment).to_contain_text("Could we see the lease terms too?")
    expect(staff_comment).to_contain_text(GUEST_NAME)
    expect(staff_comment.get_by_text("Guest", exact=True)).to_be_visible()
    expect(staff_comment).to_contain_text("Only staff and this guest read it")
    assert_accessible(staff, "page with a guest's comment, as staff")
    # Staff may show it to everyone on the page (tests/unit/test_sharing.py checks who
    # then reads it), and keep it private again.
    staff_comment.get_by_role("button", name="Show to everyone").click()
    expect(staff_comment).to_contain_text("Shown to everyone on this page")
    screenshot(staff, "guest_comment_shown_1280", full_page=False)
    staff_comment.get_by_role("button", name="Keep between staff and the guest").click()
    expect(staff_comment).to_contain_text("Only staff and this guest read it")

    # "Leave" ends the guest session: their page no longer opens without the link.
    guest.goto(f"/pages/{room.slug}")
    expect(guest.locator("#page-title")).to_be_visible()
    guest.get_by_role("button", name="Leave").click()
    expect(guest).to_have_url(re.compile(r"/login"), timeout=15_000)
    guest.goto(f"/pages/{room.slug}")
    expect(guest).to_have_url(re.compile(r"/login"), timeout=15_000)

    # Deactivating the share from the tab ends the link.
    _open_sharing_tab(staff, room.id)
    staff.get_by_role("button", name=f"Deactivate Guest · {GUEST_EMAIL}").click()
    expect(staff.get_by_test_id("share-row").first).to_contain_text("Deactivated")
    fresh = browser.new_context(base_url=portal_server.url).new_page()
    fresh.goto(link)
    expect(fresh.get_by_text("no longer available").first).to_be_visible()
    fresh.context.close()
    staff_context.close()
    guest_context.close()


def test_a_secured_link_sends_an_anonymous_visitor_to_sign_in_then_opens_the_page(
    browser: Browser, portal_server, admin_account
):
    admin = admin_actor()
    bakery = organization_id("Harbour Bakery")
    add_person("bea@harbourbakery.example", "Bea Baker", "limited", bakery, PASSWORD)
    page = build_page(admin, "Harbour Bakery: year-end", [], organizations={bakery: "view"})

    staff_context = browser.new_context(base_url=portal_server.url, viewport=DESKTOP)
    staff = staff_context.new_page()
    sign_in(staff, *admin_account)
    _open_sharing_tab(staff, page.id)
    staff.get_by_text("Secured link", exact=True).click()
    expect(staff.locator("#share-link-password")).to_have_count(0)
    staff.get_by_role("button", name="Create link").click()
    panel = staff.get_by_test_id("share-new-link-panel")
    expect(panel).to_contain_text("won't be shown again")
    url = staff.locator("#share-new-link").input_value()
    assert re.search(r"/s/[A-Za-z0-9_-]{40,}$", url), url
    expect(staff.get_by_test_id("share-row").first).to_contain_text("Secured link")
    assert_accessible(staff, "sharing tab with a new link")
    screenshot(staff, "share_tab_new_link_1280", full_page=False)
    staff.set_viewport_size(PHONE)
    panel.scroll_into_view_if_needed()
    screenshot(staff, "share_tab_new_link_390", full_page=False)
    staff.set_viewport_size(DESKTOP)

    # Closed and opened again, the dialog no longer has the address.
    staff.keyboard.press("Escape")
    expect(staff.get_by_role("dialog")).to_have_count(0)
    _open_sharing_tab(staff, page.id)
    expect(staff.get_by_test_id("share-new-link-panel")).to_have_count(0)
    assert sharing.link_url("x")[:-1] in url

    # Anonymous: sent to sign in; signed in as a client who may see it, the page opens.
    visitor = browser.new_context(base_url=portal_server.url, viewport=DESKTOP).new_page()
    visitor.goto(url)
    expect(visitor).to_have_url(re.compile(r"/login/?\?next="))
    visitor.wait_for_function("typeof window.portalSubmit === 'function'", timeout=30_000)
    assert_accessible(visitor, "sign-in after a secured link")
    visitor.get_by_label("E-mail").fill("bea@harbourbakery.example")
    visitor.get_by_label("Password").fill(PASSWORD)
    visitor.get_by_role("button", name="Sign in").click()
    expect(visitor).to_have_url(re.compile(rf"/pages/{page.slug}$"), timeout=30_000)
    expect(visitor.locator("#page-title")).to_have_text("Harbour Bakery: year-end")
    assert_accessible(visitor, "page opened by a secured link")
    visitor.context.close()
    staff_context.close()
