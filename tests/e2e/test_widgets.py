"""The page widgets people work with: discussion, form and attachments.

The world (built once through the services, in the server's database): a page
"Website relaunch" shared with Northwind (may contribute) and Contoso (view only), not
with Fabrikam; staff Olivia and Northwind's Nils follow it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlmodel import select

from portal_app.access import actor_for
from portal_app.db import session_scope
from portal_app.models import User
from portal_app.services import drafts, files, grants, organizations, pages, subscriptions
from portal_app.widgets.discussion import actions as discussion
from tests.e2e.support import assert_accessible, screenshot
from tests.e2e.support_world import ADMIN_EMAIL, ADMIN_PASSWORD, add_person, admin_actor, sign_in

PASSWORD = "lantern orchard pebble"  # noqa: S105
ANA = "ana@northwind-widgets.example"
NILS = "nils@northwind-widgets.example"
BEA = "bea@contoso-widgets.example"
CARL = "carl@fabrikam-widgets.example"

FORM_CONFIG = {
    "title": "Request a change",
    "introduction": "Tell us what to change on the new website.",
    "fields": [
        {"id": "summary", "label": "Summary", "kind": "text", "required": True},
        {
            "id": "area",
            "label": "Area",
            "kind": "select",
            "required": True,
            "options": ["Home page", "Shop", "Blog"],
        },
        {"id": "details", "label": "Details", "kind": "long_text"},
        {"id": "urgent", "label": "This is urgent", "kind": "checkbox"},
    ],
    "statuses": ["Pending", "Reviewing", "Accepted", "Rejected"],
    "submit_label": "Send request",
}


# Script errors in any browser page of these tests (checked after each test).
PAGE_ERRORS: list[str] = []


@pytest.fixture(autouse=True)
def _no_script_errors():
    PAGE_ERRORS.clear()
    yield
    assert not PAGE_ERRORS, "script errors in the browser:\n" + "\n".join(PAGE_ERRORS)


@dataclass
class World:
    page_id: int
    slug: str
    discussion: str
    form: str
    attachments: str
    briefing_file: int


def _user_id(email: str) -> int:
    with session_scope() as session:
        user = session.exec(select(User).where(User.email == email)).one()
        assert user.id is not None
        return user.id


def _actor(email: str):
    with session_scope() as session:
        return actor_for(session.exec(select(User).where(User.email == email)).one())


@pytest.fixture(scope="module")
def world(portal_server, admin_account) -> World:
    from tests.e2e.support import server_env

    with server_env(portal_server):
        admin = admin_actor()
        northwind = organizations.create_organization(admin, "Northwind Widgets")
        contoso = organizations.create_organization(admin, "Contoso Widgets")
        fabrikam = organizations.create_organization(admin, "Fabrikam Widgets")
        add_person(ANA, "Ana Trujillo", "limited", northwind.id, PASSWORD)
        nils = add_person(NILS, "Nils Berg", "limited", northwind.id, PASSWORD)
        add_person(BEA, "Bea Contoso", "limited", contoso.id, PASSWORD)
        add_person(CARL, "Carl Fabrikam", "limited", fabrikam.id, PASSWORD)

        draft = pages.create_page(admin, "Website relaunch")
        section = draft.sections[0].id
        draft = drafts.edit_draft(
            admin, draft.id, draft.revision, "set_section_columns",
            {"section_id": section, "columns": 2},
        )  # fmt: skip

        def add(type_name: str, column: str) -> str:
            nonlocal draft
            draft = drafts.edit_draft(
                admin, draft.id, draft.revision, "add_widget",
                {"type_name": type_name, "column": column, "index": 99},
            )  # fmt: skip
            return draft.touched_widget

        form = add("form", f"{section}:0")
        attachments = add("attachments", f"{section}:1")
        draft = drafts.edit_draft(admin, draft.id, draft.revision, "add_section", {"columns": 1})
        discussion_id = add("discussion", draft.sections[-1].columns[0].id)
        draft = drafts.edit_draft(
            admin, draft.id, draft.revision, "update_widget",
            {"widget_id": form, "config": FORM_CONFIG},
        )  # fmt: skip
        draft = drafts.edit_draft(
            admin, draft.id, draft.revision, "update_widget",
            {"widget_id": attachments,
             "config": {"title": "Project files", "description": "Briefs and contracts."}},
        )  # fmt: skip
        draft = drafts.edit_draft(
            admin, draft.id, draft.revision, "update_widget",
            {"widget_id": discussion_id,
             "config": {"title": "Questions and answers", "allow_replies": True}},
        )  # fmt: skip
        drafts.publish(admin, draft.id, draft.revision)
        grants.set_permissions(
            admin,
            draft.id,
            "all",
            [],
            [
                {"kind": "organization", "id": northwind.id, "level": "contribute"},
                {"kind": "organization", "id": contoso.id, "level": "view"},
            ],
        )
        subscriptions.set_subscribers(admin, draft.id, [_user_id(ADMIN_EMAIL), nils])
        briefing = files.save_upload(
            admin, draft.id, attachments, "Briefing.txt", [b"The relaunch briefing.\n"]
        )
        assert fabrikam.id
        return World(draft.id, draft.slug, discussion_id, form, attachments, briefing.id)


def _open_as(browser: Browser, portal_server, email: str, password: str, **viewport) -> Page:
    context: BrowserContext = browser.new_context(
        base_url=portal_server.url,
        viewport={"width": viewport.get("width", 1280), "height": viewport.get("height", 900)},
        accept_downloads=True,
    )
    page = context.new_page()
    page.on("pageerror", lambda error: PAGE_ERRORS.append(f"{email}: {error}"))
    sign_in(page, email, password)
    return page


def _shot(page: Page, name: str) -> None:
    # From the top, so the sticky top bar isn't photographed mid-page.
    page.evaluate("window.scrollTo(0, 0)")
    page.mouse.move(0, 0)
    screenshot(page, name)


def _goto_page(page: Page, world: World) -> None:
    page.goto(f"/pages/{world.slug}")
    expect(page.locator("#page-title")).to_have_text("Website relaunch", timeout=20_000)


def test_client_comments_and_page_followers_are_told(
    browser: Browser, portal_server, smtp_server, world: World
):
    ana = _open_as(browser, portal_server, ANA, PASSWORD)
    _goto_page(ana, world)
    widget = ana.get_by_test_id("discussion")
    expect(widget.get_by_text("No comments yet — start the conversation")).to_be_visible()
    assert_accessible(ana, "discussion, empty")
    _shot(ana, "widgets_empty_page_client")

    before = len(smtp_server.messages)
    box = widget.get_by_label("Add a comment")
    box.fill("Can we move the launch to @Olivia Owner's preferred date?")
    box.press("Control+Enter")
    expect(ana.get_by_text("Comment posted.")).to_be_visible()
    comment = widget.get_by_test_id("comment").first
    expect(comment).to_contain_text("Ana Trujillo")
    expect(comment).to_contain_text("just now")
    expect(box).to_have_value("")

    # The page's followers hear of it: staff, and Ana's colleague Nils.
    staff_mail = smtp_server.wait_for(to=ADMIN_EMAIL, subject="Website relaunch", after=before)
    assert "Can we move the launch" in staff_mail.text
    nils_mail = smtp_server.wait_for(
        to=NILS, subject="New comment on Website relaunch", after=before
    )
    assert any(f"/pages/{world.slug}" in link for link in nils_mail.links)

    # A reply, an edit, and a delete that asks first.
    widget.get_by_role("button", name="Reply to the comment by Ana Trujillo").click()
    reply_box = widget.get_by_label("Reply to Ana Trujillo")
    expect(reply_box).to_be_focused()
    reply_box.fill("Or keep the date and trim the blog section.")
    widget.get_by_role("button", name="Reply", exact=True).click()
    expect(ana.get_by_text("Reply posted.")).to_be_visible()
    expect(widget.get_by_role("list", name="Replies")).to_contain_text("trim the blog section")

    widget.get_by_role("button", name="Edit comment").first.click()
    edit_box = widget.get_by_label("Edit your comment")
    edit_box.fill("Can we move the launch by one week?")
    widget.get_by_role("button", name="Save").click()
    expect(ana.get_by_text("Comment updated.")).to_be_visible()
    expect(comment).to_contain_text("Can we move the launch by one week?")
    expect(comment).to_contain_text("edited")
    assert_accessible(ana, "discussion with a thread")
    _shot(ana, "widgets_discussion_client")

    replies = widget.get_by_role("list", name="Replies")
    replies.get_by_role("button", name="Delete comment by Ana Trujillo").click()
    dialog = ana.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Delete this comment?")
    assert_accessible(ana, "delete comment dialog")
    dialog.get_by_role("button", name="Delete comment").click()
    expect(ana.get_by_text("Comment deleted.")).to_be_visible()
    expect(widget.get_by_text("trim the blog section")).to_have_count(0)
    ana.context.close()


def test_view_only_client_reads_the_thread_but_has_no_comment_box(
    browser: Browser, portal_server, world: World
):
    admin = admin_actor()
    discussion.post_comment(admin, world.page_id, world.discussion, "Kick-off is on Monday.")
    # Another organization's thread on the same page stays with that organization.
    discussion.post_comment(
        _actor(ANA), world.page_id, world.discussion, "Northwind's budget is tight."
    )

    bea = _open_as(browser, portal_server, BEA, PASSWORD)
    _goto_page(bea, world)
    widget = bea.get_by_test_id("discussion")
    expect(widget.get_by_text("Kick-off is on Monday.")).to_be_visible()
    expect(widget.get_by_text("This page is view-only for you")).to_be_visible()
    expect(widget.get_by_label("Add a comment")).to_have_count(0)
    expect(widget.get_by_role("button", name=re.compile("^Reply"))).to_have_count(0)
    expect(bea.get_by_text("Northwind's budget is tight.")).to_have_count(0)
    # The form can't be sent either, and there are no staff controls.
    expect(bea.get_by_text("the form can't be sent")).to_be_visible()
    expect(bea.get_by_role("button", name="Upload a file")).to_have_count(0)
    assert_accessible(bea, "view-only page")
    _shot(bea, "widgets_view_only_client")
    bea.context.close()


def test_client_submits_the_form_and_staff_reviews_it(
    browser: Browser, portal_server, smtp_server, world: World
):
    ana = _open_as(browser, portal_server, ANA, PASSWORD)
    _goto_page(ana, world)
    form = ana.get_by_test_id("form-widget")
    expect(form.get_by_text("Tell us what to change")).to_be_visible()
    assert_accessible(ana, "form")

    # Area (required) is left empty: the reason shows next to it and focus goes there.
    form.get_by_label("Summary").fill("Bigger product photos")
    form.get_by_label("Details").fill("On the shop pages the photos are tiny.")
    form.get_by_role("button", name="Send request").click()
    area_error = form.get_by_role("alert").filter(has_text="Area: this field is required.")
    expect(area_error).to_be_visible()
    expect(form.get_by_label("Area")).to_be_focused()
    _shot(ana, "widgets_form_error")

    before = len(smtp_server.messages)
    form.get_by_label("Area").click()
    ana.get_by_role("option", name="Shop").click()
    form.get_by_label("This is urgent").click()
    form.get_by_role("button", name="Send request").click()
    expect(form.get_by_text("Thanks — your submission was received")).to_be_visible()
    mine = form.get_by_test_id("own-submission")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("Bigger product photos")
    expect(mine.get_by_test_id("submission-status")).to_have_text("Pending")
    assert_accessible(ana, "form sent")
    _shot(ana, "widgets_form_sent")
    smtp_server.wait_for(to=ADMIN_EMAIL, subject="New submission: Request a change", after=before)

    # Staff see every submission, change its status inline and export CSV.
    staff = _open_as(browser, portal_server, ADMIN_EMAIL, ADMIN_PASSWORD)
    _goto_page(staff, world)
    table = staff.get_by_test_id("form-widget")
    row = table.get_by_test_id("submission-row").filter(has_text="Bigger product photos")
    expect(row).to_contain_text("Ana Trujillo")
    expect(row).to_contain_text("Yes")  # the urgent box
    table.get_by_label("Search submissions").fill("nothing like this")
    expect(table.get_by_text("No submissions here")).to_be_visible()
    table.get_by_label("Search submissions").fill("photos")
    expect(row).to_be_visible()
    row.get_by_label("Status of the submission from Ana Trujillo").click()
    staff.get_by_role("option", name="Accepted").click()
    expect(staff.get_by_text("Marked as Accepted.")).to_be_visible()
    table.get_by_label("Filter by status").click()
    staff.get_by_role("option", name="Pending").click()
    expect(table.get_by_text("No submissions here")).to_be_visible()
    table.get_by_label("Filter by status").click()
    staff.get_by_role("option", name="Accepted").click()
    expect(row).to_be_visible()
    assert_accessible(staff, "staff submissions table")
    _shot(staff, "widgets_form_staff")

    with staff.expect_download() as download_info:
        table.get_by_role("link", name="Export CSV").click()
    csv_text = Path(download_info.value.path()).read_text(encoding="utf-8-sig")
    assert "Bigger product photos" in csv_text and "Accepted" in csv_text
    assert download_info.value.suggested_filename == "submissions.csv"

    # The client sees the new status.
    ana.reload()
    expect(form.get_by_test_id("submission-status")).to_have_text("Accepted", timeout=20_000)
    ana.context.close()
    staff.context.close()


def test_staff_uploads_an_attachment_and_a_client_downloads_it(
    browser: Browser, portal_server, world: World, tmp_path: Path
):
    staff = _open_as(browser, portal_server, ADMIN_EMAIL, ADMIN_PASSWORD)
    _goto_page(staff, world)
    widget = staff.get_by_test_id("attachments")
    expect(widget.get_by_text("Briefing.txt")).to_be_visible()
    contract = tmp_path / "Statement of work.csv"
    contract.write_text("item,price\ndesign,1200\nbuild,4800\n" * 2000)
    with staff.expect_file_chooser() as chooser:
        widget.get_by_role("button", name="Upload a file").click()
    chooser.value.set_files(str(contract))
    expect(staff.get_by_text("Uploaded Statement of work.csv.")).to_be_visible()
    rows = widget.get_by_test_id("file-row")
    expect(rows.filter(has_text="Statement of work.csv")).to_contain_text("CSV file")
    assert_accessible(staff, "attachments (staff)")
    _shot(staff, "widgets_attachments_staff")
    staff.context.close()

    # On a phone: the columns stack and the file list stays readable.
    ana = _open_as(browser, portal_server, ANA, PASSWORD, width=390, height=844)
    _goto_page(ana, world)
    widget = ana.get_by_test_id("attachments")
    expect(widget.get_by_role("button", name="Upload a file")).to_have_count(0)
    expect(widget.get_by_role("button", name=re.compile("^Delete"))).to_have_count(0)
    with ana.expect_download() as download_info:
        widget.get_by_role("link", name="Statement of work.csv").click()
    assert download_info.value.suggested_filename == "Statement of work.csv"
    assert Path(download_info.value.path()).read_text().startswith("item,price")
    assert_accessible(ana, "page on a phone")
    _shot(ana, "widgets_page_client_phone")
    ana.context.close()


def test_client_of_another_organization_gets_404_for_page_and_file(
    browser: Browser, portal_server, world: World
):
    carl = _open_as(browser, portal_server, CARL, PASSWORD)
    carl.goto(f"/pages/{world.slug}")
    expect(carl.get_by_text("We couldn't find that page")).to_be_visible(timeout=20_000)
    expect(carl.get_by_text("Website relaunch")).to_have_count(0)
    _shot(carl, "widgets_other_org_404")
    # The download route answers the same for "not yours" as for "doesn't exist".
    response = carl.context.request.get(f"/files/{world.briefing_file}")
    assert response.status == 404
    assert b"relaunch briefing" not in response.body()
    assert carl.context.request.get("/files/999999").status == 404
    # A Northwind client does get it, through the same route.
    ana = _open_as(browser, portal_server, ANA, PASSWORD)
    allowed = ana.context.request.get(f"/files/{world.briefing_file}")
    assert allowed.status == 200 and b"relaunch briefing" in allowed.body()
    carl.context.close()
    ana.context.close()
