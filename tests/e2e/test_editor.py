"""Staff build pages in the browser with real pointer drags; clients see exactly what
was published and shared with them, and nothing else."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from portal_app.services import drafts, organizations, pages
from tests.e2e.drag import drag
from tests.e2e.support import assert_accessible, screenshot
from tests.e2e.support_world import add_person, admin_actor, sign_in

PASSWORD = "saffron bicycle window"  # noqa: S105


def _column(page: Page, label: str):
    return page.locator("[data-column-id]").filter(has=page.get_by_text(label, exact=True))


def _saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_contain_text("All changes saved", timeout=10_000)


def _widget_types_in(page: Page, column_label: str) -> list[str]:
    cards = _column(page, column_label).get_by_test_id("editor-widget")
    return [cards.nth(i).get_attribute("data-widget-type") for i in range(cards.count())]


def test_staff_drags_widgets_publishes_and_only_the_granted_client_sees_it(
    browser: Browser, portal_server, admin_account, smtp_server
):
    admin = admin_actor()
    hooli = organizations.create_organization(admin, "Hooli")
    piper = organizations.create_organization(admin, "Pied Piper")
    add_person("stella@firm.example", "Stella Staff", "staff", None, PASSWORD)
    add_person("gavin@hooli.example", "Gavin Belson", "limited", hooli.id, PASSWORD)
    add_person("richard@piedpiper.example", "Richard Hendricks", "limited", piper.id, PASSWORD)

    staff = browser.new_context(
        base_url=portal_server.url, viewport={"width": 1440, "height": 900}
    ).new_page()
    sign_in(staff, "stella@firm.example", PASSWORD)
    staff.get_by_role("link", name="New page").click()
    staff.get_by_label("Title").fill("Hooli launch plan")
    staff.get_by_role("button", name="Create and edit").click()
    expect(staff.locator("#editor-title")).to_have_text("Hooli launch plan", timeout=15_000)

    # A two-column section, then real pointer drags from the palette.
    staff.locator("#add-section-2").click()
    expect(_column(staff, "Section 2 · column 2")).to_be_visible()
    _saved(staff)
    drag(
        staff,
        staff.get_by_role("button", name="Add Rich text"),
        _column(staff, "Section 2 · column 1"),
    )
    expect(_column(staff, "Section 2 · column 1").get_by_test_id("editor-widget")).to_have_count(1)
    drag(
        staff,
        staff.get_by_role("button", name="Add File attachments"),
        _column(staff, "Section 2 · column 2"),
    )
    expect(_column(staff, "Section 2 · column 2").get_by_test_id("editor-widget")).to_have_count(1)
    drag(
        staff,
        staff.get_by_role("button", name="Add Discussion"),
        _column(staff, "Section 2 · column 1").get_by_test_id("editor-widget").first,
        "after",
    )
    expect(_column(staff, "Section 2 · column 1").get_by_test_id("editor-widget")).to_have_count(2)
    _saved(staff)
    assert _widget_types_in(staff, "Section 2 · column 1") == ["rich_text", "discussion"]

    # Reorder with the pointer: Discussion above Rich text.
    drag(
        staff,
        staff.get_by_role("button", name="Move Discussion"),
        _column(staff, "Section 2 · column 1").get_by_test_id("editor-widget").first,
        "before",
    )
    expect(
        _column(staff, "Section 2 · column 1").get_by_test_id("editor-widget").first
    ).to_have_attribute("data-widget-type", "discussion")
    _saved(staff)

    # The keyboard alternative moves it back down.
    staff.get_by_role("button", name="Move down Discussion").click()
    expect(
        _column(staff, "Section 2 · column 1").get_by_test_id("editor-widget").first
    ).to_have_attribute("data-widget-type", "rich_text")
    _saved(staff)

    # Edit the text in place: the editor autosaves the draft.
    staff.get_by_role("button", name="Edit Rich text").click()
    editor = staff.locator("#property-panel [contenteditable=true]")
    editor.click()
    editor.type("Launch checklist for Hooli")
    expect(staff.locator("#save-status")).to_contain_text("All changes saved")
    expect(_column(staff, "Section 2 · column 1")).to_contain_text(
        "Launch checklist for Hooli", timeout=10_000
    )
    assert_accessible(staff, "editor")
    screenshot(staff, "editor", full_page=False)

    staff.locator("#publish").click()
    expect(staff.get_by_text("Published as version 1.")).to_be_visible()

    # Share with Hooli (may contribute).
    staff.locator("#page-menu").click()
    staff.get_by_role("menuitem", name="Permissions & subscribers").click()
    staff.get_by_role("combobox", name="Access for Hooli").click()
    staff.get_by_role("option", name="Can contribute").click()
    assert_accessible(staff, "permissions dialog")
    staff.locator("#save-share").click()
    expect(staff.get_by_text("Permissions saved: shared with 1 client.")).to_be_visible()

    # The granted client sees exactly that page.
    client_ctx = browser.new_context(
        base_url=portal_server.url, viewport={"width": 1280, "height": 900}
    )
    client = client_ctx.new_page()
    sign_in(client, "gavin@hooli.example", PASSWORD)
    client.get_by_test_id("nav-page").filter(has_text="Hooli launch plan").click()
    expect(client.locator("#page-title")).to_have_text("Hooli launch plan")
    widgets = client.get_by_test_id("widget")
    expect(widgets).to_have_count(3)
    assert [widgets.nth(i).get_attribute("data-widget-type") for i in range(3)] == [
        "rich_text",
        "discussion",
        "attachments",
    ]
    expect(client.get_by_text("Launch checklist for Hooli")).to_be_visible()
    assert_accessible(client, "published page as client")
    screenshot(client, "published_page_client")

    # The client comments; the page's subscribers (its creator) get the e-mail.
    before = len(smtp_server.messages)
    client.get_by_label("Add a comment").fill("Looks great, can we start Monday?")
    client.get_by_role("button", name="Post comment").click()
    expect(client.get_by_text("Looks great, can we start Monday?")).to_be_visible()
    mail = smtp_server.wait_for(to="stella@firm.example", subject="New comment", after=before)
    assert "Looks great, can we start Monday?" in mail.text

    # Search from the top bar finds it for the granted client...
    client.get_by_role("searchbox", name="Search pages and people").fill("launch checklist")
    client.get_by_role("searchbox", name="Search pages and people").press("Enter")
    expect(client.get_by_test_id("search-hit").first).to_contain_text("Hooli launch plan")
    assert_accessible(client, "search results")

    # A client of another organization: not in navigation, search or at the address.
    other = browser.new_context(base_url=portal_server.url).new_page()
    sign_in(other, "richard@piedpiper.example", PASSWORD)
    expect(other.get_by_test_id("nav-page").filter(has_text="Hooli")).to_have_count(0)
    other.goto("/search?q=hooli")
    expect(other.get_by_text("Nothing found")).to_be_visible()
    other.goto("/search?q=launch+checklist")
    expect(other.get_by_text("Nothing found")).to_be_visible()
    other.goto("/pages/hooli-launch-plan")
    expect(other.get_by_text("We couldn't find that page")).to_be_visible()
    expect(other.get_by_text("Launch checklist")).to_have_count(0)
    expect(other.get_by_text("Looks great")).to_have_count(0)
    other.context.close()
    client_ctx.close()
    staff.context.close()


def test_restore_brings_back_widgets_and_a_second_editor_is_told_to_reload(
    browser: Browser, portal_server, admin_account
):
    admin = admin_actor()
    draft = pages.create_page(admin, "Quarterly report")
    column = draft.sections[0].columns[0].id
    draft = drafts.edit_draft(
        admin,
        draft.id,
        draft.revision,
        "add_widget",
        {"type_name": "heading", "column": column, "index": 0},
    )
    drafts.publish(admin, draft.id, draft.revision)

    first = browser.new_context(
        base_url=portal_server.url, viewport={"width": 1440, "height": 900}
    ).new_page()
    second = browser.new_context(
        base_url=portal_server.url, viewport={"width": 1440, "height": 900}
    ).new_page()
    from tests.e2e.support_world import ADMIN_EMAIL, ADMIN_PASSWORD

    for editor_page in (first, second):
        sign_in(editor_page, ADMIN_EMAIL, ADMIN_PASSWORD)
        editor_page.goto(f"/editor/{draft.id}")
        expect(editor_page.get_by_test_id("editor-widget")).to_have_count(1)

    # The first editor deletes the heading (undo is offered) and publishes.
    first.get_by_role("button", name="Delete Heading").click()
    expect(first.locator("#undo")).to_be_visible()
    expect(first.get_by_test_id("editor-widget")).to_have_count(0)
    first.locator("#publish").click()
    expect(first.get_by_text("Published as version 2.")).to_be_visible()

    # The second editor still shows the old draft: its change is refused, not merged.
    second.get_by_role("button", name="Duplicate Heading").click()
    expect(second.locator("#save-status")).to_contain_text("Someone else changed this page")
    second.locator("#reload-draft").click()
    expect(second.get_by_test_id("editor-widget")).to_have_count(0)

    # History: restoring version 1 brings the heading back.
    first.locator("#page-menu").click()
    first.get_by_role("menuitem", name="History").click()
    expect(first.get_by_role("button", name="Restore version 1")).to_be_visible()
    assert_accessible(first, "history")
    first.get_by_role("button", name="Restore version 1").click()
    expect(first.get_by_test_id("editor-widget")).to_have_count(1)
    expect(first.get_by_test_id("editor-widget")).to_have_attribute("data-widget-type", "heading")
    first.context.close()
    second.context.close()


def test_example_plugin_widget_is_in_the_palette_and_renders(page: Page, admin_account):
    from tests.e2e.support_world import ADMIN_EMAIL, ADMIN_PASSWORD

    admin = admin_actor()
    draft = pages.create_page(admin, "Plugin showcase")
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"/editor/{draft.id}")
    callout = page.get_by_role("button", name="Add Callout")
    expect(callout).to_be_visible()
    drag(page, callout, page.locator("[data-column-id]").first)
    expect(page.get_by_test_id("editor-widget")).to_have_attribute("data-widget-type", "callout")
    page.get_by_role("button", name="Edit Callout").click()
    page.get_by_label("Title").fill("Deadline: 31 January")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()
    page.locator("#publish").click()
    expect(page.get_by_text("Published as version 1.")).to_be_visible()
    page.goto("/pages/plugin-showcase")
    expect(page.get_by_test_id("callout")).to_contain_text("Deadline: 31 January")
    expect(page).to_have_url(re.compile(r"/pages/plugin-showcase$"))


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" + b"\x3e\x63\xdd" * 2 + b"\x00" + b"\x3e\x63\xdd" * 2)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_rich_text_images_come_from_the_pages_own_files(page: Page, admin_account, tmp_path):
    from tests.e2e.support_world import ADMIN_EMAIL, ADMIN_PASSWORD

    admin = admin_actor()
    draft = pages.create_page(admin, "Office map")
    column = draft.sections[0].columns[0].id
    drafts.edit_draft(
        admin,
        draft.id,
        draft.revision,
        "add_widget",
        {"type_name": "rich_text", "column": column, "index": 0},
    )
    image = tmp_path / "floor-plan.png"
    image.write_bytes(_tiny_png())

    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"/editor/{draft.id}")
    page.get_by_role("button", name="Edit Rich text").click()
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Insert image").click()
    chooser.value.set_files(str(image))
    expect(page.get_by_text("Image added to the text.")).to_be_visible()
    page.locator("#publish").click()
    expect(page.get_by_text("Published as version 1.")).to_be_visible()

    page.goto("/pages/office-map")
    picture = page.locator('[data-widget-type="rich_text"] img')
    expect(picture).to_have_attribute("src", re.compile(r"^/files/\d+$"))
    page.wait_for_function(
        "document.querySelector('[data-widget-type=rich_text] img').naturalWidth > 0"
    )


class Outage:
    """Routes the event socket. ``start()`` cuts the live connection and answers every
    reconnect like a server that refuses it (a socket.io CONNECT_ERROR), so the page
    sees a real outage; ``end()`` lets reconnects through to the portal again."""

    def __init__(self) -> None:
        self.down = False
        self.live: list = []

    def __call__(self, route) -> None:
        if not self.down:
            self.live.append((route, route.connect_to_server()))
            return

        def refuse(message) -> None:
            if isinstance(message, str) and message.startswith("40"):
                namespace = message[2:].split(",", 1)[0]
                route.send(f'44{namespace},{{"message":"server unavailable"}}')

        route.on_message(refuse)
        route.send(
            '0{"sid":"outage","upgrades":[],"pingInterval":25000,'
            '"pingTimeout":20000,"maxPayload":1000000}'
        )

    def start(self) -> None:
        self.down = True
        for route, server in self.live:
            server.close()
            route.close()
        self.live.clear()

    def end(self) -> None:
        self.down = False


def test_nothing_is_lost_when_the_connection_drops_and_returns(page: Page, admin_account):
    from tests.e2e.support_world import ADMIN_EMAIL, ADMIN_PASSWORD

    admin = admin_actor()
    draft = pages.create_page(admin, "Travel notes")
    column = draft.sections[0].columns[0].id
    for kind in ("heading", "divider"):
        draft = drafts.edit_draft(
            admin,
            draft.id,
            draft.revision,
            "add_widget",
            {"type_name": kind, "column": column, "index": 99},
        )

    outage = Outage()
    page.route_web_socket(re.compile(r".*/_event.*"), outage)
    sign_in(page, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"/editor/{draft.id}")
    expect(page.get_by_test_id("editor-widget")).to_have_count(2)

    outage.start()
    expect(page.locator("#offline-status")).to_be_visible(timeout=15_000)
    page.get_by_role("button", name="Move down Heading").click()
    page.wait_for_timeout(1000)
    assert drafts.get_draft(admin, draft.id).revision == draft.revision  # still in the browser

    outage.end()
    expect(page.locator("#save-status")).to_contain_text("All changes saved", timeout=30_000)
    expect(page.get_by_test_id("editor-widget").first).to_have_attribute(
        "data-widget-type", "divider", timeout=15_000
    )
    saved = drafts.get_draft(admin, draft.id)
    assert [w.type for w in saved.sections[0].columns[0].widgets] == ["divider", "heading"]
