"""The dropsite, in a real browser: a client drops two files on a Dropsite widget and
watches each one's progress to the confirmation; staff find them in that client's
Received area with who sent them and when (and are told once); another client sees
nothing of them anywhere; the same name twice is kept as ``name (2).ext``; staff see a
note instead of the zone and a view-only client why they can't send; a dropsite link's
guest gives their name and e-mail, sends, and reaches nothing else."""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass

from playwright.sync_api import Browser, BrowserContext, Page, expect

from portal_app.services import documents, search, sharing
from tests.e2e.support import assert_accessible, screenshot
from tests.e2e.support_world import add_person, admin_actor, organization_id
from tests.support.pages import build_page

PASSWORD = "saffron meadow lantern"  # noqa: S105
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + b"0" * 2000
LEDGER = b"date,amount\n2026-11-30,1204.50\n" * 200


@dataclass
class DropWorld:
    suffix: str
    org_id: int
    org_name: str
    other_org_id: int
    client: str
    client_name: str
    other_client: str
    viewer: str
    page_slug: str
    widget_id: str


def _world() -> DropWorld:
    suffix = secrets.token_hex(3)
    org_name = f"Harbor Bakery {suffix}"
    org_id = organization_id(org_name)
    other_org_id = organization_id(f"Quill Partners {suffix}")
    viewer_org_id = organization_id(f"Lumen Studio {suffix}")
    client = f"rosa.{suffix}@harbor.example"
    other = f"quentin.{suffix}@quill.example"
    viewer = f"vera.{suffix}@lumen.example"
    add_person(client, "Rosa Baker", "limited", org_id, PASSWORD)
    add_person(other, "Quentin Quill", "limited", other_org_id, PASSWORD)
    add_person(viewer, "Vera Lumen", "limited", viewer_org_id, PASSWORD)
    page = build_page(
        admin_actor(),
        f"Year-end papers {suffix}",
        [
            (
                "dropsite",
                {
                    "title": "Send us your year-end papers",
                    "instructions": "Receipts, bank statements and last year's return.",
                    "ask_message": True,
                },
            )
        ],
        organizations={org_id: "contribute", other_org_id: "contribute", viewer_org_id: "view"},
    )
    return DropWorld(
        suffix,
        org_id,
        org_name,
        other_org_id,
        client,
        "Rosa Baker",
        other,
        viewer,
        page.slug,
        page.widget("dropsite"),
    )


def _context(browser: Browser, portal_server, width: int = 1280) -> BrowserContext:
    return browser.new_context(
        base_url=portal_server.url,
        viewport={"width": width, "height": 900 if width > 600 else 844},
    )


def _signed_in(
    browser: Browser, portal_server, email: str, width: int = 1280, password: str = PASSWORD
) -> Page:
    """Signed in through the sign-in route (the sign-in form has its own tests)."""
    page = _context(browser, portal_server, width).new_page()
    answer = page.context.request.post(
        "/auth/login",
        data={"email": email, "password": password},
        headers={"Origin": portal_server.url},
    )
    assert answer.ok, answer.text()
    page.goto("/")
    expect(page.locator("#welcome")).to_be_visible(timeout=30_000)
    return page


def _open_page(page: Page, world: DropWorld) -> None:
    page.goto(f"/pages/{world.page_slug}")
    expect(page.get_by_role("heading", name="Send us your year-end papers")).to_be_visible(
        timeout=20_000
    )
    page.wait_for_function("typeof window.portalDropsite === 'object'", timeout=20_000)


def _drop(page: Page, zone, files: list[tuple[str, str, bytes]]) -> None:
    """Drop ``files`` (name, type, bytes) on ``zone`` as a person dragging them from
    their desktop would: dragover, then drop with a DataTransfer holding real Files."""
    transfer = page.evaluate_handle(
        """(files) => {
            const transfer = new DataTransfer();
            for (const [name, type, data] of files) {
                const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
                transfer.items.add(new File([bytes], name, { type }));
            }
            return transfer;
        }""",
        [[name, kind, base64.b64encode(data).decode()] for name, kind, data in files],
    )
    zone.dispatch_event("dragover", {"dataTransfer": transfer})
    expect(zone).to_have_attribute("data-over", "true")
    zone.dispatch_event("drop", {"dataTransfer": transfer})


def _throttle_uploads(page: Page, bytes_per_second: int | None):
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second or -1,
        },
    )
    return cdp


def _received(org_id: int) -> list[tuple[documents.FolderRow, documents.DocumentRow]]:
    """What staff find in the organization's Received area: (sender folder, document)."""
    admin = admin_actor()
    space = documents.open_space(admin, organization_id=org_id)
    received = next(area for area in space.areas if area.area == "received")
    found = []
    for folder in documents.open_space(admin, folder_id=received.id).folders:
        inside = documents.open_space(admin, folder_id=folder.id)
        found += [(folder, row) for row in inside.documents]
    return found


def _shot(page: Page, name: str):
    page.mouse.move(0, 0)
    return screenshot(page, name)


def test_a_client_drops_two_files_staff_find_them_and_another_client_sees_nothing(
    browser: Browser, portal_server, admin_account, smtp_server
):
    world = _world()
    statement = f"bank-statement-{world.suffix}.pdf"
    ledger = f"ledger-{world.suffix}.csv"
    big = f"scans-{world.suffix}.txt"
    names = (statement, ledger, big)
    other_before = documents.open_space(_client_actor(world.other_client)).folder.items
    mail_before = len(smtp_server.messages)

    rosa = _signed_in(browser, portal_server, world.client)
    _open_page(rosa, world)
    widget = rosa.get_by_test_id("dropsite")
    expect(widget).to_contain_text("Receipts, bank statements")
    zone = widget.get_by_test_id("dropsite-zone")
    expect(widget.get_by_role("button", name="Choose files")).to_be_visible()
    assert_accessible(rosa, "dropsite widget, nothing chosen")

    # Two files dragged at once, a third picked with the button (the keyboard way).
    _drop(rosa, zone, [(statement, "application/pdf", PDF), (ledger, "text/csv", LEDGER)])
    rows = widget.get_by_test_id("dropsite-file")
    expect(rows).to_have_count(2)
    with rosa.expect_file_chooser() as chooser:
        widget.get_by_role("button", name="Choose files").click()
    chooser.value.set_files(
        files=[{"name": big, "mimeType": "text/plain", "buffer": b"scan page\n" * 300_000}]
    )
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Waiting")
    widget.get_by_label("Message (optional)").fill("Everything for 2026. The ledger is final.")
    assert_accessible(rosa, "dropsite widget, three files chosen")

    # Slow the network so the progress can be seen, then send.
    cdp = _throttle_uploads(rosa, 400_000)
    widget.get_by_role("button", name="Send 3 files").click()
    uploading = widget.locator("[data-testid=dropsite-file][data-status=uploading]")
    expect(uploading).to_have_count(1, timeout=20_000)
    expect(uploading.get_by_test_id("dropsite-progress")).to_be_visible()
    # Each file has its own bar: the one being sent shows it, the ones waiting don't.
    expect(widget.locator("[data-status=done]").first).to_be_visible(timeout=20_000)
    expect(widget.locator("[data-status=uploading]")).to_contain_text("Uploading", timeout=20_000)
    rosa.wait_for_function(
        "[...document.querySelectorAll('progress.dropsite-progress')]"
        ".some((bar) => !bar.hidden && bar.value > 5 && bar.value < 100)",
        timeout=30_000,
    )
    _shot(rosa, "dropsite_widget_uploading_desktop")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    confirmation = widget.get_by_test_id("dropsite-confirmation")
    expect(confirmation).to_have_text(
        f"3 files sent to {world.org_name}. We've let the team know.", timeout=60_000
    )
    expect(widget.locator("[data-status=done]")).to_have_count(3)
    assert_accessible(rosa, "dropsite widget, sent")
    _shot(rosa, "dropsite_widget_sent_desktop")

    # Staff find them in the client's Received area, with who sent them and when.
    received = _received(world.org_id)
    assert sorted(row.name for _folder, row in received) == sorted(names)
    for folder, row in received:
        assert folder.sender == world.client_name and world.client_name in folder.name
        assert row.uploader == world.client_name and row.updated
        assert row.message == "Everything for 2026. The ledger is final."
    # One message for the sending, not one per file.
    told = smtp_server.wait_for(subject=f"sent 3 files ({world.org_name})", after=mail_before)
    body = told.message.get_content()
    assert statement in body and ledger in body
    assert len(smtp_server.find(subject=f"({world.org_name})")[mail_before:]) <= 1

    # The same name again is kept beside the first, never over it.
    widget.get_by_role("button", name="Send more files").click()
    expect(widget.get_by_test_id("dropsite-file")).to_have_count(0)
    rosa.locator(f"#dropsite-input-{world.widget_id}").set_input_files(
        files=[{"name": statement, "mimeType": "application/pdf", "buffer": PDF}]
    )
    expect(widget.get_by_test_id("dropsite-file")).to_have_count(1)
    widget.get_by_role("button", name="Send", exact=True).click()
    expect(widget.get_by_test_id("dropsite-confirmation")).to_have_text(
        f"1 file sent to {world.org_name}. We've let the team know.", timeout=30_000
    )
    twice = f"bank-statement-{world.suffix} (2).pdf"
    assert sorted(row.name for _f, row in _received(world.org_id)) == sorted([*names, twice])

    # Upload-only: a reload shows the sender nothing of what was sent.
    rosa.reload()
    _open_page(rosa, world)
    html = rosa.content()
    assert not any(name in html for name in (*names, twice))
    rosa.context.close()

    # Another client of the same page sees nothing of them: page, Documents, search.
    quentin = _signed_in(browser, portal_server, world.other_client, width=390)
    _open_page(quentin, world)
    expect(quentin.get_by_test_id("dropsite-zone")).to_be_visible()
    html = quentin.content()
    assert not any(name in html for name in (*names, twice))
    quentin.goto("/documents")
    quentin.wait_for_load_state("networkidle")
    html = quentin.content()
    assert not any(name in html for name in (*names, twice))
    other = _client_actor(world.other_client)
    assert documents.open_space(other).folder.items == other_before
    assert not search.search(other, f"bank-statement-{world.suffix}")
    quentin.context.close()

    # Staff see a note where the zone would be, and a view-only client why not.
    staff = _signed_in(browser, portal_server, admin_account[0], password=admin_account[1])
    _open_page(staff, world)
    note = staff.get_by_test_id("dropsite-staff-note")
    expect(note).to_contain_text("Clients send files here")
    expect(note.get_by_role("link", name="Documents")).to_have_attribute("href", "/documents")
    expect(staff.get_by_test_id("dropsite-zone")).to_have_count(0)
    assert_accessible(staff, "dropsite widget as staff")
    staff.context.close()
    vera = _signed_in(browser, portal_server, world.viewer)
    _open_page(vera, world)
    expect(vera.get_by_test_id("dropsite-closed-note")).to_be_visible()
    expect(vera.get_by_test_id("dropsite-zone")).to_have_count(0)
    vera.context.close()


def test_the_dropsite_page_on_a_phone_during_and_after_a_sending(
    browser: Browser, portal_server, admin_account
):
    world = _world()
    rosa = _signed_in(browser, portal_server, world.client, width=390)
    rosa.get_by_role("button", name="Open navigation").click()
    rosa.get_by_role("link", name="Send files").click()
    expect(rosa.get_by_role("heading", name="Send files")).to_be_visible(timeout=20_000)
    expect(rosa.get_by_text(world.org_name)).to_be_visible()
    rosa.wait_for_function("typeof window.portalDropsite === 'object'", timeout=20_000)
    zone = rosa.get_by_test_id("dropsite-zone")
    name = f"passport-{world.suffix}.pdf"
    _drop(
        rosa,
        zone,
        [(name, "application/pdf", PDF), (f"notes-{world.suffix}.txt", "text/plain", b"x" * 2)],
    )
    rosa.locator("#dropsite-input-page").set_input_files(
        files=[
            {
                "name": f"archive-{world.suffix}.txt",
                "mimeType": "text/plain",
                "buffer": b"archive line\n" * 250_000,
            }
        ]
    )
    expect(rosa.get_by_test_id("dropsite-file")).to_have_count(3)
    cdp = _throttle_uploads(rosa, 300_000)
    rosa.get_by_role("button", name="Send 3 files").click()
    rosa.wait_for_function(
        "[...document.querySelectorAll('progress.dropsite-progress')]"
        ".some((bar) => !bar.hidden && bar.value > 5 && bar.value < 100)",
        timeout=60_000,
    )
    assert_accessible(rosa, "/dropsite on a phone, sending")
    _shot(rosa, "dropsite_page_uploading_phone")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    expect(rosa.get_by_test_id("dropsite-confirmation")).to_have_text(
        f"3 files sent to {world.org_name}. We've let the team know.", timeout=60_000
    )
    assert_accessible(rosa, "/dropsite on a phone, sent")
    _shot(rosa, "dropsite_page_sent_phone")
    rosa.context.close()
    # Staff opening /dropsite are pointed to Documents.
    staff = _signed_in(browser, portal_server, admin_account[0], password=admin_account[1])
    staff.goto("/dropsite")
    expect(staff.get_by_test_id("dropsite-staff-note")).to_be_visible(timeout=20_000)
    expect(staff.locator("nav").get_by_role("link", name="Send files")).to_have_count(0)
    staff.context.close()


def test_a_dropsite_link_guest_gives_name_and_email_sends_and_reaches_nothing_else(
    browser: Browser, portal_server, admin_account
):
    world = _world()
    link = sharing.create_link(admin_actor(), "web", "dropsite", world.org_id)
    guest = _context(browser, portal_server).new_page()
    guest.goto(link.url)
    expect(guest).to_have_url(re.compile(r"/dropsite/?$"), timeout=20_000)
    expect(guest.get_by_role("heading", name="Send files")).to_be_visible(timeout=20_000)
    expect(guest.get_by_test_id("guest-identity")).to_be_visible()
    expect(guest.locator("nav")).to_have_count(0)
    guest.wait_for_function("typeof window.portalDropsite === 'object'", timeout=20_000)
    name_field = guest.get_by_label("Your name")
    email_field = guest.get_by_label("Your e-mail")
    expect(name_field).to_be_visible()
    expect(email_field).to_be_visible()
    assert_accessible(guest, "/dropsite as a link's guest")

    file_name = f"signed-contract-{world.suffix}.pdf"
    guest.locator("#dropsite-input-page").set_input_files(
        files=[{"name": file_name, "mimeType": "application/pdf", "buffer": PDF}]
    )
    expect(guest.get_by_test_id("dropsite-file")).to_have_count(1)
    # The server checks the name (spaces only pass the browser's own check).
    name_field.fill("   ")
    email_field.fill("pat@newclient.example")
    guest.get_by_role("button", name="Send", exact=True).click()
    expect(guest.locator("#dropsite-error-sender_name-page")).to_have_text("Enter your name.")
    name_field.fill("Pat Newman")
    guest.get_by_role("button", name="Send", exact=True).click()
    expect(guest.get_by_test_id("dropsite-confirmation")).to_have_text(
        f"1 file sent to {world.org_name}. We've let the team know.", timeout=30_000
    )
    _shot(guest, "dropsite_guest_sent_desktop")
    [(folder, row)] = _received(world.org_id)
    assert row.name == file_name and "Pat Newman" in folder.name

    # Nothing else opens for this guest: no page, no people, no search, no documents.
    for path in ("/", "/people", f"/pages/{world.page_slug}", "/search?q=contract", "/account"):
        guest.goto(path)
        guest.wait_for_load_state("networkidle")
        expect(
            guest.get_by_text(re.compile("couldn't find|don't have permission|don't have access"))
        ).to_be_visible(timeout=20_000)
        html = guest.content()
        assert "Send us your year-end papers" not in html and "Rosa Baker" not in html
    assert guest.context.request.get(f"/files/{_any_file_id(row)}").status in (403, 404)
    guest.context.close()


def _client_actor(email: str):
    from sqlmodel import select

    from portal_app.access import actor_for
    from portal_app.db import session_scope
    from portal_app.models import User

    with session_scope() as session:
        return actor_for(session.exec(select(User).where(User.email == email)).one())


def _any_file_id(row: documents.DocumentRow) -> str:
    return row.url.rsplit("/", 1)[-1] or "0"
