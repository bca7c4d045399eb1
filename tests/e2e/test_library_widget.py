"""The Document library widget on a page granted to two client organizations: each
client sees their own organization's folder (never the other's), opens its subfolders
and downloads; a contributor uploads where the widget allows it and the file lands in
their own organization's folder; a viewer has no upload button and the upload route
refuses them; staff choose which client's folder they see."""

from __future__ import annotations

import secrets

from playwright.sync_api import Browser, Page, expect

from portal_app.models.documents import SHARED
from portal_app.services import documents
from portal_app.storage import get_storage
from tests.e2e.support import assert_accessible, screenshot
from tests.e2e.support_world import add_person, admin_actor, organization_id
from tests.support.pages import build_page

PASSWORD = "juniper harbour compass"  # noqa: S105
PDF = b"%PDF-1.7\n" + b"0" * 200 + b"\n%%EOF\n"


def _signed_in(
    browser: Browser, portal_server, email: str, width: int = 1280, password: str = PASSWORD
) -> Page:
    context = browser.new_context(
        base_url=portal_server.url,
        viewport={"width": width, "height": 900 if width > 600 else 844},
    )
    page = context.new_page()
    answer = page.context.request.post(
        "/auth/login",
        data={"email": email, "password": password},
        headers={"Origin": portal_server.url},
    )
    assert answer.ok, answer.text()
    page.goto("/")
    expect(page.locator("#welcome")).to_be_visible(timeout=30_000)
    return page


def _put(folder_id: int, name: str) -> None:
    admin = admin_actor()
    destination = {"kind": "folder", "folder": folder_id}
    documents.plan_upload(admin, destination, name, len(PDF))
    blob = get_storage().save(iter([PDF]), max_bytes=10**6)
    documents.accept_upload(admin, destination, name, blob, "application/pdf")


def _year_end(organization: int) -> int:
    """The organization's "Year end" folder (the widget's folder), made by staff."""
    admin = admin_actor()
    shared = next(a for a in documents.open_space(admin, organization).areas if a.area == SHARED)
    return documents.create_folder(admin, shared.id, "Year end").id


def test_each_client_sees_their_own_folder_and_a_contributor_uploads_into_it(
    browser: Browser, portal_server, admin_account
):
    suffix = secrets.token_hex(3)
    maple_name, oak_name = f"Maple Bakery {suffix}", f"Oak Joinery {suffix}"
    maple, oak = organization_id(maple_name), organization_id(oak_name)
    contributor, viewer = f"mara.{suffix}@maple.example", f"otto.{suffix}@oak.example"
    add_person(contributor, "Mara Maple", "limited", maple, PASSWORD)
    add_person(viewer, "Otto Oak", "limited", oak, PASSWORD)
    maple_folder, oak_folder = _year_end(maple), _year_end(oak)
    receipts = documents.create_folder(admin_actor(), maple_folder, "Receipts").id
    maple_file, oak_file = f"maple-accounts-{suffix}.pdf", f"oak-accounts-{suffix}.pdf"
    _put(maple_folder, maple_file)
    _put(receipts, f"maple-receipt-{suffix}.pdf")
    _put(oak_folder, oak_file)
    page = build_page(
        admin_actor(),
        f"Year-end close {suffix}",
        [
            (
                "library",
                {"title": "Year-end papers", "folder": "Year end", "contributors_may_upload": True},
            )
        ],
        organizations={maple: "contribute", oak: "view"},
    )

    # --- a contributor: her organization's folder, a subfolder, her upload -------------
    mara = _signed_in(browser, portal_server, contributor)
    mara.goto(f"/pages/{page.slug}")
    widget = mara.get_by_test_id("library")
    expect(widget.get_by_role("heading", name="Year-end papers")).to_be_visible(timeout=20_000)
    link = widget.get_by_role("link", name=maple_file)
    expect(link).to_be_visible(timeout=20_000)
    assert mara.context.request.get(link.get_attribute("href")).body() == PDF
    expect(widget.get_by_text(oak_file)).to_have_count(0)
    assert oak_file not in mara.content() and oak_name not in mara.content()
    assert_accessible(mara, "library widget, a contributing client")
    screenshot(mara, "library_widget_client_desktop")
    widget.get_by_test_id("library-folder").filter(has_text="Receipts").click()
    expect(widget.get_by_role("link", name=f"maple-receipt-{suffix}.pdf")).to_be_visible(
        timeout=20_000
    )
    widget.get_by_role("link", name="Year end").click()
    expect(widget.get_by_role("link", name=maple_file)).to_be_visible(timeout=20_000)
    upload = f"maple-signed-{suffix}.pdf"
    with mara.expect_file_chooser() as chooser:
        widget.get_by_role("button", name="Upload files").click()
    chooser.value.set_files(files=[{"name": upload, "mimeType": "application/pdf", "buffer": PDF}])
    expect(mara.get_by_text("Uploaded 1 file.")).to_be_visible(timeout=30_000)
    expect(widget.get_by_role("link", name=upload)).to_be_visible(timeout=20_000)
    # Naming the other organization's folder is the same as naming a missing one.
    forged = mara.context.request.post(
        "/uploads",
        data={
            "destination": {
                "kind": "library",
                "page": page.id,
                "widget": page.widget("library"),
                "folder": oak_folder,
            },
            "name": "forged.pdf",
            "size": len(PDF),
        },
        headers={"Origin": portal_server.url},
    )
    assert forged.status == 404, forged.text()
    assert oak_name not in forged.text()
    mara.context.close()
    names = {d.name for d in documents.open_space(admin_actor(), None, maple_folder).documents}
    assert names == {maple_file, upload}
    oak_names = {d.name for d in documents.open_space(admin_actor(), None, oak_folder).documents}
    assert oak_names == {oak_file}

    # --- a viewer of the other organization: only theirs, no upload --------------------
    otto = _signed_in(browser, portal_server, viewer, width=390)
    otto.goto(f"/pages/{page.slug}")
    widget = otto.get_by_test_id("library")
    expect(widget.get_by_role("link", name=oak_file)).to_be_visible(timeout=20_000)
    expect(widget.get_by_role("button", name="Upload files")).to_have_count(0)
    html = otto.content()
    assert all(name not in html for name in (maple_file, upload, "Receipts", maple_name))
    assert_accessible(otto, "library widget, a viewing client on a phone")
    screenshot(otto, "library_widget_viewer_phone")
    refused = otto.context.request.post(
        "/uploads",
        data={
            "destination": {
                "kind": "library",
                "page": page.id,
                "widget": page.widget("library"),
                "folder": oak_folder,
            },
            "name": "y.pdf",
            "size": len(PDF),
        },
        headers={"Origin": portal_server.url},
    )
    assert refused.status == 403, refused.text()
    otto.context.close()

    # --- staff: choose the client whose folder to see ------------------------------------
    staff = _signed_in(browser, portal_server, admin_account[0], password=admin_account[1])
    staff.goto(f"/pages/{page.slug}")
    widget = staff.get_by_test_id("library")
    expect(widget.get_by_text("Choose one to see theirs.")).to_be_visible(timeout=20_000)
    widget.get_by_role("combobox", name="Client").click()
    staff.get_by_role("option", name=oak_name).click()
    expect(widget.get_by_role("link", name=oak_file)).to_be_visible(timeout=20_000)
    expect(widget.get_by_text(maple_file)).to_have_count(0)
    assert_accessible(staff, "library widget, staff")
    screenshot(staff, "library_widget_staff_desktop")
    staff.context.close()
