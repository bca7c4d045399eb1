"""The example plugin with its own state and action (examples/checklist-widget): staff
add it in the editor like any built-in type, a client ticks items for themself and
finds them ticked after a reload, and a client of another organization can't tick
through a forged event."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect
from portal_checklist.state import ChecklistState
from sqlmodel import select

from portal_app.db import session_scope
from portal_app.models import WidgetEntry
from portal_app.services import drafts, grants, organizations, pages
from tests.e2e.drag import drag
from tests.e2e.support import assert_accessible, screenshot
from tests.e2e.support_world import ADMIN_EMAIL, ADMIN_PASSWORD, add_person, admin_actor, sign_in
from tests.e2e.test_security import SocketTap, _handler_name

PASSWORD = "juniper teapot meadow"  # noqa: S105


def test_client_ticks_a_checklist_and_another_organization_cannot(
    browser: Browser, portal_server, admin_account
):
    admin = admin_actor()
    initech = organizations.create_organization(admin, "Initech Checklists")
    umbrella = organizations.create_organization(admin, "Umbrella Checklists")
    milton = add_person(
        "milton@initech-checklists.example", "Milton Waddams", "limited", initech.id, PASSWORD
    )
    alice = add_person(
        "alice@umbrella-checklists.example", "Alice Umbrella", "limited", umbrella.id, PASSWORD
    )
    draft = pages.create_page(admin, "Getting started")

    # Staff drag the plugin's type from the palette and list the steps.
    staff = browser.new_context(
        base_url=portal_server.url, viewport={"width": 1440, "height": 900}
    ).new_page()
    sign_in(staff, ADMIN_EMAIL, ADMIN_PASSWORD)
    staff.goto(f"/editor/{draft.id}")
    drag(
        staff,
        staff.get_by_role("button", name="Add Checklist"),
        staff.locator("[data-column-id]").first,
    )
    expect(staff.get_by_test_id("editor-widget")).to_have_attribute("data-widget-type", "checklist")
    staff.get_by_role("button", name="Edit Checklist").click()
    staff.get_by_label("Title").fill("Your first week")
    staff.get_by_label("Items").fill("Sign the contract\nSend your logo\nBook the kick-off call")
    staff.get_by_role("button", name="Save").click()
    expect(staff.get_by_text("Saved.")).to_be_visible()
    staff.locator("#publish").click()
    expect(staff.get_by_text("Published as version 1.")).to_be_visible()
    staff.context.close()
    grants.set_permissions(
        admin,
        draft.id,
        "all",
        [],
        [{"kind": "organization", "id": initech.id, "level": "contribute"}],
    )
    widget_id = drafts.get_draft(admin, draft.id).sections[0].columns[0].widgets[0].id

    # Milton ticks one step; after a reload it is still ticked, the others are not.
    client = browser.new_context(
        base_url=portal_server.url, viewport={"width": 1280, "height": 900}
    ).new_page()
    sign_in(client, "milton@initech-checklists.example", PASSWORD)
    client.goto(f"/pages/{draft.slug}")
    logo = client.get_by_role("checkbox", name="Send your logo")
    expect(logo).not_to_be_checked(timeout=20_000)
    logo.click()
    expect(logo).to_be_checked()
    client.reload()
    expect(client.get_by_test_id("checklist")).to_contain_text("Your first week", timeout=20_000)
    expect(client.get_by_role("checkbox", name="Send your logo")).to_be_checked()
    expect(client.get_by_role("checkbox", name="Sign the contract")).not_to_be_checked()
    assert_accessible(client, "published checklist")
    client.evaluate("window.scrollTo(0, 0)")
    screenshot(client, "checklist_client")
    client.context.close()

    # Alice (another organization) forges the checklist's events from her own socket.
    tap = SocketTap()
    context = browser.new_context(base_url=portal_server.url)
    forger = context.new_page()
    forger.route_web_socket(re.compile(r".*/_event.*"), tap)
    sign_in(forger, "alice@umbrella-checklists.example", PASSWORD)
    tap.forge(
        _handler_name(ChecklistState.load_for_page),
        {"page_id": draft.id, "widget_ids": [widget_id]},
    )
    tap.forge(
        _handler_name(ChecklistState.tick),
        {"widget_id": widget_id, "item": "Sign the contract", "ticked": True},
    )
    expect(
        forger.get_by_text("This page doesn't exist or isn't shared with you.").first
    ).to_be_visible()
    forger.wait_for_timeout(1000)
    context.close()

    with session_scope() as session:
        rows = session.exec(select(WidgetEntry).where(WidgetEntry.page_id == draft.id)).all()
    assert [(row.person_id, row.data) for row in rows] == [(milton, '["Send your logo"]')]
    assert alice not in [row.person_id for row in rows]
    assert not any("Send your logo" in frame for frame in tap.received)
