"""File attachments that let contributors add files: a client with the page's
contribute grant uploads, sees their file and may delete only it; a client who may only
view the page has no upload button, and the server refuses them (403) when they try
anyway; where the widget doesn't allow it, contributors have no button either."""

from __future__ import annotations

import secrets
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from portal_app.services import files
from tests.e2e.support import assert_accessible, screenshot
from tests.e2e.support_world import add_person, admin_actor, organization_id
from tests.support.pages import build_page

PASSWORD = "juniper harbour compass"  # noqa: S105


def _signed_in(browser: Browser, portal_server, email: str, width: int = 1280) -> Page:
    context = browser.new_context(
        base_url=portal_server.url,
        viewport={"width": width, "height": 900 if width > 600 else 844},
    )
    page = context.new_page()
    # Through the sign-in route (the sign-in form has its own tests).
    answer = page.context.request.post(
        "/auth/login",
        data={"email": email, "password": PASSWORD},
        headers={"Origin": portal_server.url},
    )
    assert answer.ok, answer.text()
    page.goto("/")
    expect(page.locator("#welcome")).to_be_visible(timeout=30_000)
    return page


def test_a_contributor_uploads_into_attachments_that_allow_it_and_a_viewer_cannot(
    browser: Browser, portal_server, admin_account, tmp_path: Path
):
    suffix = secrets.token_hex(3)
    contributing_org = organization_id(f"Cedar Dental {suffix}")
    viewing_org = organization_id(f"Birch Law {suffix}")
    contributor = f"carla.{suffix}@cedar.example"
    viewer = f"victor.{suffix}@birch.example"
    add_person(contributor, "Carla Cedar", "limited", contributing_org, PASSWORD)
    add_person(viewer, "Victor Birch", "limited", viewing_org, PASSWORD)
    admin = admin_actor()
    title = f"Onboarding {suffix}"
    page = build_page(
        admin,
        title,
        [("attachments", {"title": "Your documents", "contributors_may_upload": True})],
        organizations={contributing_org: "contribute", viewing_org: "view"},
    )
    closed = build_page(
        admin,
        f"Firm papers {suffix}",
        [("attachments", {"title": "From the firm"})],
        organizations={contributing_org: "contribute"},
    )
    widget_id = page.widget("attachments")
    staff_file = files.save_upload(admin, page.id, widget_id, "Welcome pack.txt", [b"Hello\n"])

    carla = _signed_in(browser, portal_server, contributor)
    carla.goto(f"/pages/{page.slug}")
    widget = carla.get_by_test_id("attachments")
    expect(widget.get_by_text("Welcome pack.txt")).to_be_visible(timeout=20_000)
    upload = tmp_path / f"ID scan {suffix}.txt"
    upload.write_text("Carla Cedar, passport 123\n" * 50)
    with carla.expect_file_chooser() as chooser:
        widget.get_by_role("button", name="Upload a file").click()
    chooser.value.set_files(str(upload))
    expect(carla.get_by_text(f"Uploaded {upload.name}.")).to_be_visible(timeout=20_000)
    mine = widget.get_by_test_id("file-row").filter(has_text=upload.name)
    expect(mine).to_have_count(1)
    # Her own file has a delete button; the firm's has none.
    expect(mine.get_by_role("button", name=f"Delete {upload.name}")).to_be_visible()
    theirs = widget.get_by_test_id("file-row").filter(has_text="Welcome pack.txt")
    expect(theirs.get_by_role("button", name="Delete Welcome pack.txt")).to_have_count(0)
    assert_accessible(carla, "attachments, contributor")
    screenshot(carla, "contributor_upload_desktop")
    # Where the widget doesn't allow it: no button, and the upload route refuses.
    carla.goto(f"/pages/{closed.slug}")
    expect(carla.get_by_role("heading", name="From the firm")).to_be_visible(timeout=20_000)
    expect(carla.get_by_role("button", name="Upload a file")).to_have_count(0)
    refused = carla.context.request.post(
        f"/files/upload?page={closed.id}&widget={closed.widget('attachments')}",
        multipart={"file": {"name": "x.txt", "mimeType": "text/plain", "buffer": b"x\n"}},
        headers={"Origin": portal_server.url},
    )
    assert refused.status == 403, refused.text()
    carla.context.close()

    # A client who may only view the page: the files, no button, and a 403 for trying.
    victor = _signed_in(browser, portal_server, viewer, width=390)
    victor.goto(f"/pages/{page.slug}")
    widget = victor.get_by_test_id("attachments")
    expect(widget.get_by_text(upload.name)).to_be_visible(timeout=20_000)
    expect(widget.get_by_role("button", name="Upload a file")).to_have_count(0)
    expect(widget.get_by_role("button", name=f"Delete {upload.name}")).to_have_count(0)
    screenshot(victor, "contributor_upload_viewer_phone")
    route = victor.context.request.post(
        f"/files/upload?page={page.id}&widget={widget_id}",
        multipart={"file": {"name": "y.txt", "mimeType": "text/plain", "buffer": b"y\n"}},
        headers={"Origin": portal_server.url},
    )
    assert route.status == 403, route.text()
    resumable = victor.context.request.post(
        "/uploads",
        data={
            "destination": {"kind": "widget", "page": page.id, "widget": widget_id},
            "name": "y.txt",
            "size": 2,
        },
        headers={"Origin": portal_server.url},
    )
    assert resumable.status == 403, resumable.text()
    names = [r.name for r in files.list_files(admin, page.id, widget_id)]
    assert sorted(names) == sorted([upload.name, staff_file.name])
    victor.context.close()
