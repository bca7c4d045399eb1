"""The Documents page, in a real browser: staff choose a client, make a folder in its
shared area and upload two files through the page (each with its own progress), see
them listed with who uploaded them; the same name again becomes version 2, and version
1 is restored from the Versions dialog; a document deleted goes to the trash and an
administrator restores it; ``?folder=ID`` opens that folder; a client of that
organization sees the shared documents and no Internal area; a client of another
organization sees none of the names."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import Browser, Page, expect

from portal_app.services import documents
from tests.e2e.support import assert_accessible, screenshot
from tests.e2e.support_world import add_person, admin_actor, organization_id

PASSWORD = "saffron meadow lantern"  # noqa: S105
PDF_ONE = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + b"1" * 3000
PDF_TWO = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + b"2" * 5000
LEDGER = b"date,amount\n2026-11-30,1204.50\n" * 200


def _signed_in(
    browser: Browser, portal_server, email: str, password: str = PASSWORD, width: int = 1280
) -> Page:
    """Signed in through the sign-in route (the sign-in form has its own tests)."""
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


def _shot(page: Page, name: str):
    page.mouse.move(0, 0)
    return screenshot(page, name)


def _open_documents(page: Page, query: str = "") -> None:
    page.goto("/documents" + query)
    expect(page.get_by_role("heading", name="Documents", exact=True)).to_be_visible(timeout=20_000)


def _upload(page: Page, files: list[tuple[str, str, bytes]]) -> None:
    page.wait_for_function("window.portalDocumentsReady === true", timeout=20_000)
    page.locator("#documents-input").set_input_files(
        files=[{"name": name, "mimeType": kind, "buffer": data} for name, kind, data in files]
    )


def test_staff_upload_version_restore_and_only_that_client_sees_them(
    browser: Browser, portal_server, admin_account
):
    suffix = secrets.token_hex(3)
    org_name = f"Harbor Bakery {suffix}"
    org_id = organization_id(org_name)
    organization_id(f"Quill Partners {suffix}")
    client = f"rosa.{suffix}@harbor.example"
    other = f"quentin.{suffix}@quill.example"
    add_person(client, "Rosa Baker", "limited", org_id, PASSWORD)
    add_person(
        other, "Quentin Quill", "limited", organization_id(f"Quill Partners {suffix}"), PASSWORD
    )
    staff_name = admin_actor().display_name
    folder = f"Contracts {suffix}"
    lease = f"lease-{suffix}.pdf"
    ledger = f"ledger-{suffix}.csv"
    names = (folder, lease, ledger)

    # --- staff: choose the client, the areas, a new folder --------------------------
    staff = _signed_in(browser, portal_server, admin_account[0], admin_account[1])
    staff.get_by_role("link", name="Documents").first.click()
    expect(staff.get_by_role("heading", name="Documents", exact=True)).to_be_visible(timeout=20_000)
    expect(staff.get_by_role("heading", name="Choose a client")).to_be_visible()
    staff.get_by_role("combobox", name="Client").click()
    staff.get_by_role("option", name=org_name).click()
    space = staff.get_by_test_id("documents-space")
    expect(space.get_by_role("heading", name=org_name)).to_be_visible(timeout=20_000)
    areas = staff.get_by_test_id("documents-area")
    expect(areas).to_have_text(["Shared with client", "Internal (staff only)", "Received"])
    expect(areas.nth(0)).to_have_attribute("aria-current", "true")
    expect(space.get_by_text("No documents here yet.")).to_be_visible()
    assert_accessible(staff, "/documents as staff, an empty shared area")

    staff.get_by_role("button", name="New folder").click()
    dialog = staff.get_by_role("dialog", name="New folder")
    dialog.get_by_label("Name").fill("   ")
    dialog.get_by_role("button", name="Make folder").click()
    expect(dialog.get_by_role("alert")).to_have_text("Enter a folder name.")
    dialog.get_by_label("Name").fill(folder)
    dialog.get_by_role("button", name="Make folder").click()
    expect(dialog).to_have_count(0)
    space.get_by_role("link", name=folder).click()
    expect(staff.get_by_test_id("documents-crumbs")).to_contain_text("Shared with client")
    expect(staff.get_by_test_id("documents-crumbs")).to_contain_text(folder)

    # --- two files uploaded through the page, listed with their uploader ----------------
    expect(space).to_contain_text("A file with the same name becomes a new version")
    _upload(staff, [(lease, "application/pdf", PDF_ONE), (ledger, "text/csv", LEDGER)])
    uploads = staff.get_by_test_id("documents-upload")
    expect(uploads).to_have_count(2)
    expect(staff.locator("[data-testid=documents-upload][data-status=done]")).to_have_count(
        2, timeout=30_000
    )
    rows = space.get_by_test_id("documents-document")
    expect(rows).to_have_count(2, timeout=20_000)
    for name in (lease, ledger):
        row = rows.filter(has_text=name)
        expect(row.get_by_test_id("documents-document-meta")).to_contain_text(staff_name)
        expect(row.get_by_role("link", name=name)).to_have_attribute(
            "href", re.compile(r"^/files/\d+$")
        )
    expect(space.get_by_test_id("documents-versions-badge")).to_have_count(0)
    assert_accessible(staff, "/documents as staff, a folder with two documents")
    _shot(staff, "documents_staff_folder_desktop")

    # --- the same name again: version 2; version 1 restored ----------------------------
    _upload(staff, [(lease, "application/pdf", PDF_TWO)])
    lease_row = rows.filter(has_text=lease)
    expect(lease_row.get_by_test_id("documents-versions-badge")).to_have_text("v2", timeout=30_000)
    expect(rows).to_have_count(2)
    lease_row.get_by_role("button", name=f"Versions of {lease}").click()
    versions = staff.get_by_role("dialog", name="Versions")
    expect(versions.get_by_test_id("documents-version")).to_have_count(2)
    expect(versions.get_by_test_id("documents-version").nth(0)).to_contain_text("Current")
    assert_accessible(staff, "/documents, the Versions dialog")
    versions.get_by_role("button", name="Restore version 1").click()
    expect(versions.get_by_test_id("documents-version")).to_have_count(3, timeout=20_000)
    expect(staff.get_by_text("Version 1 restored as the newest version.")).to_be_visible()
    versions.get_by_role("button", name="Close").click()
    expect(lease_row.get_by_test_id("documents-versions-badge")).to_have_text("v3")
    href = lease_row.get_by_role("link", name=lease).get_attribute("href")
    assert staff.context.request.get(href).body() == PDF_ONE

    # --- delete to the trash, an administrator restores it -------------------------------
    rows.filter(has_text=ledger).get_by_role("button", name=f"More actions for {ledger}").click()
    staff.get_by_role("menuitem", name="Delete").click()
    confirm = staff.get_by_role("alertdialog")
    expect(confirm).to_contain_text("moved to the trash")
    confirm.get_by_role("button", name="Move to the trash").click()
    expect(staff.get_by_text(f"“{ledger}” moved to the trash.")).to_be_visible()
    expect(rows).to_have_count(1)
    staff.get_by_role("button", name="Trash").click()
    trash = staff.get_by_role("dialog", name="Trash")
    trashed = trash.get_by_test_id("documents-trash-row").filter(has_text=ledger)
    expect(trashed).to_contain_text(org_name)
    assert_accessible(staff, "/documents, the Trash dialog")
    trashed.get_by_role("button", name=f"Restore {ledger}").click()
    expect(trash.get_by_test_id("documents-trash-row").filter(has_text=ledger)).to_have_count(0)
    trash.get_by_role("button", name="Close").click()
    expect(rows).to_have_count(2)

    # --- rename (a clash refused), then move to the internal area: gone for the client --
    renamed = f"ledger-{suffix}-2026.csv"
    rows.filter(has_text=ledger).get_by_role("button", name=f"More actions for {ledger}").click()
    staff.get_by_role("menuitem", name="Rename…").click()
    rename = staff.get_by_role("dialog", name="Rename document")
    expect(rename.get_by_label("New name")).to_have_value(ledger)
    assert_accessible(staff, "/documents, the Rename dialog")
    rename.get_by_label("New name").fill(lease)
    rename.get_by_role("button", name="Rename").click()
    expect(rename.get_by_role("alert")).to_have_text(
        f"There is already a document named “{lease}” here."
    )
    rename.get_by_label("New name").fill(renamed)
    rename.get_by_role("button", name="Rename").click()
    expect(rename).to_have_count(0)
    expect(rows.filter(has_text=renamed)).to_have_count(1)
    rows.filter(has_text=renamed).get_by_role("button", name=f"More actions for {renamed}").click()
    staff.get_by_role("menuitem", name="Move to…").click()
    move = staff.get_by_role("dialog", name="Move document")
    expect(move.get_by_role("button", name="Move")).to_be_disabled()
    move.get_by_role("combobox", name="Move to").click()
    expect(staff.get_by_role("option", name="Received")).to_be_visible()
    # Only this client's folders, never the one it is in.
    expect(staff.get_by_role("option", name=f"Shared with client › {folder}")).to_have_count(0)
    staff.get_by_role("option", name="Internal (staff only)").click()
    assert_accessible(staff, "/documents, the Move dialog")
    _shot(staff, "documents_move_dialog_desktop")
    move.get_by_role("button", name="Move").click()
    expect(staff.get_by_text("Moved to Internal (staff only).")).to_be_visible()
    expect(rows).to_have_count(1)
    areas.nth(1).click()
    expect(space.get_by_role("link", name=renamed)).to_be_visible(timeout=20_000)
    areas.nth(0).click()
    space.get_by_role("link", name=folder).click()
    expect(rows).to_have_count(1, timeout=20_000)

    # --- ?folder=ID (what search links to) opens the folder ------------------------------
    shared = documents.open_space(admin_actor(), organization_id=org_id)
    folder_id = next(row.id for row in shared.folders if row.name == folder)
    _open_documents(staff, f"?folder={folder_id}")
    expect(staff.get_by_test_id("documents-crumbs")).to_contain_text(folder)
    expect(space.get_by_test_id("documents-document")).to_have_count(1)
    expect(staff.get_by_role("combobox", name="Client")).to_contain_text(org_name)
    staff.set_viewport_size({"width": 390, "height": 844})
    staff.wait_for_timeout(300)
    _shot(staff, "documents_staff_folder_phone")
    assert_accessible(staff, "/documents as staff on a phone")
    staff.context.close()

    # --- a client of that organization: the shared documents, no Internal area ----------
    rosa = _signed_in(browser, portal_server, client)
    _open_documents(rosa)
    space = rosa.get_by_test_id("documents-space")
    expect(space.get_by_role("heading", name=org_name)).to_be_visible(timeout=20_000)
    space.get_by_role("link", name=folder).click()
    expect(space.get_by_test_id("documents-document")).to_have_count(1, timeout=20_000)
    expect(space.get_by_role("link", name=lease)).to_be_visible()
    expect(rosa.get_by_text(renamed)).to_have_count(0)
    expect(rosa.get_by_test_id("documents-area")).to_have_count(0)
    expect(rosa.get_by_test_id("documents-crumbs")).to_contain_text("All documents")
    # Clients download the current version only: no versions to count.
    expect(rosa.get_by_test_id("documents-versions-badge")).to_have_count(0)
    expect(rosa.get_by_role("button", name="New folder")).to_have_count(0)
    expect(rosa.get_by_role("button", name="Trash")).to_have_count(0)
    expect(rosa.get_by_test_id("documents-zone")).to_have_count(0)
    expect(rosa.get_by_role("button", name=f"Delete {lease}")).to_have_count(0)
    html = rosa.content()
    assert "Internal" not in html and "Received" not in html
    assert_accessible(rosa, "/documents as a client")
    _shot(rosa, "documents_client_desktop")
    rosa.set_viewport_size({"width": 390, "height": 844})
    rosa.wait_for_timeout(300)
    _shot(rosa, "documents_client_phone")
    assert_accessible(rosa, "/documents as a client on a phone")
    rosa.context.close()

    # --- a client of another organization: none of it ------------------------------------
    quentin = _signed_in(browser, portal_server, other, width=390)
    _open_documents(quentin)
    expect(quentin.get_by_test_id("documents-space")).to_be_visible(timeout=20_000)
    expect(quentin.get_by_text("No documents here yet.")).to_be_visible()
    html = quentin.content()
    assert not any(name in html for name in names)
    quentin.goto(f"/documents?folder={folder_id}")
    expect(quentin.get_by_text("We couldn't find that page")).to_be_visible(timeout=20_000)
    html = quentin.content()
    assert not any(name in html for name in names)
    assert_accessible(quentin, "/documents as another organization's client")
    quentin.context.close()
