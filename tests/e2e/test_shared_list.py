"""Settings » Sharing, as staff use it: every share in one list, filtered and searched;
a deactivated link is "no longer available", a password link to a document asks for
its password, an expired link says so; staff see only the shares of pages they may see;
the list exports as CSV; expiry, new links, the access log, removal and the policy."""

from __future__ import annotations

import csv
import io
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import select

from portal_app.db import session_scope
from portal_app.models import Share
from portal_app.services import files, grants, sharing
from portal_app.services.tokens import token_hash
from tests.e2e.support import assert_accessible, screenshot
from tests.e2e.support_world import add_person, admin_actor, sign_in
from tests.support.pages import build_page

LINK_PASSWORD = "orchard-lantern-417"  # noqa: S105
DOCUMENT = b"Ledger for the quarter: 1,204.50 paid, 310.00 open.\n"
STAFF_EMAIL = "sam.staffer@firm.example"
STAFF_PASSWORD = "copper kettle whistles"  # noqa: S105
CLIENT_EMAIL = "chris.client@outside.example"


def _context(browser: Browser, portal_server, width: int = 1280) -> BrowserContext:
    return browser.new_context(
        base_url=portal_server.url,
        viewport={"width": width, "height": 900 if width > 600 else 844},
        accept_downloads=True,
    )


def _signed_in(browser: Browser, portal_server, email: str, password: str, width: int = 1280):
    page = _context(browser, portal_server, width).new_page()
    sign_in(page, email, password)
    return page


def _open_list(page: Page) -> None:
    page.goto("/settings/sharing")
    expect(page.get_by_role("heading", name="Sharing", exact=True)).to_be_visible(timeout=20_000)


def _shot(page: Page, name: str) -> Path:
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    return screenshot(page, name)


def _row(page: Page, text: str):
    return page.get_by_test_id("share-row").filter(has_text=text)


def _choose(page: Page, trigger: str, option: str) -> None:
    page.locator(trigger).click()
    page.get_by_role("option", name=option, exact=True).click()


def _world(suffix: str) -> dict:
    """A page with a document, a password web link to each and a secured link."""
    admin = admin_actor()
    page = build_page(admin, f"Quarterly report {suffix}", [("attachments", None)])
    document = files.save_upload(
        admin, page.id, page.widget("attachments"), f"ledger-{suffix}.txt", [DOCUMENT]
    )
    return {
        "title": f"Quarterly report {suffix}",
        "file_name": f"ledger-{suffix}.txt",
        "page": page,
        "page_link": sharing.create_link(admin, "web", "page", page.id, password=LINK_PASSWORD),
        "document_link": sharing.create_link(
            admin, "web", "file", document.id, password=LINK_PASSWORD, download_limit=5
        ),
        "secured_link": sharing.create_link(admin, "secured", "page", page.id),
    }


def test_admin_filters_the_shared_list_and_a_deactivated_link_is_no_longer_available(
    browser: Browser, portal_server, admin_account
):
    world = _world(secrets.token_hex(3))
    title, file_name = world["title"], world["file_name"]
    admin = _signed_in(browser, portal_server, *admin_account)

    # Settings » Sharing from the navigation.
    admin.locator("nav").get_by_role("link", name="Sharing").click()
    expect(admin.get_by_role("heading", name="Sharing", exact=True)).to_be_visible(timeout=20_000)
    page_row = _row(admin, title).filter(has_text="Web link").filter(has_text="Page")
    document_row = _row(admin, file_name)
    expect(page_row).to_have_count(1)
    expect(document_row).to_have_count(1)
    expect(document_row).to_contain_text("Anyone with the link")
    expect(document_row).to_contain_text("Olivia Owner")
    expect(document_row).to_contain_text("0 of 5")
    expect(document_row.get_by_text("Active", exact=True)).to_be_visible()
    assert_accessible(admin, "shared list")
    _shot(admin, "shared_list_desktop")

    # Filter by kind, then search.
    _choose(admin, "#share-kind-filter", "Secured link")
    expect(_row(admin, title)).to_have_count(1)
    expect(_row(admin, title)).to_contain_text("People who may see it, after signing in")
    _choose(admin, "#share-kind-filter", "Web link")
    expect(_row(admin, title)).to_have_count(1)  # the page's web link; the document's below
    expect(document_row).to_have_count(1)
    admin.get_by_label("Search shares").fill(file_name)
    expect(admin.get_by_test_id("share-row")).to_have_count(1)
    expect(document_row).to_have_count(1)
    admin.get_by_label("Search shares").fill("no-such-share-" + secrets.token_hex(4))
    expect(admin.get_by_text("No share matches these filters")).to_be_visible()
    assert_accessible(admin, "shared list, nothing matches")
    admin.get_by_role("button", name="Clear filters").click()
    expect(page_row).to_have_count(1)
    expect(admin.get_by_label("Search shares")).to_have_value("")

    # Select the page's web link and deactivate it.
    admin.get_by_label("Search shares").fill(title)
    expect(page_row).to_have_count(1)
    page_row.get_by_role("checkbox").click()
    bar = admin.get_by_role("region", name="Actions for the selected shares")
    expect(bar).to_contain_text("1 selected")
    assert_accessible(admin, "shared list, one selected")
    bar.get_by_role("button", name="Deactivate").click()
    expect(admin.get_by_text("1 share deactivated")).to_be_visible()
    expect(page_row.get_by_text("Deactivated", exact=True)).to_be_visible()
    expect(bar).to_have_count(0)

    # The link, opened by anyone, is no longer available.
    visitor_ctx = _context(browser, portal_server)
    visitor = visitor_ctx.new_page()
    response = visitor.goto(world["page_link"].url)
    assert response is not None and response.status == 404
    expect(visitor.get_by_role("heading", name="This link is no longer available")).to_be_visible()
    assert_accessible(visitor, "link no longer available")
    visitor_ctx.close()

    # Reactivated, it asks for its password again.
    page_row.get_by_role("checkbox").click()
    bar.get_by_role("button", name="Reactivate").click()
    expect(admin.get_by_text("1 share reactivated")).to_be_visible()
    expect(page_row.get_by_text("Active", exact=True)).to_be_visible()
    answer = httpx.get(world["page_link"].url, timeout=30)
    assert answer.status_code == 200 and "Enter the password" in answer.text

    # At phone width the list stays usable: the table scrolls inside its own box.
    phone = _signed_in(browser, portal_server, *admin_account, width=390)
    _open_list(phone)
    expect(_row(phone, file_name)).to_have_count(1)
    overflow = phone.evaluate("document.documentElement.scrollWidth")
    assert overflow <= 390, f"the page is {overflow}px wide at 390px"
    assert_accessible(phone, "shared list (phone)")
    _shot(phone, "shared_list_phone")
    phone.context.close()
    admin.context.close()


def test_a_password_link_to_a_document_asks_for_the_password_and_serves_the_file(
    browser: Browser, portal_server, admin_account
):
    world = _world(secrets.token_hex(3))
    ctx = _context(browser, portal_server)
    visitor = ctx.new_page()
    visitor.goto(world["document_link"].url)
    expect(visitor.get_by_role("heading", name="Enter the password")).to_be_visible()
    assert_accessible(visitor, "share password form")

    visitor.get_by_label("Password").fill("not the password at all")
    visitor.get_by_role("button", name="Open").click()
    expect(visitor.get_by_role("alert")).to_contain_text("That password isn't right.")
    assert_accessible(visitor, "share password refused")

    visitor.get_by_label("Password").fill(LINK_PASSWORD)
    with visitor.expect_download() as download_info:
        visitor.get_by_role("button", name="Open").click()
    download = download_info.value
    assert download.suggested_filename == world["file_name"]
    assert Path(download.path()).read_bytes() == DOCUMENT
    ctx.close()

    rows = sharing.list_shares(admin_actor(), {"query": world["file_name"]})
    assert [row.downloads for row in rows] == ["1 of 5"]


def test_an_expired_link_shows_the_expiry_page(browser: Browser, portal_server, admin_account):
    world = _world(secrets.token_hex(3))
    with session_scope() as session:
        share = session.get(Share, world["page_link"].share_id)
        assert share is not None
        share.expires_at = datetime.now(UTC) - timedelta(seconds=5)
        session.add(share)

    ctx = _context(browser, portal_server)
    visitor = ctx.new_page()
    response = visitor.goto(world["page_link"].url)
    assert response is not None and response.status == 410
    expect(visitor.get_by_role("heading", name="This link has expired")).to_be_visible()
    assert_accessible(visitor, "link expired")
    ctx.close()

    admin = _signed_in(browser, portal_server, *admin_account)
    _open_list(admin)
    _choose(admin, "#share-status-filter", "Expired")
    expired = _row(admin, world["title"])
    expect(expired).to_have_count(1)
    expect(expired.get_by_text("Expired", exact=True)).to_be_visible()
    assert_accessible(admin, "shared list, expired")
    admin.context.close()


def test_staff_see_only_shares_of_pages_they_may_see(
    browser: Browser, portal_server, admin_account
):
    suffix = secrets.token_hex(3)
    admin = admin_actor()
    add_person(STAFF_EMAIL, "Sam Staffer", "staff", None, STAFF_PASSWORD)
    add_person(CLIENT_EMAIL, "Chris Client", "limited", None, STAFF_PASSWORD)
    open_page = build_page(admin, f"Open to staff {suffix}")
    hidden = build_page(admin, f"Partners only {suffix}")
    grants.set_permissions(admin, hidden.id, "restricted", [], [])
    sharing.create_link(admin, "secured", "page", open_page.id)
    sharing.create_link(admin, "secured", "page", hidden.id)

    staff = _signed_in(browser, portal_server, STAFF_EMAIL, STAFF_PASSWORD)
    # Staff reach the list from the sidebar; the admins' settings stay hidden.
    nav = staff.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Sharing").click()
    expect(staff.get_by_role("heading", name="Sharing", exact=True)).to_be_visible(timeout=20_000)
    expect(nav.get_by_role("link", name="Clients")).to_have_count(0)
    expect(nav.get_by_role("link", name="Outbox")).to_have_count(0)
    staff.get_by_label("Search shares").fill(suffix)
    expect(_row(staff, f"Open to staff {suffix}")).to_have_count(1)
    expect(_row(staff, f"Partners only {suffix}")).to_have_count(0)
    expect(staff.get_by_text(f"Partners only {suffix}")).to_have_count(0)
    # Not an administrator: no policy card.
    expect(staff.get_by_role("heading", name="Sharing policy")).to_have_count(0)
    assert_accessible(staff, "shared list as staff")
    csv_text = staff.context.request.get("/settings/sharing/shares.csv").text()
    assert f"Open to staff {suffix}" in csv_text
    assert f"Partners only {suffix}" not in csv_text
    staff.context.close()

    # A client gets the usual refusal, and nothing of the list.
    client = _signed_in(browser, portal_server, CLIENT_EMAIL, STAFF_PASSWORD)
    client.goto("/settings/sharing")
    expect(client.get_by_text("You don't have access to this page")).to_be_visible()
    expect(client.get_by_text(f"Open to staff {suffix}")).to_have_count(0)
    assert_accessible(client, "shared list refused to a client")
    refused = client.context.request.get("/settings/sharing/shares.csv")
    assert refused.status == 403
    assert "message" in refused.json()
    client.context.close()
    anonymous = httpx.get(f"{portal_server.url}/settings/sharing/shares.csv", timeout=30)
    assert anonymous.status_code == 401


def test_the_csv_export_downloads_the_rows(browser: Browser, portal_server, admin_account):
    world = _world(secrets.token_hex(3))
    admin = _signed_in(browser, portal_server, *admin_account)
    _open_list(admin)
    admin.get_by_label("Search shares").fill(world["title"])
    # The page's two shares and its document's: the search has reached the server.
    expect(admin.get_by_test_id("share-row")).to_have_count(3)
    with admin.expect_download() as download_info:
        admin.locator("#export-shares").click()
    download = download_info.value
    assert download.suggested_filename == "shares.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Kind", "Item", "Shared with"]
    # The search matches the page's title: its shares and its document's.
    items = sorted((row[0], row[1], row[5]) for row in rows[1:])
    assert items == [
        ("Secured link", world["title"], "no"),
        ("Web link", world["title"], "yes"),
        ("Web link", world["file_name"], "yes"),
    ]
    admin.context.close()


def test_expiry_new_link_access_log_remove_and_policy_from_the_shared_list(
    browser: Browser, portal_server, admin_account
):
    world = _world(secrets.token_hex(3))
    title = world["title"]
    old_url = world["page_link"].url
    # One use for the access log: the right password opens the page (as its guest).
    opened = httpx.post(old_url, data={"password": LINK_PASSWORD}, timeout=30)
    assert opened.status_code == 303
    admin = _signed_in(browser, portal_server, *admin_account)
    _open_list(admin)
    admin.get_by_label("Search shares").fill(title)
    web_row = _row(admin, title).filter(has_text="Web link")
    secured_row = _row(admin, title).filter(has_text="Secured link")
    expect(web_row).to_have_count(1)

    # The access log of the web link.
    web_row.get_by_role("button", name=f"Actions for the share of {title}").click()
    admin.get_by_role("menuitem", name="Access log").click()
    log = admin.get_by_role("dialog")
    expect(log.get_by_role("heading", name="Access log")).to_be_visible()
    expect(log.get_by_role("cell", name="127.0.0.1")).to_have_count(1)
    assert_accessible(admin, "access log")
    log.get_by_role("button", name="Close").click()
    expect(log).to_have_count(0)

    # A new link: shown once, the old one stops working.
    web_row.get_by_role("button", name=f"Actions for the share of {title}").click()
    admin.get_by_role("menuitem", name="New link").click()
    dialog = admin.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="New link")).to_be_visible()
    new_url = dialog.get_by_label("New link").input_value()
    assert new_url.startswith(portal_server.url + "/s/") and new_url != old_url
    assert_accessible(admin, "new link dialog")
    _shot(admin, "shared_list_new_link")
    dialog.get_by_role("button", name="Done").click()
    expect(dialog).to_have_count(0)
    assert httpx.get(old_url, timeout=30).status_code == 404
    assert httpx.get(new_url, timeout=30).status_code == 200
    new_token = new_url.rsplit("/", 1)[1]
    with session_scope() as session:
        share = session.get(Share, world["page_link"].share_id)
        assert share is not None and share.token_hash == token_hash(new_token)

    # Change the expiry of both: a past one is refused next to the field.
    web_row.get_by_role("checkbox").click()
    secured_row.get_by_role("checkbox").click()
    admin.get_by_role("button", name="Change expiry").click()
    expiry = admin.get_by_role("dialog")
    expiry.get_by_label("Expires at (UTC)").fill("2020-01-01T09:00")
    expiry.get_by_role("button", name="Save expiry").click()
    expect(expiry.get_by_text("The expiry must be in the future.")).to_be_visible()
    assert_accessible(admin, "expiry dialog with an error")
    soon = (datetime.now(UTC) + timedelta(days=10)).replace(hour=17, minute=0)
    expiry.get_by_label("Expires at (UTC)").fill(soon.strftime("%Y-%m-%dT%H:%M"))
    expiry.get_by_role("button", name="Save expiry").click()
    expect(admin.get_by_text("New expiry saved for 2 shares.")).to_be_visible()
    shown = soon.strftime("%d %b %Y, 17:00 UTC")
    expect(web_row).to_contain_text(shown)
    expect(secured_row).to_contain_text(shown)

    # One row's own menu: deactivate, then reactivate.
    secured_row.get_by_role("button", name=f"Actions for the share of {title}").click()
    admin.get_by_role("menuitem", name="Deactivate").click()
    expect(secured_row.get_by_text("Deactivated", exact=True)).to_be_visible()
    secured_row.get_by_role("button", name=f"Actions for the share of {title}").click()
    admin.get_by_role("menuitem", name="Reactivate").click()
    expect(secured_row.get_by_text("Active", exact=True)).to_be_visible()

    # Remove asks first, then the share is gone from the list and its link fails.
    secured_row.get_by_role("checkbox").click()
    bar = admin.get_by_role("region", name="Actions for the selected shares")
    bar.get_by_role("button", name="Remove").click()
    confirm = admin.get_by_role("alertdialog")
    expect(confirm).to_contain_text("can't be undone")
    assert_accessible(admin, "remove confirmation")
    confirm.get_by_role("button", name="Remove").click()
    expect(admin.get_by_text("1 share removed")).to_be_visible()
    expect(secured_row).to_have_count(0)
    expect(web_row).to_have_count(1)
    with session_scope() as session:
        removed = session.exec(
            select(Share).where(Share.id == world["secured_link"].share_id)
        ).one()
        assert removed.status == "removed"

    # The portal's policy: the reason next to the field, then saved.
    before = sharing.get_policy(admin_actor())
    try:
        _change_policy(admin, before)
    finally:
        sharing.set_policy(
            admin_actor(),
            before.default_expiry_days,
            before.max_expiry_days,
            before.web_password_required,
        )
    admin.context.close()


def _change_policy(admin: Page, before: sharing.PolicyView) -> None:
    card = admin.get_by_role("heading", name="Sharing policy")
    card.scroll_into_view_if_needed()
    admin.get_by_label("Default expiry (days)").fill("400")
    admin.get_by_label("Maximum expiry (days)").fill("30")
    admin.get_by_role("button", name="Save policy").click()
    expect(
        admin.get_by_text("The default expiry must be set and no longer than the maximum.")
    ).to_be_visible()
    assert_accessible(admin, "policy with an error")
    admin.get_by_label("Default expiry (days)").fill("14")
    admin.get_by_label("Maximum expiry (days)").fill("90")
    admin.get_by_label("Web links need a password").click()
    admin.get_by_role("button", name="Save policy").click()
    expect(admin.get_by_text("Sharing policy saved.")).to_be_visible()
    saved = sharing.get_policy(admin_actor())
    assert (saved.default_expiry_days, saved.max_expiry_days) == (14, 90)
    assert saved.web_password_required is not before.web_password_required
    _shot(admin, "shared_list_policy")
