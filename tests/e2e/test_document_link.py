"""A document shared by a password-protected web link, in the browser: staff make the
link from the file's row on the page; someone with no account opens it, is asked for the
password, is refused a wrong one and gets the file with the right one.

The world (built once through the services, in the server's database): a page
"Engagement terms" for one client organization, with the firm's engagement letter.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from portal_app.services import files, organizations
from tests.e2e.support import assert_accessible, screenshot
from tests.e2e.support_world import ADMIN_EMAIL, ADMIN_PASSWORD, admin_actor, sign_in
from tests.support.pages import build_page

LETTER = b"%PDF-1.7\n% engagement letter for Harbor Freight Partners\n" + b"0" * 2000
LINK_PASSWORD = "copper kettle 1906"  # noqa: S105  (test fixture)
PAGE_ERRORS: list[str] = []


@dataclass
class World:
    slug: str
    file_id: int


@pytest.fixture(scope="module")
def world(portal_server, admin_account) -> World:
    from tests.e2e.support import server_env

    with server_env(portal_server):
        return _build()


def _build() -> World:
    admin = admin_actor()
    org = organizations.create_organization(admin, "Harbor Freight Partners")
    page = build_page(
        admin,
        "Engagement terms",
        [("attachments", {"title": "Documents", "description": ""})],
        organizations={org.id: "view"},
    )
    letter = files.save_upload(
        admin, page.id, page.widget("attachments"), "Engagement letter.pdf", [LETTER], ""
    )
    assert letter.id is not None
    return World(slug=page.slug, file_id=letter.id)


@pytest.fixture(autouse=True)
def _no_page_errors():
    PAGE_ERRORS.clear()
    yield
    assert not PAGE_ERRORS, PAGE_ERRORS


def _context(browser: Browser, portal_server, width: int = 1280, height: int = 900):
    context: BrowserContext = browser.new_context(
        base_url=portal_server.url,
        viewport={"width": width, "height": height},
        accept_downloads=True,
    )
    page = context.new_page()
    page.on("pageerror", lambda error: PAGE_ERRORS.append(str(error)))
    return page


def _make_link(staff: Page, world: World, *, password: str, shot: str) -> str:
    staff.goto(f"/pages/{world.slug}")
    row = staff.get_by_test_id("file-row").filter(has_text="Engagement letter.pdf")
    row.get_by_role("button", name="Share a link to Engagement letter.pdf").click()
    dialog = staff.get_by_role("dialog", name="Share a link to this document")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Password (optional)").fill(password)
    assert_accessible(staff, "share a document: the form")
    screenshot(staff, f"{shot}_form", full_page=False)
    dialog.get_by_role("button", name="Create link").click()
    url_box = dialog.get_by_test_id("share-url")
    expect(url_box).to_be_visible(timeout=15_000)
    url = url_box.input_value()
    assert "/s/" in url
    assert_accessible(staff, "share a document: the link")
    screenshot(staff, f"{shot}_made", full_page=False)
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_have_count(0)
    return url


def test_staff_share_a_document_with_a_password_web_link(
    browser: Browser, portal_server, world: World
):
    staff = _context(browser, portal_server)
    sign_in(staff, ADMIN_EMAIL, ADMIN_PASSWORD)
    # Too short a password is refused next to its field, and nothing is made.
    staff.goto(f"/pages/{world.slug}")
    staff.get_by_role("button", name="Share a link to Engagement letter.pdf").click()
    dialog = staff.get_by_role("dialog", name="Share a link to this document")
    dialog.get_by_label("Password (optional)").fill("short")
    dialog.get_by_role("button", name="Create link").click()
    expect(dialog.get_by_role("alert")).to_have_text("A link password needs 8 to 256 characters.")
    expect(dialog.get_by_test_id("share-url")).to_have_count(0)
    dialog.get_by_role("button", name="Cancel").click()

    url = _make_link(staff, world, password=LINK_PASSWORD, shot="document_link")
    path = "/s/" + url.split("/s/", 1)[1]
    staff.context.close()

    # Someone with no account, on a phone.
    visitor = _context(browser, portal_server, width=390, height=844)
    visitor.goto(path)
    expect(visitor.get_by_role("heading", name="Enter the password")).to_be_visible()
    assert_accessible(visitor, "a document link's password page")
    screenshot(visitor, "document_link_password_phone")
    visitor.get_by_label("Password").fill("not the password")
    visitor.get_by_role("button", name="Open").click()
    expect(visitor.get_by_role("alert")).to_have_text("That password isn't right.")
    screenshot(visitor, "document_link_wrong_password_phone")
    visitor.get_by_label("Password").fill(LINK_PASSWORD)
    # A PDF opens in the browser (inline), from the short-lived signed address.
    with visitor.expect_response(lambda r: "/s/file/" in r.url) as served:
        visitor.get_by_role("button", name="Open").click()
    response = served.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert 'filename="Engagement letter.pdf"' in response.headers["content-disposition"]
    # Chromium shows it in its PDF viewer; the bytes at that address are the letter's.
    assert visitor.context.request.get(response.url).body() == LETTER
    visitor.context.close()


def test_a_document_link_made_in_the_browser_stops_when_deactivated(
    browser: Browser, portal_server, world: World
):
    from portal_app.services import sharing

    staff = _context(browser, portal_server, width=390, height=844)
    sign_in(staff, ADMIN_EMAIL, ADMIN_PASSWORD)
    url = _make_link(staff, world, password=LINK_PASSWORD, shot="document_link_phone")
    staff.context.close()
    # The newest share of the letter is the one just made.
    newest = sharing.list_shares(admin_actor(), {"query": "Engagement letter", "status": "active"})
    sharing.set_status(admin_actor(), [newest[0].id], "deactivated")
    visitor = _context(browser, portal_server)
    response = visitor.goto("/s/" + url.split("/s/", 1)[1])
    assert response is not None and response.status == 404
    expect(visitor.get_by_role("heading", name="This link is no longer available")).to_be_visible()
    assert_accessible(visitor, "a deactivated link")
    visitor.context.close()
