"""File attachments with "Clients who may contribute can add files": who may upload
(staff always; a client only with the page's contribute grant and the setting on), who
deletes what (their own files; staff any), and the transfer protocol's widget
destination asking the same rule."""

from __future__ import annotations

import pytest

from portal_app.errors import Forbidden, NotFound
from portal_app.services import files, uploads
from portal_app.widgets.attachments.widget import Attachments
from portal_app.widgets.form.widget import Form
from tests.support.pages import build_page

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n" + b"0" * 200


def _room(world, contributors_may_upload: bool, level: str = "contribute"):
    return build_page(
        world.admin,
        f"Year-end papers {contributors_may_upload} {level}",
        [("attachments", {"title": "Papers", "contributors_may_upload": contributors_may_upload})],
        organizations={world.northwind_id: level, world.globex_id: "view"},
    )


def _upload(actor, page, name="receipts.pdf"):
    return files.save_upload(
        actor, page.id, page.widget("attachments"), name, [PDF], "application/pdf"
    )


def test_the_type_reads_the_setting_and_other_types_keep_their_rule():
    attachments = Attachments()
    assert attachments.takes_contributor_uploads({"contributors_may_upload": True})
    assert not attachments.takes_contributor_uploads({"contributors_may_upload": False})
    assert not attachments.takes_contributor_uploads({})
    # A string from a crafted layout is not "on": the config is validated anyway.
    assert not attachments.takes_contributor_uploads({"contributors_may_upload": "yes"})
    assert Form().takes_contributor_uploads({})
    assert attachments.default_config()["contributors_may_upload"] is False
    field = next(f for f in attachments.editor_fields() if f.name == "contributors_may_upload")
    assert field.kind == "checkbox" and field.label == "Clients who may contribute can add files"


def test_a_contributor_uploads_where_the_widget_allows_and_deletes_only_their_own(world):
    room = _room(world, True)
    mine = _upload(world.ana, room)
    assert mine.uploader == world.ana.display_name and mine.can_delete
    staff_file = _upload(world.dana, room, "engagement letter.pdf")
    rows = {r.name: r for r in files.list_files(world.thomas, room.id, room.widget("attachments"))}
    # Everyone on the page reads both; Thomas deletes neither.
    assert set(rows) == {"receipts.pdf", "engagement letter.pdf"}
    assert not rows["receipts.pdf"].can_delete
    with pytest.raises(Forbidden):
        files.delete_file(world.thomas, mine.id)
    with pytest.raises(Forbidden):
        files.delete_file(world.ana, staff_file.id)
    files.delete_file(world.ana, mine.id)
    assert [r.name for r in files.list_files(world.ana, room.id, room.widget("attachments"))] == [
        "engagement letter.pdf"
    ]


def test_no_contributor_uploads_when_off_or_view_only_or_another_organization(world):
    off = _room(world, False)
    with pytest.raises(Forbidden):
        _upload(world.ana, off)
    view_only = _room(world, True, level="view")
    with pytest.raises(Forbidden):
        _upload(world.ana, view_only)
    on = _room(world, True)
    with pytest.raises(Forbidden):
        _upload(world.hank, on)  # Globex may only view this page
    private = build_page(
        world.admin,
        "Northwind only",
        [("attachments", {"contributors_may_upload": True})],
        organizations={world.northwind_id: "contribute"},
    )
    with pytest.raises(NotFound):
        _upload(world.hank, private)
    # Staff upload whatever the setting.
    assert _upload(world.dana, off).name == "receipts.pdf"


def test_the_resumable_uploads_widget_destination_asks_the_same_rule(world):
    on, off = _room(world, True), _room(world, False)
    plan = uploads.plan(
        world.ana,
        {"kind": "widget", "page": on.id, "widget": on.widget("attachments")},
        "receipts.pdf",
        len(PDF),
    )
    assert plan.max_bytes > 0
    with pytest.raises(Forbidden):
        uploads.plan(
            world.ana,
            {"kind": "widget", "page": off.id, "widget": off.widget("attachments")},
            "receipts.pdf",
            len(PDF),
        )
